"""DSL400/DSL411/DSL412/DSL415: schema.sql parses and holds only declarations of the
domain's own tables, each problem at its line and column in the file."""
from __future__ import annotations

from dslgen.compiler.context import CheckContext
from dslgen.sql.schema_rules import schema_problems

_SYNTAX_HINT = "the schema is written in SQLite's dialect"


def check(ctx: CheckContext) -> None:
    for p in schema_problems(ctx.spec.domain.schema_sql):
        message = f"schema.sql {p.message}" if p.code == "DSL400" else p.message
        ctx.error_in(p.code, message, ("domain", "schema_sql"), p.line, p.col, p.length,
                     p.hint or (_SYNTAX_HINT if p.code == "DSL400" else None))
