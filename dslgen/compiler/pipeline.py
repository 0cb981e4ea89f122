"""The spec's `pipeline:` list → the plan's stage objects, and what is wrong with its order.

Each stage reads files earlier stages write (`dslgen.plan.stages`); a stage that needs a
file made only by a later stage, or by no stage, or a stage named twice, is a mistake. A
pipeline without `generate_tasks` gets one first: the domain's hand-written tasks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dslgen.plan.stages import STAGE_TYPES, ExportStage, GenerateTasksStage, SimulateStage, Stage, ValidateStage

IMPLIED = -1  # index of the implied generate_tasks stage, before the spec's first


@dataclass(frozen=True)
class OrderProblem:
    index: int  # the stage's place in the spec's pipeline
    code: str
    message: str
    hint: str
    other: int | None = None  # the place of the stage it refers to


def plan_stages(pipeline: list[Any], *, notices: tuple[str, ...] = (),
                predicted_schemas: bool = False) -> tuple[Stage, ...]:
    """The plan's stages for a spec's pipeline (generate_tasks implied when left out);
    `notices`: names of the domain's licence files, which the export copies;
    `predicted_schemas`: some simulated tool declares no output schema, so the stages that
    play or check tools read the predicted ones."""
    stages = [_stage(model, notices, predicted_schemas) for model in pipeline]
    if not any(isinstance(s, GenerateTasksStage) for s in stages):
        stages.insert(0, GenerateTasksStage())
    return tuple(stages)


def _stage(model: Any, notices: tuple[str, ...], predicted_schemas: bool) -> Stage:
    cls = STAGE_TYPES[model.stage]
    if cls is ExportStage:
        return cls.from_spec(model, notices=notices)
    if cls in (SimulateStage, ValidateStage):
        return cls.from_spec(model, predicted_schemas=predicted_schemas)
    return cls.from_spec(model)


def order_problems(pipeline: list[Any]) -> list[OrderProblem]:
    stages = [STAGE_TYPES[m.stage].from_spec(m) for m in pipeline]
    made: dict[str, int] = {}
    if not any(isinstance(s, GenerateTasksStage) for s in stages):
        made.update({f: IMPLIED for f in GenerateTasksStage().outputs})
    seen: dict[str, int] = {}
    problems: list[OrderProblem] = []
    for i, stage in enumerate(stages):
        if stage.kind in seen:
            problems.append(OrderProblem(i, "DSL311", f"stage '{stage.kind}' is already in the pipeline",
                                         "a pipeline runs each stage once; remove one of them", seen[stage.kind]))
            continue
        seen[stage.kind] = i
        problems += _missing_inputs(i, stage, stages, made)
        made.update({f: i for f in stage.outputs})
    return problems


def _missing_inputs(i: int, stage: Stage, stages: list[Stage], made: dict[str, int]) -> list[OrderProblem]:
    problems, reported = [], set()
    for name in stage.inputs:
        if name in made:
            continue
        later = next((j for j in range(i + 1, len(stages)) if name in stages[j].outputs), None)
        maker = stages[later].kind if later is not None else _maker(name)
        if maker in reported:
            continue
        reported.add(maker)
        if later is not None:
            problems.append(OrderProblem(i, "DSL310", f"stage '{stage.kind}' reads {name}, which stage "
                                         f"'{maker}' makes only after it",
                                         f"move `- stage: {maker}` before `- stage: {stage.kind}`", later))
        else:
            problems.append(OrderProblem(i, "DSL305", f"stage '{stage.kind}' reads {name}, which no stage "
                                         "of the pipeline makes", f"add `- stage: {maker}` before it"))
    return problems


def _maker(name: str) -> str:
    return next(kind for kind, cls in STAGE_TYPES.items() if name in cls.OUTPUTS)
