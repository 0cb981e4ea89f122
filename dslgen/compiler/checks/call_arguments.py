"""DSL308: arguments written in the spec fit their tool's parameters: an expected call's
arguments (a subset: each given one is checked) and a start-state call's (the call runs
before the dialogue, so its required arguments must be there too)."""
from __future__ import annotations

import json
import re

from jsonschema import Draft202012Validator, SchemaError

from dslgen.compiler.context import CheckContext
from dslgen.sql import parameters_schema


def check(ctx: CheckContext) -> None:
    schemas = _schemas(ctx)
    for i, task in enumerate(ctx.spec.domain.tasks):
        for j, call in enumerate(task.rubric.expected_calls):
            path = ("domain", "tasks", i, "rubric", "expected_calls", j)
            _check_call(ctx, schemas.get(call.tool), call, path, complete=False)
    for s, stage in enumerate(ctx.spec.pipeline):
        start = getattr(stage, "start", None)
        for j, call in enumerate(start.calls if start else []):
            _check_call(ctx, schemas.get(call.tool), call, ("pipeline", s, "start", "calls", j), complete=True)


class _Params:
    """A tool's argument schema with one validator per parameter."""

    def __init__(self, schema: dict):
        self.required = schema["required"]
        self.props = schema["properties"]
        self.validators = {n: Draft202012Validator(p) for n, p in self.props.items()}


def _schemas(ctx: CheckContext) -> dict[str, _Params]:
    """Each tool's parameters; a tool whose schema is itself broken (a bad pattern or items,
    reported on its own) or whose name is not unique is left out."""
    names = [t.name for t in ctx.spec.domain.tools]
    out = {}
    for tool in ctx.spec.domain.tools:
        schema = parameters_schema(tool)
        if names.count(tool.name) == 1 and _usable(schema):
            out[tool.name] = _Params(schema)
    return out


def _usable(schema: dict) -> bool:
    try:
        Draft202012Validator.check_schema(schema)
        for prop in schema["properties"].values():
            re.compile(prop.get("pattern", ""))
    except (SchemaError, re.error):  # the parameter checks report it
        return False
    return True


def _check_call(ctx: CheckContext, params: _Params | None, call, path: tuple, *, complete: bool) -> None:
    if params is None:
        return  # an unknown tool: DSL301/DSL307
    for name, value in call.arguments.items():
        if name in params.props:
            for error in params.validators[name].iter_errors(value):
                ctx.error("DSL308", f"{call.tool}: argument '{name}' = {json.dumps(value)[:60]}: {error.message}",
                          path + ("arguments", name) + tuple(error.path), _hint(params.props[name]))
                break
    missing = [n for n in params.required if n not in call.arguments] if complete else []
    if missing:
        ctx.error("DSL308", f"{call.tool}: missing required argument(s) {', '.join(missing)}", path + ("arguments",),
                  "a start-state call runs before the dialogue: give every required argument", key=True)


def _hint(prop: dict) -> str:
    if "enum" in prop:
        return "allowed: " + ", ".join(json.dumps(v) for v in prop["enum"])
    if "pattern" in prop:
        return f"it must match {prop['pattern']}"
    return f"the parameter is of type {prop.get('type')}"
