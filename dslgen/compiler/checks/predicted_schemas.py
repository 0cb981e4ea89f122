"""DSL309: a simulated tool that declares no output_schema gets one predicted by the
generator model in the return_schemas stage, so that stage must come before the stages that
play the tool (simulate) or check its outputs (validate)."""
from __future__ import annotations

from dslgen.compiler.context import CheckContext

_USERS = ("simulate", "validate")


def check(ctx: CheckContext) -> None:
    kinds = [s.stage for s in ctx.spec.pipeline]
    first_user = next((i for i, k in enumerate(kinds) if k in _USERS), None)
    predicted = "return_schemas" in kinds and (first_user is None or kinds.index("return_schemas") < first_user)
    if predicted:
        return
    for i, tool in enumerate(ctx.spec.domain.tools):
        if tool.simulated is not None and tool.simulated.output_schema is None:
            ctx.error("DSL309", f"tools[{i}] {tool.name}: a simulated tool with no output_schema needs a "
                      "return_schemas stage before simulate, which predicts one", ("domain", "tools", i, "simulated"),
                      "add `- stage: return_schemas` before `- stage: simulate`, or declare output_schema")
