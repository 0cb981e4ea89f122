"""Arguments for a tool call taken from seed rows: a parameter named like a column gets a
value of that column (from the tables the tool's SQL reads, first), an enum its first value.
Used to build starter tasks for imported tools and to exercise every tool of a domain."""
from __future__ import annotations

import re
from typing import Any

from dslgen.authoring.starter_tools import singular

_TABLES = re.compile(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_FALLBACK = {"string": "x", "integer": 1, "number": 1.0, "boolean": True, "array": []}


def tables_read(sql_texts: list[str]) -> list[str]:
    """Table names the SQL names, in order of first mention."""
    out: list[str] = []
    for text in sql_texts:
        for name in _TABLES.findall(text):
            if name.lower() not in out:
                out.append(name.lower())
    return out


def seed_arguments(parameters_schema: dict, sql_texts: list[str], rows: dict[str, list[dict]],
                   row_index: int = 0) -> dict[str, Any]:
    """Arguments for every required parameter (and for optional ones the seed can fill)."""
    preferred = tables_read(sql_texts)
    order = preferred + [t for t in rows if t not in preferred]
    required = set(parameters_schema.get("required", []))
    out: dict[str, Any] = {}
    for name, schema in parameters_schema.get("properties", {}).items():
        value = _from_seed(name, order, rows, row_index)
        if "enum" in schema:
            value = schema["enum"][0]
        if value is None and "pattern" in schema:
            value = _matching(schema["pattern"], rows)
        if value is None and name in required:
            value = _FALLBACK.get(_type(schema), "x")
        if value is not None:
            out[name] = value
    return out


def _from_seed(param: str, tables: list[str], rows: dict[str, list[dict]], row_index: int) -> Any:
    for table in tables:
        column = param if any(param in r for r in rows.get(table, [])[:1]) else \
            "id" if param == f"{singular(table)}_id" and any("id" in r for r in rows.get(table, [])[:1]) else None
        if column is None:
            continue
        values = [r[column] for r in rows[table] if r.get(column) is not None]
        if values:
            return values[min(row_index, len(values) - 1)]
    return None


def _matching(pattern: str, rows: dict[str, list[dict]]) -> str | None:
    """A piece of a seed value that fits the pattern (e.g. '15:00' out of '2024-08-17 15:00')."""
    inner = re.compile(pattern.removeprefix("^").removesuffix("$"))
    for table_rows in rows.values():
        for row in table_rows:
            for v in row.values():
                found = inner.search(v) if isinstance(v, str) else None
                if found and inner.fullmatch(found.group(0)):
                    return found.group(0)
    return None


def _type(schema: dict) -> str:
    t = schema.get("type", "string")
    return next((x for x in t if x != "null"), "string") if isinstance(t, list) else t
