"""The spec format: what a YAML spec file holds, and the assembled Spec with its domain.

`SpecFile` is the YAML as written (its JSON Schema is what editors validate against).
`Spec` is the same with the domain folder read in: schema, policy, tools and tasks.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from dslgen.spec.base import SpecModel
from dslgen.spec.model_settings import MAX_SEED, ModelSpec
from dslgen.spec.stages import ExportFormat, Stage, StartState  # noqa: F401 — read from here too
from dslgen.spec.task_templates import TaskTemplate
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
    name: Annotated[str, Field(description="Spec name; names the output folder.", pattern=r"^[A-Za-z0-9_\-]+$",
                                max_length=100)]
    description: Annotated[str, Field(description="What this spec generates.")] = ""
    seed: Annotated[int, Field(ge=0, le=MAX_SEED, description="Base random seed; same seed, same dialogues.")] = 0
    models: Annotated[ModelRoles, Field(description="Which model plays each role.")] = ModelRoles()
    user_simulator: Annotated[UserSimulatorSpec, Field(description="User behavior rules and personas.")] = UserSimulatorSpec()
    templates: Annotated[dict[Literal["agent_system", "user_system", "task_request", "tool_simulator", "judge",
                                      "export_system", "task_generator", "tool_generator",
                                      "return_schema_generator"], str], Field(
        description="Override prompt templates: name → Jinja file, relative to the spec.")] = {}
    database: Annotated[DatabaseSpec, Field(description="The engine that runs the tools' SQL.")] = DatabaseSpec()
    pipeline: Annotated[list[Stage], Field(min_length=1, description="Stages, in order.")]
    output: Annotated[OutputSpec, Field(description="Where results go.")] = OutputSpec()


class SpecFile(_SpecBody):
    """A spec file as written in YAML."""

    domain: Annotated[str, Field(description="Path of the domain folder, relative to the spec file.")]
    root: Annotated[str | None, Field(
        description="The project root, relative to the spec file: every file the spec reads must be "
                    "inside it. Default: the nearest folder above the spec holding .git or "
                    "dslgen.toml, else the spec's folder. It can narrow that project, never widen it.")] = None


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
    task_templates: list[TaskTemplate] = []  # from the optional task_templates.yaml


class Spec(_SpecBody):
    """A spec with its domain folder read in."""

    domain: Domain
    path: Path  # the spec file
    prompts: dict[str, str]  # template name → Jinja text (defaults or the spec's overrides)
    imported_tasks: dict[str, list[TaskSpec]] = {}  # a generate_tasks stage's imported tasks files

    def stage(self, kind: type) -> SpecModel | None:
        return next((s for s in self.pipeline if isinstance(s, kind)), None)
