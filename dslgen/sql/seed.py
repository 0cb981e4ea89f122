"""Seed rows of a domain, parsed from the seed files' texts and checked against the schema.

`seed/<table>.jsonl` holds one JSON object a row; `seed/<table>.csv` a header row, then one
row a line (an empty field is NULL, or '' in a NOT NULL text column). Parsing is pure: the
loader reads the texts, the compiler check reports the problems at file:line:col, and the
rows (in each table's column order) go into the database as they are.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from dslgen.errors import RunError
from dslgen.sql.schema import Column, DbSchema, Table
from dslgen.sql.seed_documents import MAPPING_FILE, MappedSeed, mapped_seed

SEED_SUFFIXES = (".jsonl", ".csv")


@dataclass(frozen=True)
class SeedProblem:
    """Something wrong in a seed file, at a 1-based line and column of its text."""

    code: str  # DSL420 unreadable line · DSL421 value does not fit · DSL422 duplicate key · DSL423 unknown name
    file: str  # the name inside seed/, e.g. "users.jsonl"
    message: str
    line: int = 1
    col: int = 1
    length: int = 1
    hint: str | None = None
    severity: str = "error"


class ParsedSeed(NamedTuple):
    rows: dict[str, list[tuple]]  # table → rows in the table's column order (every table present)
    problems: list[SeedProblem]
    digest: str  # of the rows: same rows, same digest, whatever the file format


def parse_seed(files: dict[str, str], schema: DbSchema) -> ParsedSeed:
    """`files`: name inside seed/ → text. Tables without a file are empty. A `mapping.yaml`
    fills the tables it names from JSON documents (seed_documents.py)."""
    problems: list[SeedProblem] = []
    mapped = mapped_seed(files, schema) if MAPPING_FILE in files else MappedSeed(files=set())
    problems += [SeedProblem(d.code, d.span.file, d.message, d.span.line, d.span.col, hint=d.hint)
                 for d in mapped.diagnostics]
    by_table = _files_by_table({n: t for n, t in files.items() if n not in mapped.files}, schema, problems)
    rows = {}
    for table in schema.tables:
        name = by_table.get(table.name)
        if table.name in mapped.rows:
            rows[table.name] = _checked_mapped_rows(table, mapped, name, problems)
            continue
        reader = _TableReader(name, table, problems)
        if name is not None:
            (reader.jsonl if name.endswith(".jsonl") else reader.csv)(files[name])
        rows[table.name] = reader.rows
    return ParsedSeed(rows, problems, seed_digest(schema, rows))


def _checked_mapped_rows(table: Table, mapped: MappedSeed, also: str | None, problems: list) -> list[tuple]:
    """Mapped rows go through the same checks as a file's (types, keys), shown at the table's
    entry in mapping.yaml."""
    if also is not None:
        problems.append(SeedProblem("DSL423", also, f"table '{table.name}' is filled by {MAPPING_FILE}; "
                                    "this file is not read", hint="keep one of them"))
    found: list[SeedProblem] = []
    reader = _TableReader(MAPPING_FILE, table, found)
    line = mapped.lines.get(table.name, 1)
    for row in mapped.rows[table.name]:
        reader._row(dict(zip(table.column_names, row)), line, lambda key: 1)
    once: dict[tuple, list[SeedProblem]] = {}  # one problem a column, not one a row
    for p in found:
        once.setdefault((p.code, p.message.split(":")[0]), []).append(p)
    problems += [replace(ps[0], message=ps[0].message + (f" (and {len(ps) - 1} more rows)" if len(ps) > 1 else ""))
                 for ps in once.values()]
    return reader.rows


def read_seed(seed_dir: Path, schema: DbSchema) -> dict[str, list[tuple]]:
    """Rows from a seed folder on disk (tests, benches); a problem in it is a RunError."""
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(Path(seed_dir).glob("*"))
             if p.is_file() and not p.name.startswith(".")} if Path(seed_dir).is_dir() else {}
    parsed = parse_seed(files, schema)
    errors = [p for p in parsed.problems if p.severity == "error"]
    if errors:
        first = errors[0]
        raise RunError(f"{Path(seed_dir) / first.file}:{first.line}:{first.col}: {first.message}"
                       + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""), hint=first.hint)
    return parsed.rows


def seed_digest(schema: DbSchema, rows: dict[str, list[tuple]]) -> str:
    h = hashlib.sha256()
    for table in schema.tables:
        h.update(table.name.encode() + b"\n")
        h.update(json.dumps(rows.get(table.name, []), default=str).encode() + b"\n")
    return h.hexdigest()


def _files_by_table(files: dict[str, str], schema: DbSchema, problems: list) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in sorted(files):
        stem, dot, suffix = name.rpartition(".")
        if not dot or f".{suffix}" not in SEED_SUFFIXES:
            problems.append(SeedProblem("DSL423", name, "not a seed file: it is not read", hint="seed files are "
                                        "<table>.jsonl or <table>.csv", severity="warning"))
        elif schema.table(stem) is None or stem != stem.lower():
            problems.append(SeedProblem("DSL423", name, f"seed file for unknown table '{stem}'",
                                        hint=_did_you_mean(stem, schema.table_names) or
                                        f"tables: {', '.join(schema.table_names)}"))
        elif stem in out:
            problems.append(SeedProblem("DSL423", name, f"table '{stem}' has two seed files ({out[stem]} and {name})",
                                        hint="keep one of them"))
        else:
            out[stem] = name
    return out


class _TableReader:
    """Rows of one table, collecting every problem of its file."""

    def __init__(self, file: str | None, table: Table, problems: list[SeedProblem]):
        self.file, self.table, self.problems = file, table, problems
        self.rows: list[tuple] = []
        self.keys: dict[tuple, int] = {}  # primary key → line of its first row

    def problem(self, code: str, message: str, line: int, col: int = 1, length: int = 1,
                hint: str | None = None) -> None:
        self.problems.append(SeedProblem(code, self.file or "", message, line, col, length, hint))

    def jsonl(self, text: str) -> None:
        for n, line in enumerate(text.split("\n"), 1):
            if line.strip():
                self._json_line(line, n)

    def _json_line(self, line: str, n: int) -> None:
        try:
            obj = json.loads(line)
        except RecursionError:
            self.problem("DSL420", "not a JSON line: nested too deeply", n, 1, hint="one flat JSON object a line")
            return
        except ValueError as e:
            col = getattr(e, "colno", 1)
            self.problem("DSL420", f"not a JSON line: {getattr(e, 'msg', e)}", n, col, hint="one JSON object a line")
            return
        if not isinstance(obj, dict):
            self.problem("DSL420", f"a row is a JSON object, not {_json_name(obj)}", n,
                         hint='e.g. {"' + '": …, "'.join(self.table.column_names[:2]) + '": …}')
            return
        self._row(obj, n, lambda key: _json_key_col(line, key))

    def csv(self, text: str) -> None:
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader, None)
            if header is None:
                return
            lines = text.split("\n")
            cols = _csv_cols(lines[0])
            for i, name in enumerate(header):
                if self.table.column(name) is None:
                    self.unknown(name, 1, cols[i] if i < len(cols) else 1, len(name))
            for values in reader:
                if values:
                    self._csv_row(header, values, reader.line_num, lines)
        except csv.Error as e:
            self.problem("DSL420", f"not valid CSV: {e}", reader.line_num)

    def _csv_row(self, header: list[str], values: list[str], n: int, lines: list[str]) -> None:
        if len(values) != len(header):
            self.problem("DSL420", f"{len(values)} fields where the header has {len(header)}", n)
            return
        # unknown header columns are reported once, at the header
        obj = {name: _csv_value(text, self.table.column(name)) for name, text in zip(header, values)
               if self.table.column(name) is not None}
        cols = _csv_cols(lines[n - 1]) if n <= len(lines) else []
        self._row(obj, n, lambda key: cols[header.index(key)] if header.index(key) < len(cols) else 1)

    def _row(self, obj: dict, n: int, col_of) -> None:
        ok = True
        for key, value in obj.items():
            column = self.table.column(key)
            if column is None:
                self.unknown(key, n, col_of(key), len(key) + 2)
                ok = False
                continue
            why = _type_problem(value, column)
            if why:
                self.problem("DSL421", f"column '{key}' ({column.type}): {why}", n, col_of(key), len(key) + 2)
                ok = False
        for column in self.table.columns:
            if not column.nullable and obj.get(column.name) is None:
                at = (col_of(column.name), len(column.name) + 2) if column.name in obj else (1, 1)
                self.problem("DSL421", f"NOT NULL column '{column.name}' has no value", n, *at,
                             hint=f"give '{column.name}' a value in every row")
                ok = False
        if ok:
            self._add(tuple(_value(obj.get(c.name), c) for c in self.table.columns), n)

    def _add(self, row: tuple, n: int) -> None:
        pk = self.table.primary_key
        if pk:
            key = tuple(row[self.table.column_names.index(c)] for c in pk)
            if key in self.keys:
                self.problem("DSL422", f"duplicate primary key ({', '.join(pk)}) = {_shown(key)}", n,
                             hint=f"line {self.keys[key]} has the same key")
                return
            self.keys[key] = n
        self.rows.append(row)

    def unknown(self, name: str, line: int, col: int, length: int) -> None:
        hint = _did_you_mean(name, self.table.column_names) or f"its columns: {', '.join(self.table.column_names)}"
        self.problem("DSL423", f"unknown column '{name}' for table '{self.table.name}'", line, col, length, hint)


def _type_problem(value: Any, column: Column) -> str | None:
    """Why `value` cannot go into `column`, or None."""
    if value is None:
        return None
    want = column.json_type
    if want == "any":
        return None if isinstance(value, (str, int, float, bool)) else f"{_json_name(value)} is not a plain value"
    ok = {"integer": isinstance(value, int) and not isinstance(value, bool),
          "number": isinstance(value, (int, float)) and not isinstance(value, bool),
          "boolean": isinstance(value, bool) or value in (0, 1),
          "string": isinstance(value, str)}.get(want, True)
    return None if ok else f"expected {want}, got {_json_name(value)} {_shown(value)}"


def _value(value: Any, column: Column) -> Any:
    if value is not None and column.json_type == "boolean":
        return bool(value)
    return value


_TRUE, _FALSE = ("1", "true", "t", "yes"), ("0", "false", "f", "no")


def _csv_value(text: str, column: Column) -> Any:
    """A CSV field typed by its column; a field that does not convert stays text (reported)."""
    if text == "" and (column.nullable or column.json_type != "string"):
        return None
    kind = column.json_type
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
    except ValueError:
        return text
    if kind == "boolean":
        low = text.strip().lower()
        return True if low in _TRUE else False if low in _FALSE else text
    return text


def _json_key_col(line: str, key: str) -> int:
    m = re.search(re.escape(json.dumps(key)) + r"\s*:", line)
    return m.start() + 1 if m else 1


def _csv_cols(header_line: str) -> list[int]:
    """1-based columns where each header field starts (fields are rarely quoted)."""
    cols, at = [], 1
    for field in header_line.rstrip("\r").split(","):
        cols.append(at)
        at += len(field) + 1
    return cols


def _json_name(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "object"}.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    text = json.dumps(value[0] if isinstance(value, tuple) and len(value) == 1 else value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _did_you_mean(word: str, choices) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None
