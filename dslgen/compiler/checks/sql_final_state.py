"""DSL401-DSL406 for tasks: each `final_state` check is one read-only SELECT over known
tables and columns, reported at its place in tasks.yaml (as a tool's SQL is)."""
from __future__ import annotations

from dslgen.compiler.context import CheckContext
from dslgen.sql import analysis as an


def check(ctx: CheckContext) -> None:
    if ctx.db_schema is None:
        return  # schema.sql failed: DSL400 says why
    for i, task in enumerate(ctx.spec.domain.tasks):
        for j, state in enumerate(task.rubric.final_state):
            path = ("domain", "tasks", i, "rubric", "final_state", j, "sql")
            for p in an.query_problems(state.sql, ctx.db_schema):
                ctx.error_in(p.code, f"task '{task.id}': {p.message}", path, p.line, p.col, p.length, p.hint)
