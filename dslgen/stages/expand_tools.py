"""expand_tools: the generator model proposes tools the toolset lacks (the paper's tool
preparation). A proposal is admitted only when it passes every check a hand-written tool
passes and runs on the seed data with sampled arguments (dslgen/synthesis/tool_expansion.py).
Admitted tools are written as proposed_tools.yaml, a tools.yaml fragment for a person to
review and commit; they do not join this run's toolset. The others go to
proposed_tools.rejected.jsonl with their diagnostics."""
from __future__ import annotations

from dslgen.backends import make_backend
from dslgen.errors import RunError
from dslgen.output.jsonl import write_atomic, write_jsonl
from dslgen.plan import ExpandToolsStage
from dslgen.plan.artifacts import PROPOSED_TOOLS, PROPOSED_TOOLS_REJECTED
from dslgen.sim.database import open_database
from dslgen.stages import StageContext, StageResult
from dslgen.synthesis.artifacts import tools_yaml
from dslgen.synthesis.tool_expansion import expand_tools

HEADER = """Tools proposed by the generator model for the {domain} domain and admitted by dslgen: each
passed every check of a hand-written tool and ran on the seed data with sampled arguments.
Review them before adding them to the domain's tools.yaml. {summary}."""


def run(stage: ExpandToolsStage, ctx: StageContext) -> StageResult:
    plan = ctx.plan
    backend = make_backend(plan.models["generator"], "generator")
    result = expand_tools(plan, backend, open_database(plan), stage.proposals,
                          rows_per_table=stage.rows_per_table, samples=stage.samples)
    header = HEADER.format(domain=plan.domain, summary=result.summary("proposed tools"))
    write_atomic(ctx.folder / PROPOSED_TOOLS, [tools_yaml(result.admitted, header).encode("utf-8")])
    write_jsonl(ctx.folder / PROPOSED_TOOLS_REJECTED, (r.to_json() for r in result.rejected))
    if result.fault is not None:
        raise RunError(f"expand_tools: the generator stopped: {result.fault}",
                       hint=getattr(result.fault, "hint", None) or "rerun when the model server is back")
    return StageResult(stage.kind, [f"expand_tools: {result.summary('proposed tools')}; admitted ones in "
                                    f"{PROPOSED_TOOLS}, the others in {PROPOSED_TOOLS_REJECTED}"],
                       {"admitted": len(result.admitted), "rejected": len(result.rejected),
                        "rejected_by_reason": result.by_reason()})
