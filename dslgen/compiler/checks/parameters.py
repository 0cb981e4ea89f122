"""Tool parameters describe values a call can have (DSL601, DSL603, DSL604): a `pattern` is
a regular expression, `items` a JSON Schema, every `enum` value fits the type. Otherwise
calls would be checked against a broken schema only at run time."""
from __future__ import annotations

import re

import jsonschema

from dslgen.compiler.context import CheckContext

_JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list}


def check(ctx: CheckContext) -> None:
    for i, tool in enumerate(ctx.spec.domain.tools):
        for name, param in tool.parameters.items():
            path = ("domain", "tools", i, "parameters", name)
            _pattern(ctx, tool.name, name, param.pattern, path + ("pattern",))
            _items(ctx, tool.name, name, param.items, path + ("items",))
            _enum(ctx, tool.name, name, param, path + ("enum",))


def _pattern(ctx: CheckContext, tool: str, name: str, pattern: str | None, path: tuple) -> None:
    if pattern is None:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        col = (exc.pos or 0) + 1
        ctx.error_in("DSL601", f"{tool}: the pattern of '{name}' is not a regular expression: {exc.msg}",
                     path, 1, col, 1, "write a regular expression (JSON Schema `pattern`), e.g. ^#W[0-9]+$")


def _items(ctx: CheckContext, tool: str, name: str, items: dict | None, path: tuple) -> None:
    if items is None:
        return
    try:
        jsonschema.Draft202012Validator.check_schema(items)
    except jsonschema.SchemaError as exc:
        ctx.error("DSL603", f"{tool}: 'items' of '{name}' is not a JSON Schema: {exc.message}",
                  path + tuple(exc.path), "e.g. items: {type: string}")


def _enum(ctx: CheckContext, tool: str, name: str, param, path: tuple) -> None:
    for j, value in enumerate(param.enum or []):
        if not fits(value, param.type):
            ctx.error("DSL604", f"{tool}: enum value {value!r} of '{name}' is not of type {param.type}",
                      path + (j,), f"every allowed value must be of the parameter's type ({param.type})")


def fits(value, json_type: str) -> bool:
    """Whether a YAML value has a JSON Schema type (a boolean is not a number)."""
    if isinstance(value, bool):
        return json_type == "boolean"
    return isinstance(value, _JSON_TYPES[json_type])
