"""DSL407: a shared entity (a parameter or document field such as `user_id`) has one JSON type
across all tools."""
from __future__ import annotations

from dslgen.compiler.checks.sql_report import sql_tools
from dslgen.compiler.context import CheckContext
from dslgen.sql import ToolCompileError, compile_tool
from dslgen.sql.types import json_type


def check(ctx: CheckContext) -> None:
    first: dict[str, tuple[str, str]] = {}  # entity → (type, where it was first seen)
    for i, tool in sql_tools(ctx):
        for name, typ, role, path in _entities(ctx, i, tool):
            where = f"{role} of '{tool.name}'"
            if name not in first:
                first[name] = (typ, where)
            elif first[name][0] != typ:
                ctx.error("DSL407", f"tools[{i}] {tool.name}: '{name}' is {typ} here ({where}) but "
                          f"{first[name][0]} as the {first[name][1]}", path,
                          f"give '{name}' one type in every tool")


def _entities(ctx: CheckContext, i: int, tool):
    base = ("domain", "tools", i)
    for name, p in tool.parameters.items():
        yield name, p.type, "parameter", base + ("parameters", name)
    if ctx.db_schema is None:
        return
    try:
        compiled = compile_tool(tool, ctx.db_schema)
    except ToolCompileError:
        return  # other checks report why
    for name, schema in _fields(compiled.return_schema):
        typ = json_type(schema)
        if isinstance(typ, str) and typ not in ("object", "array"):
            yield name, typ, "returned field", base + ("returns",)


def _fields(schema: dict):
    """(property name, schema) of every object property in a JSON Schema tree."""
    for name, sub in (schema.get("properties") or {}).items():
        yield name, sub
        yield from _fields(sub)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _fields(schema[key])
