"""Seed rows from nested JSON documents through a declared mapping (a domain's
`seed/mapping.yaml`), so data shaped like τ-bench's users.json loads with no script.

A source path walks a document: `users/{user}/payment_methods/{method}` visits every entry
of the `users` object (binding its key to `user`), then every entry of that user's
`payment_methods`. A `{name}` step iterates an object's entries (in document order) or a
list's items; any other step is a field name (or a list index). A column takes the key or
the index of a step, a field path relative to the visited element (`name/first_name`, `.`
for the element itself, empty for the field of the column's own name), a path relative to
an earlier step's element, or a constant. Several sources of one table merge rows that
share a primary key.

`map_documents` is pure (documents + mapping + schema → rows, problems); each problem
carries its path inside the mapping file, so the caller can point at the line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Iterator, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dslgen.sql.schema import DbSchema, Table

MAPPING_FILE = "mapping.yaml"

# diagnostic codes of the seed mapping, defined once
UNKNOWN_TABLE, UNKNOWN_COLUMN, SELECTS_NOTHING, UNKNOWN_NAME, BAD_VALUE, MISSING_VALUE, BAD_MAPPING = (
    "DSL431", "DSL432", "DSL433", "DSL434", "DSL435", "DSL436", "DSL430")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FromStep(_Model):
    """A column whose value is the key (or index) that a `{name}` step of `from` bound."""

    key: Annotated[str, Field(description="Name of a `{name}` step of the source path; its object key "
                                          "(for a list: the item's index).")]


class IndexOf(_Model):
    """A column whose value is the 0-based position of the element a `{name}` step visited."""

    index: Annotated[str, Field(description="Name of a `{name}` step; the element's position among "
                                            "its siblings (document order).")]


class PathOf(_Model):
    """A column read at a path relative to the element an earlier step visited."""

    path: Annotated[str, Field(description="Field path, `/`-separated (`.` = the element itself).")]
    of: Annotated[str, Field(description="Name of a `{name}` step of the source path.")]


class Constant(_Model):
    """A column with the same value in every row."""

    value: Annotated[Union[str, int, float, bool, None], Field(description="The value (null for NULL).")]


ColumnValue = Union[None, str, FromStep, IndexOf, PathOf, Constant]


class TableSource(_Model):
    """One way rows of a table come out of the documents."""

    from_: Annotated[str, Field(alias="from", description=(
        "Source path: a document name, then `/`-separated steps; `{name}` visits every entry of "
        "an object or item of a list and binds its key (or index) to `name`."))]
    columns: Annotated[dict[str, ColumnValue], Field(description=(
        "Column → where its value comes from: a field path relative to the visited element "
        "(`.` = the element, empty = the field named like the column), `{key: step}`, "
        "`{index: step}`, `{path: p, of: step}` or `{value: v}`. Unlisted columns are NULL."))] = {}


class SeedMapping(_Model):
    """Top level of a domain's seed/mapping.yaml."""

    documents: Annotated[dict[str, str], Field(description=(
        "Document name → JSON file in the seed folder (`.json`: one value; `.jsonl`: a list, one "
        "value a line)."))]
    tables: Annotated[dict[str, list[TableSource]], Field(description=(
        "Table → its sources, in order. Rows of several sources that share a primary key are "
        "one row; a table in neither the mapping nor a seed file is empty."))]

    @model_validator(mode="before")
    @classmethod
    def _one_source_is_a_list(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("tables"), dict):
            tables = {k: [v] if isinstance(v, dict) else v for k, v in data["tables"].items()}
            data = {**data, "tables": tables}
        return data


@dataclass(frozen=True)
class Problem:
    code: str
    path: tuple  # where in the mapping file, e.g. ("tables", "orders", 0, "columns", "zip")
    message: str
    hint: str | None = None


@dataclass
class Mapped:
    rows: dict[str, list[tuple]] = field(default_factory=dict)  # table → rows in column order
    problems: list[Problem] = field(default_factory=list)


_STEP = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")


@dataclass(frozen=True)
class _Step:
    field: str | None  # a fixed field (or list index); None for an iterating step
    name: str | None = None  # the binding of an iterating step


