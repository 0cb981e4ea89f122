"""Shared entities (the same name in several tools, e.g. `user_id`) have one JSON type, as
DSL407 demands of hand-written tools; predicted return schemas are held to the same rule."""
from __future__ import annotations

from typing import Iterable, Iterator

from dslgen.sql.types import json_type, schema_fields


def scalar_types(schema: dict) -> Iterator[tuple[str, str]]:
    """(name, type) of each scalar field (objects and lists are not entities)."""
    for name, sub in schema_fields(schema):
        typ = json_type(sub)
        if isinstance(typ, str) and typ not in ("object", "array"):
            yield name, typ


def entity_types(tools: Iterable) -> dict[str, str]:
    """name → JSON type of every parameter and returned field of these compiled tools."""
    types: dict[str, str] = {}
    for tool in tools:
        for name, typ in [*scalar_types(tool.parameters_schema), *scalar_types(tool.return_schema or {})]:
            types.setdefault(name, typ)
    return types


def conflicts(schema: dict, types: dict[str, str]) -> list[str]:
    """How `schema` types a shared entity differently from `types`."""
    return [f"'{name}' is {typ} here but {types[name]} in the other tools"
            for name, typ in scalar_types(schema) if name in types and types[name] != typ]
