"""References between parts of a spec: rubric → tools and parameters, task → persona/task."""
from __future__ import annotations

from dslgen.compiler.context import CheckContext
from dslgen.errors import did_you_mean


def _tool_params(ctx: CheckContext) -> dict[str, set[str] | None]:
    """Each tool's parameter names; None for a name two tools share (DSL201 reports it, and
    which of them a call means is unknown)."""
    out: dict[str, set[str] | None] = {}
    for t in ctx.spec.domain.tools:
        out[t.name] = None if t.name in out else set(t.parameters)
    return out


def _check_calls(ctx: CheckContext, i: int, task, tools: dict[str, set[str]]) -> None:
    for j, call in enumerate(task.rubric.expected_calls):
        path = ("domain", "tasks", i, "rubric", "expected_calls", j)
        if call.tool not in tools:
            ctx.error("DSL301", f"task '{task.id}' expects unknown tool '{call.tool}'", path + ("tool",),
                      did_you_mean(call.tool, tools) or "declare it in the domain's tools.yaml")
            continue
        for arg in call.arguments if tools[call.tool] is not None else ():
            if arg not in tools[call.tool]:
                ctx.error("DSL302", f"tool '{call.tool}' has no parameter '{arg}'",
                          path + ("arguments", arg), did_you_mean(arg, tools[call.tool])
                          or f"its parameters: {', '.join(sorted(tools[call.tool])) or 'none'}", key=True)


def _check_links(ctx: CheckContext, i: int, task, personas: set[str], task_ids: list[str]) -> None:
    path = ("domain", "tasks", i)
    if task.persona is not None and task.persona not in personas:
        ctx.error("DSL303", f"unknown persona '{task.persona}'", path + ("persona",),
                  did_you_mean(task.persona, personas) or "declare it under user_simulator.personas")
    if task.follows is not None and task.follows not in task_ids[:i]:
        reason = "itself" if task.follows == task.id else f"unknown or later task '{task.follows}'"
        ctx.error("DSL304", f"task '{task.id}' follows {reason}", path + ("follows",),
                  did_you_mean(task.follows, task_ids[:i]) or "name an earlier task in tasks.yaml")


def _check_start(ctx: CheckContext, tools: dict[str, set[str]]) -> None:
    for s, stage in enumerate(ctx.spec.pipeline):
        start = getattr(stage, "start", None)
        for j, call in enumerate(start.calls if start else []):
            path = ("pipeline", s, "start", "calls", j)
            if call.tool not in tools:
                ctx.error("DSL307", f"start state calls unknown tool '{call.tool}'", path + ("tool",),
                          did_you_mean(call.tool, tools) or "name a tool of the domain")
            elif tools[call.tool] is not None:
                for arg in sorted(set(call.arguments) - tools[call.tool]):
                    ctx.error("DSL302", f"tool '{call.tool}' has no parameter '{arg}'",
                              path + ("arguments", arg), did_you_mean(arg, tools[call.tool]), key=True)


def check(ctx: CheckContext) -> None:
    tools = _tool_params(ctx)
    personas = {p.name for p in ctx.spec.user_simulator.personas}
    task_ids = [t.id for t in ctx.spec.domain.tasks]
    for i, task in enumerate(ctx.spec.domain.tasks):
        _check_calls(ctx, i, task, tools)
        _check_links(ctx, i, task, personas, task_ids)
    _check_start(ctx, tools)
