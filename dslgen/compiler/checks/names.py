"""Names that must be unique: tools, tasks, personas."""
from __future__ import annotations

from dslgen.compiler.context import CheckContext


def _duplicates(ctx: CheckContext, items, path: tuple, field: str, code: str, what: str) -> None:
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        name = getattr(item, field)
        if name in first:
            ctx.error(code, f"duplicate {what} '{name}'", path + (i, field),
                      f"{what} #{first[name] + 1} already uses this name; rename one")
        else:
            first[name] = i


def check(ctx: CheckContext) -> None:
    spec = ctx.spec
    _duplicates(ctx, spec.domain.tools, ("domain", "tools"), "name", "DSL201", "tool name")
    _duplicates(ctx, spec.domain.tasks, ("domain", "tasks"), "id", "DSL202", "task id")
    _duplicates(ctx, spec.user_simulator.personas, ("user_simulator", "personas"), "name", "DSL203", "persona")
