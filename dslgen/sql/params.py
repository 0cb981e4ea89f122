"""A tool's parameters: the JSON Schema of its arguments, and its lists as tables.

A list parameter is a table inside the tool's SQL: `xs(pos, value)` for a list of scalars,
`xs(pos, <property>, …)` for a list of objects, `pos` counting from 0. Its columns are typed
by the item schema, so they are checked and rendered like any table's columns. A `let` with
`rows` is a table of the same kind, filled from a query instead of the arguments.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from dslgen.sql.problems import Problem

SCALARS = ("string", "integer", "number", "boolean")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class ListTable:
    """A list bound as JSON text and read as a table."""

    name: str
    columns: tuple[tuple[str, dict], ...]  # (column, JSON Schema), `pos` first
    objects: bool  # items are objects (a column per property), else scalars (`value`)

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns]

    def column_types(self) -> dict[str, dict]:
        return dict(self.columns)


def parameters_schema(tool) -> dict:
    """JSON Schema of a call's arguments (what the agent's constraint uses)."""
    props = {}
    for name, p in tool.parameters.items():
        prop = {"type": p.type}
        if p.description:
            prop["description"] = p.description
        for key in ("enum", "pattern", "maxLength", "maxItems", "items"):
            if getattr(p, key) is not None:
                prop[key] = getattr(p, key)
        if p.type == "array" and "items" not in prop:
            prop["items"] = {"type": "string"}
        if p.type == "array" and prop["items"].get("type") == "object":
            prop["items"] = {"additionalProperties": False, **prop["items"]}
        props[name] = prop
    required = [n for n, p in tool.parameters.items() if p.required]
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def scalar_params(tool) -> dict[str, dict]:
    """Parameters read as :name, with their JSON Schema."""
    return {n: {"type": p.type} for n, p in tool.parameters.items() if p.type != "array"}


def list_tables(tool) -> tuple[dict[str, ListTable], list[tuple[tuple, Problem]]]:
    """The tool's list parameters as tables, and what is wrong with their item schemas."""
    out, problems = {}, []
    for name, p in tool.parameters.items():
        if p.type != "array":
            continue
        table, why = list_table(name, p.items or {"type": "string"})
        if why is not None:
            problems.append((("parameters", name, "items"), why))
        out[name] = table
    return out, problems


def list_table(name: str, items: dict) -> tuple[ListTable, Problem | None]:
    kind = items.get("type")
    if kind in SCALARS:
        return ListTable(name, (("pos", {"type": "integer"}), ("value", {"type": kind})), False), None
    if kind != "object":
        return _scalar_fallback(name), Problem(
            "DSL413", f"list '{name}': items are {kind or 'untyped'}; a list holds scalars or objects",
            hint="items: {type: string} or items: {type: object, properties: {…}}")
    return _object_table(name, items)


def rows_table(name: str, columns: dict[str, dict]) -> ListTable:
    """The table a `let` with `rows` becomes: its query's columns, after `pos`."""
    return ListTable(name, (("pos", {"type": "integer"}),) + tuple(columns.items()), True)


def _object_table(name: str, items: dict) -> tuple[ListTable, Problem | None]:
    required = set(items.get("required") or [])
    columns, problem = [("pos", {"type": "integer"})], None
    for prop, schema in (items.get("properties") or {}).items():
        kind = schema.get("type") if isinstance(schema, dict) else None
        if kind not in SCALARS or not _IDENT.match(prop) or prop == "pos":
            problem = problem or Problem(
                "DSL413", f"list '{name}': item property '{prop}' cannot be a column",
                hint="properties are named like SQL columns (not 'pos') and are string, integer, number or boolean")
            continue
        columns.append((prop, {"type": kind} if prop in required else {"type": [kind, "null"]}))
    if len(columns) == 1:
        problem = problem or Problem("DSL413", f"list '{name}': the item object declares no properties",
                                     hint="items: {type: object, properties: {flight_number: {type: string}}}")
    return ListTable(name, tuple(columns), True), problem


def _scalar_fallback(name: str) -> ListTable:
    return ListTable(name, (("pos", {"type": "integer"}), ("value", {})), False)
