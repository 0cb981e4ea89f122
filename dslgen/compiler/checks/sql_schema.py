"""DSL400: schema.sql must parse; the error sits at its line and column in the file."""
from __future__ import annotations

from dslgen.compiler.context import CheckContext
from dslgen.sql import SchemaSyntaxError, parse_schema


def check(ctx: CheckContext) -> None:
    if ctx.db_schema is not None or ctx.spec is None:
        return
    try:
        parse_schema(ctx.spec.domain.schema_sql)
    except SchemaSyntaxError as e:
        ctx.error_in("DSL400", f"schema.sql does not parse: {e.message}", ("domain", "schema_sql"),
                     e.line, e.col, e.length, "the schema is written in SQLite's dialect")
