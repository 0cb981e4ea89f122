"""The pipeline's order: each stage's input files are made by a stage before it, once."""
from __future__ import annotations

from dslgen.compiler.context import CheckContext
from dslgen.compiler.pipeline import order_problems


def check(ctx: CheckContext) -> None:
    for problem in order_problems(ctx.spec.pipeline):
        message = problem.message
        if problem.other is not None and problem.other >= 0:
            span = ctx.sources.span(("pipeline", problem.other))
            message += f" (line {span.line})" if span else ""
        ctx.error(problem.code, message, ("pipeline", problem.index), problem.hint)
