"""DSL410: a simulated tool's output_schema is a valid JSON Schema (the model's outputs are
constrained to it and validated against it, so a broken one would fail only mid-run)."""
from __future__ import annotations

import jsonschema

from dslgen.compiler.context import CheckContext

JSON_TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")


def check(ctx: CheckContext) -> None:
    for i, tool in enumerate(ctx.spec.domain.tools):
        if tool.simulated is None or tool.simulated.output_schema is None:
            continue  # none declared: predicted by the return_schemas stage (DSL309 checks there is one)
        schema = tool.simulated.output_schema
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            where = ("domain", "tools", i, "simulated", "output_schema") + tuple(exc.path)
            hint = (f"a type is one of {', '.join(JSON_TYPES)}" if exc.path and exc.path[-1] == "type"
                    else "see https://json-schema.org/understanding-json-schema/")
            ctx.error("DSL410", f"tools[{i}] {tool.name}: output_schema is not a valid JSON Schema: {exc.message}",
                      where, hint)
