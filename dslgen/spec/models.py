"""The spec format: what a YAML spec file holds, and the assembled Spec with its domain.

`SpecFile` is the YAML as written (its JSON Schema is what editors validate against).
`Spec` is the same with the domain folder read in: schema, policy, tools and tasks.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import Field, model_validator

from dslgen.spec.base import SpecModel
from dslgen.spec.model_settings import ModelSpec
from dslgen.spec.tasks import TaskSpec
from dslgen.spec.tools import ToolSpec

ROLES = ("user", "agent", "tools", "generator", "judge")


class ModelRoles(SpecModel):
    default: Annotated[ModelSpec, Field(description="Settings for every role not set below.")] = ModelSpec()
    user: Annotated[ModelSpec | None, Field(description="The user simulator's model.")] = None
    agent: Annotated[ModelSpec | None, Field(description="The agent's model.")] = None
    tools: Annotated[ModelSpec | None, Field(
        description="The model that invents outputs of simulated tools (tools with no SQL).")] = None
    generator: Annotated[ModelSpec | None, Field(description="The model that generates tools and tasks.")] = None
    judge: Annotated[ModelSpec | None, Field(description="The rubric judge's model.")] = None

    def for_role(self, role: str) -> ModelSpec:
        return getattr(self, role) or self.default


class Persona(SpecModel):
    name: Annotated[str, Field(description="Persona name, referenced by tasks.")]
    description: Annotated[str, Field(description="How this user talks and behaves.")]


class UserSimulatorSpec(SpecModel):
    rules: Annotated[list[str], Field(description="Human behavior rules the simulated user follows.")] = []
    personas: Annotated[list[Persona], Field(description="Personas; a dialogue picks one per task.")] = []


class Message(SpecModel):
    """A chat message in the OpenAI format, for a starting history."""

    role: Annotated[Literal["user", "assistant", "tool"], Field(description="Who speaks.")]
    content: Annotated[str | None, Field(description="The text (null for a pure tool call).")] = None
    tool_calls: Annotated[list[dict[str, Any]] | None, Field(description="Assistant tool calls.")] = None
    tool_call_id: Annotated[str | None, Field(description="For role tool: the call answered.")] = None
    name: Annotated[str | None, Field(description="For role tool: the tool's name.")] = None


class StartCall(SpecModel):
    tool: Annotated[str, Field(description="A tool of the domain.")]
    arguments: Annotated[dict[str, Any], Field(description="Its arguments.")] = {}


class StartState(SpecModel):
    """Where dialogues begin: a message history and a database state (seed + these calls)."""

    messages: Annotated[list[Message], Field(
        description="History to continue from (after the system prompt); default: the agent's greeting.")] = []
    calls: Annotated[list[StartCall], Field(
        description="Tool calls applied to the seed database before the dialogue starts.")] = []


class SimulateStage(SpecModel):
    stage: Literal["simulate"]
    mode: Annotated[Literal["user_oriented", "task_oriented"], Field(
        description="user_oriented: a decoupled user simulator pursues a descriptive goal; "
                    "task_oriented: the task is given as a direct request.")] = "user_oriented"
    dialogues: Annotated[int, Field(ge=1, description="How many dialogues to generate.")] = 3
    tasks_per_dialogue: Annotated[int, Field(ge=1, le=10, description="Tasks chained in one dialogue.")] = 1
    max_turns: Annotated[int, Field(ge=1, description="User turns before a dialogue ends (max_turns).")] = 8
    max_steps: Annotated[int, Field(ge=1, description="Tool calls the agent may make in one turn.")] = 4
    max_errors: Annotated[int, Field(ge=1, description="Failed tool calls before a dialogue ends.")] = 4
    start: Annotated[StartState | None, Field(
        description="Start every dialogue from this history and database state.")] = None


class ValidateStage(SpecModel):
    stage: Literal["validate"]
    keep: Annotated[Literal["valid", "all"], Field(
        description="Which dialogues the export keeps: only those that pass their rubric, or all.")] = "valid"
    judge: Annotated[bool, Field(
        description="Have the judge model check each task's rubric checkpoints; false leaves "
                    "them unjudged (recorded, never counted).")] = True


# Dataset formats the export stage writes (dslgen/export/formats.py has one writer for each).
ExportFormat = Literal["openai", "hf", "sharegpt", "parquet", "arrow", "kto", "dpo"]


class ExportStage(SpecModel):
    stage: Literal["export"]
    format: Annotated[ExportFormat | list[ExportFormat], Field(
        description="Dataset format(s), each in a folder of its own: openai (API messages, arguments "
                    "as JSON text), hf (JSON Lines that load with `datasets` into one schema), "
                    "sharegpt (LLaMA-Factory), parquet, arrow (datasets.save_to_disk), kto and "
                    "dpo (preference data from what validation rejected).")] = "openai"
    splits: Annotated[dict[Literal["train", "validation", "test"], Annotated[float, Field(gt=0, le=1)]], Field(
        description="Fraction of the dialogues in each split, e.g. {train: 0.8, validation: 0.1, "
                    "test: 0.1}; assigned by a hash of the spec's seed and the dialogue id.",
        min_length=1)] = {"train": 1.0}
    greeting: Annotated[Literal["drop", "keep"], Field(
        description="The agent's canned first message: drop it (trainers such as LLaMA-Factory "
                    "want a user turn first) or keep it.")] = "drop"
    system_tools: Annotated[bool, Field(
        description="Also list the tools in the exported system prompt (every format already "
                    "carries them in its own `tools` field).")] = False
    license: Annotated[str, Field(
        description="Licence id of the dataset for its card (mit, apache-2.0, cc-by-4.0, other, "
                    "unknown); the domain's LICENSE files are copied beside it.")] = "unknown"

    @property
    def formats(self) -> tuple[str, ...]:
        return (self.format,) if isinstance(self.format, str) else tuple(dict.fromkeys(self.format))


Stage = Annotated[Union[SimulateStage, ValidateStage, ExportStage], Field(discriminator="stage")]


class DatabaseSpec(SpecModel):
    """Where each dialogue's copy of the domain database lives."""

    engine: Annotated[Literal["sqlite", "postgresql"], Field(
        description="sqlite: an in-memory copy per dialogue (no server needed); postgresql: a "
                    "private schema per dialogue on the server at `url`.")] = "sqlite"
    url: Annotated[str | None, Field(
        description="For postgresql: postgresql://user@host:port/db; write a password as ${ENV_VAR}. "
                    "Left out of the plan JSON and of every output.", repr=False, exclude=True)] = None

    @model_validator(mode="after")
    def _url_for_a_server(self) -> "DatabaseSpec":
        if self.engine == "postgresql" and not self.url:
            raise ValueError("engine postgresql needs 'url' (e.g. postgresql://me@127.0.0.1:5432/dslgen)")
        return self


