"""export: the dataset in each of the stage's formats, from validated.jsonl.

The writers are dslgen/export's (one folder per format, splits, the dataset card, the
domain's licence files beside the data); this stage feeds them the validated records and
saves export.json, so `dslgen export DIR` can redo it later without the spec.
"""
from __future__ import annotations

from dslgen.export.context import context_from_plan
from dslgen.export.context import save as save_context
from dslgen.export.folder import export_records
from dslgen.output.jsonl import iter_jsonl
from dslgen.plan import ExportStage
from dslgen.plan.artifacts import VALIDATED
from dslgen.sim.dialogue import VALIDATED_KEYS
from dslgen.stages import StageContext, StageResult


def run(stage: ExportStage, ctx: StageContext) -> StageResult:
    context = context_from_plan(ctx.plan)
    save_context(context, ctx.folder.path)
    records = list(iter_jsonl(ctx.folder / VALIDATED, VALIDATED_KEYS))
    exported = export_records(records, context, ctx.folder.path, [VALIDATED])
    sft = [w for w in exported.written if w.format not in ("kto", "dpo")]
    kept = max((w.total for w in sft), default=0)
    lines = [f"export: {w.format} {w.total} row(s) in {ctx.folder / w.format}" for w in exported.written]
    lines.append(f"export: dataset card {exported.card}")
    if records and not kept and sft:
        lines.append("export: THE TRAINING DATA IS EMPTY (see the validate summary above, or report.json)")
    return StageResult(stage.kind, lines, {"kept": kept})
