"""generate_tasks: the tasks dialogues pursue, written to tasks.jsonl (one task a line).

Tasks come from a source; `hand_written` is the domain's tasks.yaml, carried in the plan.
Other sources (templates, a generator model, an import) are functions of the same shape
added to SOURCES. A person may edit tasks.jsonl and start a run from it (`--from`); it is
read back with the same checks as a hand-written task's references.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from pydantic import ValidationError

from dslgen.errors import RunError
from dslgen.output.jsonl import iter_jsonl, write_jsonl
from dslgen.plan import GenerateTasksStage, Plan
from dslgen.plan.artifacts import TASKS
from dslgen.spec.tasks import TaskSpec
from dslgen.stages import StageContext, StageResult


def hand_written(plan: Plan, stage: GenerateTasksStage) -> Iterable[TaskSpec]:
    return plan.tasks


SOURCES: dict[str, Callable[[Plan, GenerateTasksStage], Iterable[TaskSpec]]] = {"hand_written": hand_written}


def run(stage: GenerateTasksStage, ctx: StageContext) -> StageResult:
    tasks = list(SOURCES[stage.source](ctx.plan, stage))
    write_jsonl(ctx.folder / TASKS, (t.model_dump(mode="json", exclude_defaults=True) for t in tasks))
    return StageResult(stage.kind, [f"generate_tasks: {len(tasks)} task(s) ({stage.source}) in {TASKS}"],
                       {"tasks": len(tasks)})


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
        raise RunError(f"{path} holds no task", hint="run generate_tasks, or give a tasks file with --from")
    return tasks
