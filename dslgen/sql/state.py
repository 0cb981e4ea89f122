"""A database state as plain data: a digest two runs (or two engines) can compare, and a
row-level diff."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from dslgen.sql.schema import Column, DbSchema, Table


@dataclass(frozen=True)
class RowChange:
    table: str
    key: tuple
    before: dict | None  # None: the row was added
    after: dict | None  # None: the row was removed

    def to_json(self) -> dict:
        return {"table": self.table, "key": list(self.key), "before": self.before, "after": self.after}


def _number(value: Any) -> float:
    return round(float(value), 9) + 0.0  # + 0.0 turns -0.0 into 0.0


# one spelling per value whatever the engine: booleans as bool, numbers to 1e-9
_CONVERT = {"boolean": bool, "number": _number, "integer": int}


def normalize(value: Any, column: Column) -> Any:
    fn = _CONVERT.get(column.json_type)
    return value if value is None or fn is None else fn(value)


def normalized_rows(schema: DbSchema, table: str, rows: list[dict]) -> list[dict]:
    cols = schema.table(table).columns
    fixes = [(c.name, _CONVERT[c.json_type]) for c in cols if c.json_type in _CONVERT]
    for r in rows:
        for name, fn in fixes:
            if r[name] is not None:
                r[name] = fn(r[name])
    return rows


def digest(schema: DbSchema, dump: dict[str, list[dict]]) -> str:
    """Rows come in primary-key order (code-point order for text on both engines)."""
    return combined(schema, {t.name: table_digest(t, dump[t.name]) for t in schema.tables})


def table_digest(table: Table, rows: list[dict]) -> str:
    """One table's rows, as read (in primary-key order) or dumped: each a list of its
    values in column order, normalized as `normalized_rows` does."""
    names = table.column_names
    fixes = [(i, _CONVERT[c.json_type]) for i, c in enumerate(table.columns) if c.json_type in _CONVERT]
    values = []
    for r in rows:
        row = [r[n] for n in names]
        for i, fix in fixes:
            if row[i] is not None:
                row[i] = fix(row[i])
        values.append(row)
    return hashlib.sha256(json.dumps(values, default=float).encode()).hexdigest()  # default: a Decimal


def first_digest(schema: DbSchema, dump: dict[str, list[dict]]) -> str:
    """The digest as dialogues made before 2026-12-01 recorded it (every table's rows as
    sorted-key JSON, in one hash): so their states still check out when validated again."""
    h = hashlib.sha256()
    for table in schema.tables:
        h.update(table.name.encode() + b"\n")
        h.update(json.dumps(dump[table.name], sort_keys=True).encode())
    return h.hexdigest()


def combined(schema: DbSchema, tables: dict[str, str]) -> str:
    """The state's digest from each table's: a table left alone keeps the digest it had."""
    return hashlib.sha256("".join(f"{t.name}\n{tables[t.name]}\n" for t in schema.tables).encode()).hexdigest()


def diff(schema: DbSchema, before: dict[str, list[dict]], after: dict[str, list[dict]]) -> list[RowChange]:
    out = []
    for table in (t for t in schema.tables if t.name in after):  # a dump may hold some tables only
        keyf = _key_fn(table.primary_key or tuple(table.column_names))
        old = {keyf(r): r for r in before[table.name]}
        new = {keyf(r): r for r in after[table.name]}
        for k in sorted(old.keys() | new.keys(), key=repr):
            if old.get(k) != new.get(k):
                out.append(RowChange(table.name, k, old.get(k), new.get(k)))
    return out


def _key_fn(columns: tuple[str, ...]):
    return lambda row: tuple(row[c] for c in columns)
