"""generate_tasks: the tasks dialogues pursue, written to tasks.jsonl (one task a line).

Tasks come from one or several sources: `hand_written` (the domain's tasks.yaml),
`templates` (its task_templates.yaml: rows of the seed data, no model), `generated` (the
generator model) and `imported` (tasks files, e.g. from `dslgen import tau-bench`), all
carried in the plan. Every task, whatever its source, is admitted by the oracle of
dslgen/synthesis (its calls run on a fresh copy of the seed data, its final-state checks
turn from false to true); the others go to tasks.rejected.jsonl with their reason. A
person may edit tasks.jsonl and start a run from it (`--from`); it is read back with the
same checks as a hand-written task's references.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from pydantic import ValidationError

from dslgen.backends import make_backend
from dslgen.errors import RunError
from dslgen.output.jsonl import iter_jsonl, write_jsonl
from dslgen.plan import GenerateTasksStage, Plan
from dslgen.plan.artifacts import TASKS, TASKS_REJECTED
from dslgen.sim.database import open_database
from dslgen.spec.tasks import TaskSpec
from dslgen.stages import StageContext, StageResult
from dslgen.synthesis.admission import TaskOracle
from dslgen.synthesis.generated_tasks import generate_tasks
from dslgen.synthesis.reasons import Admission, Rejection
from dslgen.synthesis.task_templates import tasks_from_templates


def hand_written(plan: Plan, stage: GenerateTasksStage, db, ctx: StageContext) -> Admission:
    return TaskOracle(plan.tools, db).admit(plan.tasks, "hand_written")


def templates(plan: Plan, stage: GenerateTasksStage, db, ctx: StageContext) -> Admission:
    return tasks_from_templates(plan.task_templates, plan.tools, db, plan.seed)


def generated(plan: Plan, stage: GenerateTasksStage, db, ctx: StageContext) -> Admission:
    backend = make_backend(plan.models["generator"], "generator")
    return generate_tasks(plan, backend, db, stage.generated.proposals, rows_per_table=stage.generated.rows_per_table,
                          id_prefix=f"generated-{ctx.digest[:8]}")  # new inputs, new ids


def imported(plan: Plan, stage: GenerateTasksStage, db, ctx: StageContext) -> Admission:
    tasks = [t for _, file_tasks in plan.imported_tasks for t in file_tasks]
    return TaskOracle(plan.tools, db).admit(tasks, "imported")


SOURCES: dict[str, Callable[..., Admission]] = {
    "hand_written": hand_written, "templates": templates, "generated": generated, "imported": imported}


def run(stage: GenerateTasksStage, ctx: StageContext) -> StageResult:
    db, result, lines, taken = open_database(ctx.plan), Admission(), [], set()
    for source in stage.source:
        admission = SOURCES[source](ctx.plan, stage, db, ctx)
        _reject_taken_ids(admission, source, taken)
        lines.append(f"generate_tasks: {source}: {admission.summary('tasks')}")
        result.extend(admission)
        result.fault = result.fault or admission.fault
    write_jsonl(ctx.folder / TASKS, (t.model_dump(mode="json", exclude_defaults=True) for t in result.admitted))
    write_jsonl(ctx.folder / TASKS_REJECTED, (r.to_json() for r in result.rejected))
    if result.fault is not None:  # what was made is written; the run stops on the server fault
        raise RunError(f"generate_tasks: the generator stopped: {result.fault}",
                       hint=getattr(result.fault, "hint", None) or "rerun when the model server is back")
    lines.append(f"generate_tasks: {len(result.admitted)} task(s) in {TASKS}, {len(result.rejected)} "
                 f"rejected in {TASKS_REJECTED}")
    return StageResult(stage.kind, lines, {"tasks": len(result.admitted), "rejected": len(result.rejected),
                                           "rejected_by_reason": result.by_reason()})


def _reject_taken_ids(admission: Admission, source: str, taken: set[str]) -> None:
    """Two sources may name tasks alike: the first keeps the id, later ones are rejected."""
    kept = []
    for task in admission.admitted:
        if task.id in taken:
            admission.rejected.append(Rejection(source, task.id, "duplicate", "an earlier source has a task with "
                                                "this id", task.model_dump(mode="json", exclude_defaults=True)))
        else:
            taken.add(task.id)
            kept.append(task)
    admission.admitted = kept


def read_tasks(plan: Plan, path: Path) -> list[TaskSpec]:
    """The tasks of a tasks file, each checked as a hand-written one would be."""
    tasks, problems = [], []
    for n, data in enumerate(iter_jsonl(path), 1):
        try:
            task = TaskSpec.model_validate(data)
        except ValidationError as exc:
            problems.append(f"{path}: task {n}: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}")
            continue
        problems += [f"{path}: task '{task.id}' expects unknown tool '{c.tool}'"
                     for c in task.rubric.expected_calls if plan.tool(c.tool) is None]
        tasks.append(task)
    if problems:
        raise RunError("; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""),
                       hint="fix the tasks file, or make it again with generate_tasks")
    if not tasks:
        rejected = path.with_name(TASKS_REJECTED)
        why = f": every proposed task was rejected, see {rejected}" if rejected.exists() and rejected.stat().st_size else ""
        raise RunError(f"{path} holds no task{why}", hint="run generate_tasks with another source or more "
                       "proposals, or give a tasks file with --from")
    return tasks
