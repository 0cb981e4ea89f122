"""The stages of a plan: frozen data, each with the files it reads and writes.

The runner visits them in order and hands each to its module in `dslgen/stages/` (named
after `kind`). `depends` names what of the plan a stage's outputs are made from besides
its settings and input files: that goes into the stage's digest, and from there into the
ids of what it generates.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from dslgen.plan import artifacts as files
from dslgen.spec.stages import QUALITY_FILTERS, StartState

Plan = Any  # dslgen.plan.plan.Plan, which holds the stages (named here without importing it)

STAGE_TYPES: dict[str, type["Stage"]] = {}  # kind → class, filled as classes are defined


@dataclass(frozen=True)
class Stage:
    kind: ClassVar[str] = ""
    INPUTS: ClassVar[tuple[str, ...]] = ()
    OUTPUTS: ClassVar[tuple[str, ...]] = ()
    # settings that do not change what is made (how many dialogues: ids are per index)
    NOT_IDENTITY: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        STAGE_TYPES[cls.kind] = cls

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.INPUTS

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.OUTPUTS

    def settings(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    def identity(self) -> dict[str, Any]:
        return {k: v for k, v in self.settings().items() if k not in self.NOT_IDENTITY}

    def depends(self, plan: Plan) -> dict[str, Any]:
        return {}

    def to_json(self) -> dict[str, Any]:
        return {"stage": self.kind, **self.settings(), "inputs": list(self.inputs), "outputs": list(self.outputs)}

    @classmethod
    def from_spec(cls, model: Any, **extra: Any) -> "Stage":
        """The plan's stage for a spec's pipeline entry (same field names)."""
        values = {f.name: _frozen(getattr(model, f.name)) for f in fields(cls) if hasattr(model, f.name)}
        return cls(**values, **extra)


@dataclass(frozen=True)
class GenerateTasksStage(Stage):
    kind: ClassVar[str] = "generate_tasks"
    OUTPUTS: ClassVar[tuple[str, ...]] = (files.TASKS,)
    source: str = "hand_written"

    def depends(self, plan: Plan) -> dict[str, Any]:
        return {"tasks": [t.model_dump(mode="json") for t in plan.tasks]}


@dataclass(frozen=True)
class ReturnSchemasStage(Stage):
    kind: ClassVar[str] = "return_schemas"
    OUTPUTS: ClassVar[tuple[str, ...]] = (files.RETURN_SCHEMAS,)

    def depends(self, plan: Plan) -> dict[str, Any]:
        return {"tools": [t.to_json() for t in plan.tools]}


@dataclass(frozen=True)
class SimulateStage(Stage):
    kind: ClassVar[str] = "simulate"
    INPUTS: ClassVar[tuple[str, ...]] = (files.TASKS,)
    OUTPUTS: ClassVar[tuple[str, ...]] = (files.DIALOGUES,)
    NOT_IDENTITY: ClassVar[frozenset[str]] = frozenset({"dialogues"})
    mode: str = "user_oriented"
    dialogues: int = 3
    tasks_per_dialogue: int = 1
    max_turns: int = 8
    max_steps: int = 4
    max_errors: int = 4
    start: StartState | None = None

    def depends(self, plan: Plan) -> dict[str, Any]:
        return {"spec": plan.name, "seed": plan.seed, "policy": plan.policy, "schema": plan.schema.sql,
                "seed_data": plan.seed_data.digest, "tools": [t.to_json() for t in plan.tools],
                "templates": {k: plan.prompts[k] for k in ("agent_system", "user_system", "task_request",
                                                           "tool_simulator")},
                "models": {r: plan.model_identity(r) for r in ("user", "agent", "tools")},
                "user_simulator": plan.user_simulator.model_dump(mode="json")}


@dataclass(frozen=True)
class ValidateStage(Stage):
    kind: ClassVar[str] = "validate"
    INPUTS: ClassVar[tuple[str, ...]] = (files.TASKS, files.DIALOGUES)
    OUTPUTS: ClassVar[tuple[str, ...]] = (files.VALIDATED, files.REJECTED, files.REPORT, files.STATS)
    keep: str = "valid"  # read by the export stage
    judge: bool = True
    filters: tuple[str, ...] = QUALITY_FILTERS

    def identity(self) -> dict[str, Any]:
        return {k: v for k, v in self.settings().items() if k != "keep"}

    def depends(self, plan: Plan) -> dict[str, Any]:
        # the final state is rebuilt by replaying each dialogue's calls on the seed data;
        # every template is read by the template-leak filter
        return {"schema": plan.schema.sql, "seed_data": plan.seed_data.digest,
                "tools": [t.to_json() for t in plan.tools], "templates": dict(plan.prompts),
                "models": {"judge": plan.model_identity("judge") if self.judge else None}}


@dataclass(frozen=True)
class ExportStage(Stage):
    kind: ClassVar[str] = "export"
    INPUTS: ClassVar[tuple[str, ...]] = (files.VALIDATED,)
    format: str | tuple[str, ...] = "openai"
    splits: dict[str, float] = field(default_factory=lambda: {"train": 1.0})
    greeting: str = "drop"
    system_tools: bool = False
    license: str = "unknown"
    notices: tuple[str, ...] = ()  # the domain's licence files, copied beside the data

    @property
    def formats(self) -> tuple[str, ...]:
        return (self.format,) if isinstance(self.format, str) else tuple(dict.fromkeys(self.format))

    @property
    def outputs(self) -> tuple[str, ...]:
        # one folder per format, the dataset card, what `dslgen export DIR` needs to redo it
        return tuple(f"{f}/" for f in self.formats) + (files.CARD, files.EXPORT_CONTEXT) + self.notices

    def depends(self, plan: Plan) -> dict[str, Any]:
        validate = plan.stage(ValidateStage)
        return {"keep": validate.keep if validate else "all", "notices": dict(plan.notices),
                "template": plan.prompts["export_system"], "tools": plan.tool_signatures(),
                "spec": [plan.name, plan.description, plan.seed]}


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _plain(value: Any) -> Any:
    """A setting as JSON data."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_defaults=True)
    return list(value) if isinstance(value, tuple) else dict(value) if isinstance(value, dict) else value
