"""The `pipeline:` list as written in YAML: one model per stage kind.

The compiler turns each into the frozen stage object of the plan (`dslgen.plan.stages`),
which knows its input and output files; a new stage is a model here, a class there and a
module in `dslgen/stages/`.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field, field_validator, model_validator

from dslgen.spec.base import SpecModel

# Cheap checks the validate stage runs before any judge call; each is a reject reason
# `filter:<name>` (dslgen/validate/filters.py implements them).
QUALITY_FILTERS = ("empty_message", "repeated_message", "user_as_agent", "template_leak", "no_tool_call")
QualityFilter = Literal[QUALITY_FILTERS]  # type: ignore[valid-type] — the names above, once


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


TaskSource = Literal["hand_written", "templates", "generated", "imported"]


class GeneratedTasks(SpecModel):
    """Settings of the `generated` task source."""

    proposals: Annotated[int, Field(ge=1, le=1000, description="How many tasks the generator model proposes.")] = 5
    rows_per_table: Annotated[int, Field(
        ge=1, le=20, description="Rows of each table shown to the model (its limited data view).")] = 2


class GenerateTasksStage(SpecModel):
    stage: Literal["generate_tasks"]
    source: Annotated[TaskSource | list[TaskSource], Field(
        description="Where the tasks come from, one or several: hand_written = the domain's tasks.yaml; "
                    "templates = its task_templates.yaml (rows of the seed data, no model); generated = "
                    "written by the generator model; imported = the tasks files under `imported`. Every "
                    "task is admitted only after its calls run on the seed data and its final-state "
                    "checks turn from false to true; the others go to tasks.rejected.jsonl with a reason. "
                    "A pipeline without this stage gets it implicitly, first.")] = "hand_written"
    generated: Annotated[GeneratedTasks, Field(description="Settings of the generated source.")] = GeneratedTasks()
    imported: Annotated[list[str], Field(
        description="For the imported source: tasks files (tasks.yaml format, e.g. written by "
                    "`dslgen import tau-bench`), relative to the spec.")] = []

    @field_validator("source", mode="after")
    @classmethod
    def _as_list(cls, value):
        value = [value] if isinstance(value, str) else value
        if not value or len(set(value)) != len(value):
            raise ValueError("name each task source once")
        return value

    @model_validator(mode="after")
    def _imported_files(self) -> "GenerateTasksStage":
        if ("imported" in self.source) != bool(self.imported):
            raise ValueError("the imported source and the `imported` files go together: "
                             "source: [imported], imported: [tasks_file.yaml]")
        return self


class ExpandToolsStage(SpecModel):
    stage: Literal["expand_tools"]
    proposals: Annotated[int, Field(
        ge=1, le=100, description="How many tools the generator model proposes (the paper: up to ten).")] = 5
    samples: Annotated[int, Field(
        ge=1, le=20, description="Calls with arguments sampled from the data that each proposal must survive.")] = 3
    rows_per_table: Annotated[int, Field(
        ge=1, le=20, description="Rows of each table shown to the model.")] = 2


class ReturnSchemasStage(SpecModel):
    stage: Literal["return_schemas"]
    attempts: Annotated[int, Field(
        ge=1, le=10, description="For a simulated tool that declares no output_schema: how many predictions "
                                 "the generator model may make before the stage fails.")] = 3


class SimulateStage(SpecModel):
    stage: Literal["simulate"]
    mode: Annotated[Literal["user_oriented", "task_oriented"], Field(
        description="user_oriented: a decoupled user simulator pursues a descriptive goal; "
                    "task_oriented: the task is given as a direct request.")] = "user_oriented"
    dialogues: Annotated[int, Field(ge=1, le=10_000_000, description="How many dialogues to generate.")] = 3
    tasks_per_dialogue: Annotated[int, Field(ge=1, le=10, description="Tasks chained in one dialogue.")] = 1
    max_turns: Annotated[int, Field(ge=1, le=1000, description="User turns before a dialogue ends (max_turns).")] = 8
    max_steps: Annotated[int, Field(ge=1, le=100, description="Tool calls the agent may make in one turn.")] = 4
    max_errors: Annotated[int, Field(ge=1, le=1000, description="Failed tool calls before a dialogue ends.")] = 4
    start: Annotated[StartState | None, Field(
        description="Start every dialogue from this history and database state.")] = None
    concurrency: Annotated[int | None, Field(
        ge=1, le=4096,
        description="Dialogues in flight at once (overridden by `dslgen run --concurrency`). Default: 16 "
                    "when every role is a model server, 1 when a role runs a model in this process "
                    "(it answers one call at a time). Never changes what is generated.")] = None


class ValidateStage(SpecModel):
    stage: Literal["validate"]
    keep: Annotated[Literal["valid", "all"], Field(
        description="Which dialogues the export keeps: only those that pass their rubric, or all.")] = "valid"
    judge: Annotated[bool, Field(
        description="Have the judge model check each task's rubric checkpoints; false leaves "
                    "them unjudged (recorded, never counted).")] = True
    filters: Annotated[list[QualityFilter], Field(
        description="Quality filters run before the judge, each a reject reason filter:<name>: "
                    "empty_message, repeated_message, user_as_agent, template_leak, no_tool_call. "
                    "Default: all.")] = list(QUALITY_FILTERS)


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


Stage = Annotated[Union[ExpandToolsStage, GenerateTasksStage, ReturnSchemasStage, SimulateStage, ValidateStage,
                        ExportStage],
                  Field(discriminator="stage")]
