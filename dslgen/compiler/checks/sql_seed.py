"""DSL420-DSL423: the seed files load into the schema (JSON lines, types, NOT NULL, primary
keys, known tables and columns), each problem at its file:line:col. The parsed seed stays on
the context, so compiling does not parse it again."""
from __future__ import annotations

from dslgen.compiler.context import CheckContext
from dslgen.errors import Diagnostic
from dslgen.sql.seed import parse_seed


def check(ctx: CheckContext) -> None:
    if ctx.db_schema is None:
        return  # schema.sql failed: DSL400 says why
    ctx.seed = parse_seed(ctx.spec.domain.seed_files, ctx.db_schema)
    for p in ctx.seed.problems:
        span = ctx.sources.span_in(("domain", "seed", p.file), p.line, p.col, p.length)
        ctx.diagnostics.append(Diagnostic(p.code, p.message, span, p.hint, p.severity))
