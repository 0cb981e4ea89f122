"""Seed rows of a domain: seed/<table>.jsonl (one JSON object a row), loaded in schema order."""
from __future__ import annotations

import json
from pathlib import Path

from dslgen.errors import RunError
from dslgen.sql.schema import DbSchema, Table


def read_seed(seed_dir: Path, schema: DbSchema) -> dict[str, list[tuple]]:
    """table → rows as tuples in the table's column order; tables without a file are empty."""
    out = {}
    for table in schema.tables:
        path = Path(seed_dir) / f"{table.name}.jsonl"
        out[table.name] = _rows(path, table) if path.exists() else []
    return out


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
