"""validate: every dialogue of dialogues.jsonl is accepted or rejected, with its reasons.

Streams the dialogues once. For each: the quality filters (cheap, before any judge call);
the final database state rebuilt by replaying the recorded calls on a fresh copy of the
seed data (SQL is deterministic; simulated tools never touch the database) and checked
against the outputs and the state digest the simulation recorded; then the rubric of the
tasks as tasks.jsonl has them now (an edited rubric applies to dialogues made before it).
Writes validated.jsonl (every dialogue with its result, what the export reads), rejected.jsonl
(the ones that failed, with their reason codes), report.json and stats.json; accepted +
rejected = generated, always.
"""
from __future__ import annotations

from dslgen.backends import make_backend
from dslgen.errors import RunError
from dslgen.execute import RunOptions, judge_concurrency
from dslgen.execute.local import ordered_map
from dslgen.execute.progress import Progress, Verdicts
from dslgen.output.jsonl import JsonlWriter, iter_jsonl, write_json
from dslgen.plan import Plan, ValidateStage
from dslgen.plan.artifacts import DIALOGUES, REJECTED, REPORT, STATS, TASKS, VALIDATED
from dslgen.sim.database import apply_start_calls, open_database
from dslgen.sim.dialogue import RECORD_KEYS, VALIDATED_KEYS, Dialogue
from dslgen.stages import StageContext, StageResult
from dslgen.stages.generate_tasks import read_tasks
from dslgen.stages.return_schemas import with_predicted_schemas
from dslgen.validate.filters import FilterContext, tripped
from dslgen.validate.judge import Judge
from dslgen.validate.report import Report
from dslgen.validate.result import STATE_MISMATCH, UNKNOWN_TASK, Category, Item, ValidationResult
from dslgen.validate.rubric import validate


class _Checker:
    """Decides one dialogue at a time; built once per stage run."""

    def __init__(self, plan: Plan, stage: ValidateStage, tasks):
        self.plan, self.stage = plan, stage
        self.tasks = {t.id: t for t in tasks}
        self.filters = FilterContext(plan.prompts, plan.write_tools)
        self.seed_db = open_database(plan)
        self.judge = _judge(plan, stage, tasks)

    def check(self, d: Dialogue) -> ValidationResult:
        prior = self._current_tasks(d)
        prior += [Item(None, code, why, Category.CRITICAL, False) for code, why in
                  tripped(d, self.stage.filters, self.filters)]
        with self.seed_db.fork() as db:
            why = replay_state(self.plan, d, db)
            if why:
                prior.append(Item(None, STATE_MISMATCH, why, Category.CRITICAL, False))
            judge = None if prior else self.judge  # a filtered dialogue costs no judge call
            return validate(self.plan, d, db, judge, prior)

    def _current_tasks(self, d: Dialogue) -> list[Item]:
        """Give each task run the task as the tasks file has it now."""
        unknown = []
        for run in d.tasks:
            if run.task.id in self.tasks:
                run.task = self.tasks[run.task.id]
            else:
                unknown.append(Item(run.task.id, UNKNOWN_TASK, f"task '{run.task.id}' is not in {TASKS}",
                                    Category.CRITICAL, False))
        return unknown


def run(stage: ValidateStage, ctx: StageContext) -> StageResult:
    plan = with_predicted_schemas(ctx.plan, ctx.folder)
    checker = _Checker(plan, stage, read_tasks(plan, ctx.folder / TASKS))
    options = ctx.options or RunOptions()
    report = Report()
    shown = Progress(Verdicts(_count(ctx.folder / DIALOGUES)), enabled=ctx.progress and not options.quiet,
                     log_format=options.log_format)
    with JsonlWriter(ctx.folder / VALIDATED) as validated, JsonlWriter(ctx.folder / REJECTED) as rejected, shown:
        for record, d, result in _decided(ctx, checker):
            report.add(d, result)
            validated.write({**record, "validation": result.to_json()})
            if not result.valid:
                rejected.write({**record, "validation": result.to_json()})
            shown.add((d.id, result.valid, result.reasons))
            if d.fault is not None:  # the judge's server failed: nothing half-judged is kept
                raise RunError(f"validate stopped at {d.id}: {d.fault}",
                               hint="the dialogues are kept; rerun to validate them")
    write_json(ctx.folder / REPORT, report.to_json())
    write_json(ctx.folder / STATS, report.table_generated.to_json())
    return StageResult(stage.kind, report.summary(), {"accepted": report.accepted, "rejected": report.rejected,
                                                      "generated": report.generated}, report)


def _decided(ctx: StageContext, checker: _Checker):
    """(record, dialogue, result) in the log's order; with a judge on a model server, the
    judge calls of several dialogues are in flight at once."""
    earlier = _earlier_results(ctx) if ctx.reuse else {}

    def decide(record: dict) -> tuple[Dialogue, ValidationResult]:
        d = Dialogue.from_json(record)
        return d, earlier.get(d.id) or checker.check(d)

    in_flight = judge_concurrency(ctx.plan, ctx.options) if checker.judge else 1
    for record, (d, result) in ordered_map(decide, iter_jsonl(ctx.folder / DIALOGUES, RECORD_KEYS), in_flight):
        yield record, d, result


def _count(path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.endswith(b"\n"))


def replay_state(plan: Plan, d: Dialogue, db) -> str | None:
    """Rebuild the dialogue's final state on `db` (a fresh copy of the seed data); why it
    does not match what the simulation recorded, or None."""
    try:
        apply_start_calls(plan, db, d.start_calls)
    except RunError as exc:
        return f"the start state cannot be rebuilt: {exc}"
    for call in d.calls:
        if call.simulated:
            continue
        tool = plan.tool(call.name)
        if tool is None:
            return f"tool '{call.name}' is no longer in the domain"
        if db.call(tool, call.arguments).output != call.output:
            return f"{call.call_id} ({call.name}) gives another output now"
    recorded = d.provenance.get("state_digest")
    if recorded is not None and db.digest() != recorded and db.first_digest() != recorded:
        return "the replayed calls give another final state than the one recorded"
    return None


def _judge(plan: Plan, stage: ValidateStage, tasks) -> Judge | None:
    """The checkpoint judge, when the stage wants one and some task has checkpoints."""
    if not stage.judge or not any(t.rubric.checkpoints for t in tasks):
        return None
    return Judge.on_first_use(lambda: make_backend(plan.models["judge"], "judge"), plan.prompts["judge"])


def _earlier_results(ctx: StageContext) -> dict[str, ValidationResult]:
    """Results of an earlier run of this stage with the same digest, by dialogue id."""
    return {r["id"]: ValidationResult.from_json(r["validation"])
            for r in iter_jsonl(ctx.folder / VALIDATED, VALIDATED_KEYS)}
