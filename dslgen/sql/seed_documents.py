"""A seed folder's `mapping.yaml` and the JSON documents it names (their texts) mapped to
rows, every problem a diagnostic at its line in the mapping file (or the document)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from dslgen.errors import Diagnostic, Span
from dslgen.sql.schema import DbSchema
from dslgen.sql.seed_mapping import (BAD_MAPPING, MAPPING_FILE, MISSING_VALUE, UNKNOWN_COLUMN, UNKNOWN_NAME,
                                     UNKNOWN_TABLE, SeedMapping, map_documents)
from dslgen.yaml_positions import NodePositions

_NAMING = (UNKNOWN_TABLE, UNKNOWN_COLUMN, MISSING_VALUE)  # shown at the name, not at its value


@dataclass
class MappedSeed:
    rows: dict[str, list[tuple]] = field(default_factory=dict)  # empty when there are diagnostics
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: set[str] = field(default_factory=lambda: {MAPPING_FILE})  # the mapping and its documents
    lines: dict[str, int] = field(default_factory=dict)  # table → line of its entry in the mapping


def mapped_seed(files: dict[str, str], schema: DbSchema) -> MappedSeed:
    """Rows of the tables `mapping.yaml` fills. `files`: name inside seed/ → text; every
    position names one of those files."""
    out = MappedSeed()
    text = files[MAPPING_FILE]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        out.diagnostics.append(Diagnostic(BAD_MAPPING, f"invalid YAML: {e.problem}", Span(
            MAPPING_FILE, mark.line + 1, mark.column + 1) if mark else Span(MAPPING_FILE, 1, 1)))
        return _unread(out, files)
    where = NodePositions(root, MAPPING_FILE)
    if not isinstance(data, (dict, type(None))):
        out.diagnostics.append(Diagnostic(BAD_MAPPING, f"{MAPPING_FILE} holds a mapping with documents: and tables:",
                                          where.span(())))
        return _unread(out, files)
    try:
        mapping = SeedMapping.model_validate(data if data is not None else {})
    except ValidationError as exc:
        out.diagnostics += [_field_problem(e, where) for e in exc.errors()]
        return _unread(out, files)
    out.files |= set(mapping.documents.values())
    documents, out.diagnostics = _documents(mapping, files, where)
    if out.diagnostics:
        return out
    mapped = map_documents(mapping, documents, schema)
    out.diagnostics = [Diagnostic(p.code, p.message, where.span(p.path, key=p.code in _NAMING), p.hint)
                       for p in mapped.problems]
    out.rows = {} if out.diagnostics else mapped.rows
    out.lines = {t: where.span(("tables", t), key=True).line for t in mapped.rows}
    return out


def _unread(out: MappedSeed, files: dict[str, str]) -> MappedSeed:
    """A broken mapping: its JSON documents are not also reported as files nobody reads."""
    out.files |= {name for name in files if name.endswith(".json")}
    return out


def _documents(mapping: SeedMapping, files: dict[str, str], where: NodePositions
               ) -> tuple[dict[str, Any], list[Diagnostic]]:
    documents, diags = {}, []
    for name, rel in mapping.documents.items():
        if rel not in files:
            diags.append(Diagnostic(UNKNOWN_NAME, f"no document '{rel}' in the seed folder",
                                    where.span(("documents", name)), "paths are relative to the seed folder"))
            continue
        text = files[rel]
        try:  # JSON Lines split on "\n" only: a string may hold U+2028, which splitlines() splits on
            documents[name] = ([json.loads(line) for line in text.split("\n") if line.strip()]
                               if rel.endswith(".jsonl") else json.loads(text))
        except json.JSONDecodeError as e:
            diags.append(Diagnostic(BAD_MAPPING, f"'{rel}' is not valid JSON: {e.msg}", Span(rel, e.lineno, e.colno)))
        except RecursionError:
            diags.append(Diagnostic(BAD_MAPPING, f"'{rel}' is nested too deeply to read", Span(rel, 1, 1)))
    return documents, diags


def _field_problem(err: dict, where: NodePositions) -> Diagnostic:
    path = tuple(p for p in err["loc"] if isinstance(p, int) or not _is_union_tag(p))
    path = tuple("from" if p == "from_" else p for p in path)
    if err["type"] == "extra_forbidden":
        return Diagnostic(BAD_MAPPING, f"unknown field '{path[-1]}'", where.span(path, key=True))
    if err["type"] == "missing":
        return Diagnostic(BAD_MAPPING, f"missing field '{path[-1]}'", where.span(path[:-1]))
    return Diagnostic(BAD_MAPPING, f"{'.'.join(map(str, path))}: {err['msg']}", where.span(path),
                      "a column is a field path, empty, {key: step}, {index: step}, {path: p, of: step} or {value: v}")


def _is_union_tag(part: str) -> bool:
    return part in ("str", "FromStep", "IndexOf", "PathOf", "Constant", "none") or "[" in part
