"""Seed rows of a domain, loaded in schema order: seed/<table>.jsonl (one JSON object a row)
or seed/<table>.csv (a header row; an empty field is NULL, or '' in a NOT NULL text column)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from dslgen.errors import RunError
from dslgen.sql.schema import DbSchema, Table


def read_seed(seed_dir: Path, schema: DbSchema) -> dict[str, list[tuple]]:
    """table → rows as tuples in the table's column order; tables without a file are empty."""
    out = {}
    for table in schema.tables:
        jsonl, csv_path = Path(seed_dir) / f"{table.name}.jsonl", Path(seed_dir) / f"{table.name}.csv"
        if jsonl.exists():
            out[table.name] = _rows(jsonl, table)
        elif csv_path.exists():
            out[table.name] = _csv_rows(csv_path, table)
        else:
            out[table.name] = []
    return out


_FROM_TEXT = {"integer": int, "number": float, "boolean": lambda v: v.strip().lower() in ("1", "true", "t", "yes")}


def _csv_rows(path: Path, table: Table) -> list[tuple]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        extra = set(reader.fieldnames or []) - set(table.column_names)
        if extra:
            raise RunError(f"{path}:1: unknown column(s) {sorted(extra)} for table '{table.name}'",
                           hint=f"columns are {table.column_names}")
        return [tuple(_csv_value(row.get(c.name), c) for c in table.columns) for row in reader]


def _csv_value(text: str | None, column):
    if text is None or (text == "" and (column.nullable or column.json_type != "string")):
        return None
    convert = _FROM_TEXT.get(column.json_type)
    return convert(text) if convert else text


def _rows(path: Path, table: Table) -> list[tuple]:
    names = table.column_names
    rows = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            obj = json.loads(line)
            extra = set(obj) - set(names)
            if extra:
                raise RunError(f"{path}:{n}: unknown column(s) {sorted(extra)} for table '{table.name}'",
                               hint=f"columns are {names}")
            rows.append(tuple(obj.get(c) for c in names))
    return rows


def insert_sql(table: Table, engine: str) -> str:
    mark = "?" if engine == "sqlite" else "%s"
    cols = ", ".join(table.column_names)
    return f"INSERT INTO {table.name} ({cols}) VALUES ({', '.join(mark for _ in table.columns)})"