def _split(path: str) -> list[str]:
    if path in (".", ""):
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in path.strip("/").split("/")]


def _steps(path: str) -> list[_Step]:
    out = []
    for part in _split(path):
        m = _STEP.match(part)
        out.append(_Step(None, m.group(1)) if m else _Step(part))
    return out


@dataclass(frozen=True)
class _Visit:
    """One element reached by a source path, with what each step bound."""

    element: Any
    keys: dict[str, Any]  # step name → key (or list index)
    index: dict[str, int]  # step name → position among siblings
    elements: dict[str, Any]  # step name → the element it visited
    where: str  # a readable location, e.g. users/noah_brown_6181/payment_methods/paypal_5727330


_MISSING = object()


def _child(node: Any, name: str) -> Any:
    if isinstance(node, dict):
        return node.get(name, _MISSING)
    if isinstance(node, list) and name.isdigit() and int(name) < len(node):
        return node[int(name)]
    return _MISSING


def _entries(node: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(node, dict):
        yield from node.items()
    elif isinstance(node, list):
        yield from enumerate(node)


def _walk(node: Any, steps: list[_Step], visit: _Visit) -> Iterator[_Visit]:
    if not steps:
        yield _Visit(node, visit.keys, visit.index, visit.elements, visit.where)
        return
    step, rest = steps[0], steps[1:]
    if step.name is None:
        child = _child(node, step.field)
        if child is not _MISSING:
            yield from _walk(child, rest, _Visit(child, visit.keys, visit.index, visit.elements,
                                                 f"{visit.where}/{step.field}"))
        return
    for pos, (key, child) in enumerate(_entries(node)):
        inner = _Visit(child, {**visit.keys, step.name: key}, {**visit.index, step.name: pos},
                       {**visit.elements, step.name: child}, f"{visit.where}/{key}")
        yield from _walk(child, rest, inner)


def _read(element: Any, path: str) -> Any:
    node = element
    for part in _split(path):
        node = _child(node, part)
        if node is _MISSING:
            return _MISSING
    return node


class _Column:
    """How one column's value is read from a visit; `found` counts visits where it was there."""

    def __init__(self, name: str, spec: ColumnValue):
        self.name, self.spec, self.found = name, spec, 0

    def steps_named(self) -> list[str]:
        s = self.spec
        return [s.key] if isinstance(s, FromStep) else [s.index] if isinstance(s, IndexOf) else \
            [s.of] if isinstance(s, PathOf) else []

    def value(self, visit: _Visit) -> Any:
        s = self.spec
        if isinstance(s, Constant):
            got = s.value
        elif isinstance(s, FromStep):
            got = visit.keys[s.key]
        elif isinstance(s, IndexOf):
            got = visit.index[s.index]
        elif isinstance(s, PathOf):
            got = _read(visit.elements[s.of], s.path)
        else:
            got = _read(visit.element, self.name if s is None else s)
        if got is not _MISSING:
            self.found += 1
        return None if got is _MISSING else got


def map_documents(mapping: SeedMapping, documents: dict[str, Any], schema: DbSchema) -> Mapped:
    """Rows per table from the documents; every problem found, each at its mapping path."""
    out = Mapped()
    for table_name, sources in mapping.tables.items():
        table = schema.table(table_name)
        if table is None:
            out.problems.append(Problem(UNKNOWN_TABLE, ("tables", table_name), f"unknown table '{table_name}'",
                                        _did_you_mean(table_name, schema.table_names)))
            continue
        merged, before = _Merged(table, table_name), len(out.problems)
        for i, source in enumerate(sources):
            _map_source(source, ("tables", table_name, i), table, documents, merged, out.problems)
        if len(out.problems) == before:  # missing values after another problem are its echo
            out.problems += merged.missing_values()
        out.rows[table.name] = merged.rows()
    return out


def _map_source(source: TableSource, at: tuple, table: Table, documents: dict, merged: "_Merged",
                problems: list[Problem]) -> None:
    found = _check_source(source, at, table, documents)
    if found:
        problems += found
        return
    doc_name, *rest = _split(source.from_)
    columns = [_Column(n, v) for n, v in source.columns.items()]
    visits = 0
    for visit in _walk(documents[doc_name], _steps("/".join(rest)), _Visit(None, {}, {}, {}, doc_name)):
        visits += 1
        row = {}
        for col in columns:
            value = col.value(visit)
            if isinstance(value, (dict, list)):
                problems.append(Problem(BAD_VALUE, at + ("columns", col.name),
                                        f"column '{col.name}' gets a {type(value).__name__} at {visit.where}, "
                                        "not a single value", "point the path at a field inside it"))
                return
            row[col.name] = value
        conflict = merged.add(row, visit.where)
        if conflict:
            problems.append(Problem(BAD_VALUE, at, conflict))
            return
    if visits == 0:
        problems.append(Problem(SELECTS_NOTHING, at + ("from",), f"'{source.from_}' selects nothing",
                                "check the document's shape: `{name}` steps iterate, other steps are field names"))
        return
    for col in columns:
        if col.found == 0 and not isinstance(col.spec, Constant):
            problems.append(Problem(SELECTS_NOTHING, at + ("columns", col.name),
                                    f"column '{col.name}': the path selects nothing in any of {visits} element(s) "
                                    f"of '{source.from_}'", None))


def _check_source(source: TableSource, at: tuple, table: Table, documents: dict) -> list[Problem]:
    """Names the source uses that do not exist: document, columns, steps."""
    problems = []
    parts = _split(source.from_)
    if not parts or parts[0] not in documents:
        name = parts[0] if parts else ""
        problems.append(Problem(UNKNOWN_NAME, at + ("from",), f"unknown document '{name}'",
                                _did_you_mean(name, list(documents)) or f"documents: {', '.join(documents)}"))
    bound = {s.name for s in _steps(source.from_) if s.name}
    for name, spec in source.columns.items():
        if table.column(name) is None:
            problems.append(Problem(UNKNOWN_COLUMN, at + ("columns", name),
                                    f"table '{table.name}' has no column '{name}'",
                                    _did_you_mean(name, table.column_names)))
        for step in _Column(name, spec).steps_named():
            if step not in bound:
                problems.append(Problem(UNKNOWN_NAME, at + ("columns", name), f"'{step}' is not a step of "
                                        f"'{source.from_}'", f"steps: {', '.join(sorted(bound)) or 'none'}"))
    return problems


class _Merged:
    """Rows of one table, merged by primary key across sources, in first-seen order."""

    def __init__(self, table: Table, name: str):
        self.table, self.name = table, name
        self._rows: dict[Any, dict] = {}
        self._where: dict[Any, str] = {}

    def add(self, row: dict, where: str) -> str | None:
        pk = self.table.primary_key
        key = tuple(row.get(c) for c in pk) if pk and all(row.get(c) is not None for c in pk) else object()
        old = self._rows.setdefault(key, {})
        for col, value in row.items():
            if value is None:
                continue
            if old.get(col) is not None and old[col] != value:
                return (f"{self.name} {dict(zip(pk, key))}: '{col}' is {old[col]!r} from "
                        f"{self._where[key]} but {value!r} from {where}")
            old[col] = value
        self._where.setdefault(key, where)
        return None

    def missing_values(self) -> list[Problem]:
        out = []
        for col in self.table.columns:
            if col.nullable:
                continue
            empty = [k for k, r in self._rows.items() if r.get(col.name) is None]
            if empty:
                out.append(Problem(MISSING_VALUE, ("tables", self.name),
                                   f"{len(empty)} row(s) of '{self.name}' have no value for NOT NULL column "
                                   f"'{col.name}' (first: {self._where[empty[0]]})",
                                   f"map '{col.name}' in a source of '{self.name}'"))
        return out

    def rows(self) -> list[tuple]:
        names = self.table.column_names
        return [tuple(r.get(c) for c in names) for r in self._rows.values()]


def _did_you_mean(name: str, options: list[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, options, n=1)
    return f"did you mean '{close[0]}'?" if close else None