class OutputSpec(SpecModel):
    dir: Annotated[str | None, Field(description="Output folder; default out/<spec name>/.")] = None


class _SpecBody(SpecModel):
    dslgen: Annotated[int, Field(description="Spec format version; this dslgen reads 1.")]
    name: Annotated[str, Field(description="Spec name; names the output folder.", pattern=r"^[A-Za-z0-9_\-]+$")]
    description: Annotated[str, Field(description="What this spec generates.")] = ""
    seed: Annotated[int, Field(description="Base random seed; same seed, same dialogues.")] = 0
    models: Annotated[ModelRoles, Field(description="Which model plays each role.")] = ModelRoles()
    user_simulator: Annotated[UserSimulatorSpec, Field(description="User behavior rules and personas.")] = UserSimulatorSpec()
    templates: Annotated[dict[Literal["agent_system", "user_system", "task_request", "tool_simulator", "judge",
                                      "export_system"], str], Field(
        description="Override prompt templates: name → Jinja file, relative to the spec.")] = {}
    database: Annotated[DatabaseSpec, Field(description="The engine that runs the tools' SQL.")] = DatabaseSpec()
    pipeline: Annotated[list[Stage], Field(min_length=1, description="Stages, in order.")]
    output: Annotated[OutputSpec, Field(description="Where results go.")] = OutputSpec()


class SpecFile(_SpecBody):
    """A spec file as written in YAML."""

    domain: Annotated[str, Field(description="Path of the domain folder, relative to the spec file.")]


class Domain(SpecModel):
    name: str
    path: Path
    schema_sql: str
    policy: str
    tools: list[ToolSpec]
    tasks: list[TaskSpec]
    seed_dir: Path | None
    seed_files: dict[str, str] = {}  # seed/<name> → text, checked against the schema by the compiler
    notices: dict[str, str] = {}  # the domain's LICENSE*/NOTICE* files: name → text (travel with the data)


class Spec(_SpecBody):
    """A spec with its domain folder read in."""

    domain: Domain
    path: Path  # the spec file
    prompts: dict[str, str]  # template name → Jinja text (defaults or the spec's overrides)

    def stage(self, kind: type) -> SpecModel | None:
        return next((s for s in self.pipeline if isinstance(s, kind)), None)
