"""What a generator model may see of the data, and values to call a proposed tool with.

The paper's "limited data views": a few rows per table, picked with a seeded generator, so a
proposal is grounded in ids that exist without the model seeing the whole database.
"""
from __future__ import annotations

import random
from typing import Any


def table_rows(session, table, limit: int, rng: random.Random) -> list[dict]:
    """Up to `limit` rows of a table at seeded positions, in key order."""
    total = session.query(f"SELECT COUNT(*) AS n FROM {table.name}")[0]["n"]
    order = ", ".join(table.primary_key or table.column_names)
    offsets = sorted(rng.sample(range(total), min(limit, total)))
    return [session.query(f"SELECT * FROM {table.name} ORDER BY {order} LIMIT 1 OFFSET {k}")[0] for k in offsets]


def data_view(session, rows_per_table: int, rng: random.Random) -> dict[str, list[dict]]:
    """table name → a few of its rows."""
    return {t.name: table_rows(session, t, rows_per_table, rng) for t in session.schema.tables}


class ArgumentSampler:
    """Arguments for a tool, drawn from the data: a parameter named like a column takes a value
    of that column (preferring the table whose key it is), a list one such value, an enum one
    of its values; anything else a plain value of its type."""

    def __init__(self, session, rng: random.Random):
        self.session, self.rng = session, rng

    def arguments(self, parameters_schema: dict) -> dict[str, Any]:
        props = parameters_schema.get("properties", {})
        return {name: self.value(name, prop) for name, prop in props.items()}

    def value(self, name: str, prop: dict) -> Any:
        if "enum" in prop:
            return self.rng.choice(prop["enum"])
        if prop.get("type") == "array":
            item = self.value(name[:-1] if name.endswith("s") else name, prop.get("items") or {"type": "string"})
            return [item]
        found = self._column_value(name)
        if found is not None:
            return found
        return {"integer": 1, "number": 1.0, "boolean": True}.get(prop.get("type"), "a")

    def _column_value(self, name: str) -> Any:
        table = self._table_with(name)
        if table is None:
            return None
        rows = table_rows(self.session, table, 1, self.rng)
        return rows[0][name] if rows else None

    def _table_with(self, column: str):
        tables = [t for t in self.session.schema.tables if column in t.column_names]
        keyed = [t for t in tables if t.primary_key == (column,)]
        return (keyed or tables or [None])[0]
