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
from dslgen.spec.stages import QUALITY_FILTERS, GeneratedTasks, StartState

Plan = Any  # dslgen.plan.plan.Plan, which holds the stages (named here without importing it)

STAGE_TYPES: dict[str, type["Stage"]] = {}  # kind → class, filled as classes are defined


@dataclass(frozen=True)
class Stage:
    kind: ClassVar[str] = ""
    INPUTS: ClassVar[tuple[str, ...]] = ()
    OUTPUTS: ClassVar[tuple[str, ...]] = ()
    # what a stage writes about what it left out (rejected proposals, with reasons): recorded
    # like its outputs, but a folder given with --from need not hold them
    REPORTS: ClassVar[tuple[str, ...]] = ()
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
        return self.OUTPUTS + self.REPORTS

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
class ExpandToolsStage(Stage):
    """The generator proposes tools; admitted ones become a tools.yaml fragment to review."""

    kind: ClassVar[str] = "expand_tools"
    OUTPUTS: ClassVar[tuple[str, ...]] = (files.PROPOSED_TOOLS,)
    REPORTS: ClassVar[tuple[str, ...]] = (files.PROPOSED_TOOLS_REJECTED,)
    proposals: int = 5
    samples: int = 3
    rows_per_table: int = 2

    def depends(self, plan: Plan) -> dict[str, Any]:
        return {"seed": plan.seed, "policy": plan.policy, "schema": plan.schema.sql,
                "seed_data": plan.seed_data.digest, "tools": [t.to_json() for t in plan.tools],
                "template": plan.prompts["tool_generator"], "model": plan.model_identity("generator")}


@dataclass(frozen=True)
class GenerateTasksStage(Stage):
    kind: ClassVar[str] = "generate_tasks"
    OUTPUTS: ClassVar[tuple[str, ...]] = (files.TASKS,)
    REPORTS: ClassVar[tuple[str, ...]] = (files.TASKS_REJECTED,)
    source: tuple[str, ...] = ("hand_written",)
    generated: GeneratedTasks = GeneratedTasks()
    imported: tuple[str, ...] = ()

    def depends(self, plan: Plan) -> dict[str, Any]:
        # every task is admitted by running it on the seed data with the plan's tools
        out: dict[str, Any] = {"schema": plan.schema.sql, "seed_data": plan.seed_data.digest,
                               "tools": [t.to_json() for t in plan.tools]}
        if "hand_written" in self.source:
            out["tasks"] = [t.model_dump(mode="json") for t in plan.tasks]
        if "templates" in self.source:
            out["templates"] = [t.model_dump(mode="json") for t in plan.task_templates]
            out["seed"] = plan.seed
        if "imported" in self.source:
            out["imported"] = [t.model_dump(mode="json") for _, tasks in plan.imported_tasks for t in tasks]
        if "generated" in self.source:
            out.update(seed=plan.seed, policy=plan.policy, template=plan.prompts["task_generator"],
                       model=plan.model_identity("generator"))
        return out


@dataclass(frozen=True)
class ReturnSchemasStage(Stage):
    kind: ClassVar[str] = "return_schemas"
    OUTPUTS: ClassVar[tuple[str, ...]] = (files.RETURN_SCHEMAS,)
    REPORTS: ClassVar[tuple[str, ...]] = (files.RETURN_SCHEMAS_REJECTED,)
    attempts: int = 3

    def depends(self, plan: Plan) -> dict[str, Any]:
        out: dict[str, Any] = {"tools": [t.to_json() for t in plan.tools]}
        if any(t.return_schema is None for t in plan.tools):  # some are predicted by the generator
            out.update(seed=plan.seed, template=plan.prompts["return_schema_generator"],
                       model=plan.model_identity("generator"))
        return out


class _ReadsPredictedSchemas:
    """A stage that plays or checks simulated tools: when some declare no output schema, it
    reads the schemas the return_schemas stage predicted (set by the compiler)."""

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.INPUTS + ((files.RETURN_SCHEMAS,) if self.predicted_schemas else ())


@dataclass(frozen=True)
class SimulateStage(_ReadsPredictedSchemas, Stage):
    kind: ClassVar[str] = "simulate"
    INPUTS: ClassVar[tuple[str, ...]] = (files.TASKS,)
    OUTPUTS: ClassVar[tuple[str, ...]] = (files.DIALOGUES,)
    NOT_IDENTITY: ClassVar[frozenset[str]] = frozenset({"dialogues", "concurrency"})
    mode: str = "user_oriented"
    dialogues: int = 3
    tasks_per_dialogue: int = 1
    max_turns: int = 8
    max_steps: int = 4
    max_errors: int = 4
    start: StartState | None = None
    predicted_schemas: bool = False
    concurrency: int | None = None  # dialogues in flight; None: a default per backend (dslgen.execute)

    def depends(self, plan: Plan) -> dict[str, Any]:
        return {"spec": plan.name, "seed": plan.seed, "policy": plan.policy, "schema": plan.schema.sql,
                "seed_data": plan.seed_data.digest, "tools": [t.to_json() for t in plan.tools],
                "templates": {k: plan.prompts[k] for k in ("agent_system", "user_system", "task_request",
                                                           "tool_simulator")},
                "models": {r: plan.model_identity(r) for r in ("user", "agent", "tools")},
                "user_simulator": plan.user_simulator.model_dump(mode="json")}


@dataclass(frozen=True)
class ValidateStage(_ReadsPredictedSchemas, Stage):
    kind: ClassVar[str] = "validate"
    INPUTS: ClassVar[tuple[str, ...]] = (files.TASKS, files.DIALOGUES)
    OUTPUTS: ClassVar[tuple[str, ...]] = (files.VALIDATED, files.REJECTED, files.REPORT, files.STATS)
    keep: str = "valid"  # read by the export stage
    judge: bool = True
    filters: tuple[str, ...] = QUALITY_FILTERS
    predicted_schemas: bool = False

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
