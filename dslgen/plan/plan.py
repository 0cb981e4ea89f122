"""The Plan: everything a run needs, as data. Built by the compiler, executed by the runner.

Self-contained: the parsed schema, the seed rows, the policy, the template texts, the
domain's licence notices and the compiled tools travel in the plan, so nothing after compile
reads the domain folder.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from dslgen.plan.stages import Stage
from dslgen.spec.model_settings import ModelSpec
from dslgen.spec.models import DatabaseSpec, UserSimulatorSpec
from dslgen.spec.tasks import TaskSpec
from dslgen.sql.schema import DbSchema

# model settings that change how a model is reached, not what it says
_TRANSPORT = {"timeout_s", "max_retries", "backoff_s", "max_backoff_s", "n_threads"}


@dataclass(frozen=True)
class SeedData:
    """The domain's seed rows (table → rows in column order) and their digest."""

    rows: Mapping[str, list[tuple]]
    digest: str
    location: str  # where they were read from, for the reader

    def to_json(self) -> dict[str, Any]:
        return {"location": self.location, "digest": self.digest,
                "rows": {table: len(rows) for table, rows in self.rows.items()}}


@dataclass(frozen=True)
class Plan:
    name: str
    spec_path: Path  # shown to the reader, never read again
    seed: int
    domain: str
    policy: str
    schema: DbSchema
    seed_data: SeedData
    tools: tuple  # dslgen.sql CompiledTool, in declaration order
    tasks: tuple[TaskSpec, ...]  # the hand-written tasks (tasks.yaml)
    models: dict[str, ModelSpec]  # role → settings
    user_simulator: UserSimulatorSpec
    prompts: dict[str, str]  # template name → Jinja text
    stages: tuple[Stage, ...]
    output_dir: Path
    database: DatabaseSpec = DatabaseSpec()  # the engine for the per-dialogue copies
    description: str = ""
    notices: tuple[tuple[str, str], ...] = ()  # the domain's licence files (name, text), for exports
    task_templates: tuple = ()  # dslgen.spec TaskTemplate: the domain's task_templates.yaml
    imported_tasks: tuple[tuple[str, tuple[TaskSpec, ...]], ...] = ()  # (tasks file, its tasks)

    def tool(self, name: str):
        return next((t for t in self.tools if t.name == name), None)

    @property
    def write_tools(self) -> set[str]:
        """Names of the tools that change state (SQL writes, or simulated with writes: true)."""
        return {t.name for t in self.tools if t.writes}

    def stage(self, kind: type) -> Any:
        return next((s for s in self.stages if isinstance(s, kind)), None)

    def tool_signatures(self) -> list[dict[str, Any]]:
        """Tools as the agent sees them: {name, description, parameters}."""
        return [{"name": t.name, "description": t.description, "parameters": t.parameters_schema}
                for t in self.tools]

    def model_identity(self, role: str) -> dict[str, Any]:
        """A role's model settings that shape what it generates (not timeouts or retries)."""
        return self.models[role].model_dump(mode="json", exclude=_TRANSPORT)

    def to_json(self) -> dict[str, Any]:
        """What will run, for a reviewer; secrets (API keys, database URLs) are left out."""
        return {
            "name": self.name,
            "description": self.description,
            "spec": str(self.spec_path),
            "seed": self.seed,
            "domain": {"name": self.domain, "policy": self.policy, "schema": self.schema.sql,
                       "seed_data": self.seed_data.to_json(), "notices": dict(self.notices)},
            "database": self.database.model_dump(),  # the engine; the URL is left out
            "stages": [s.to_json() for s in self.stages],
            "models": {r: m.model_dump(exclude={"api_key"}) for r, m in self.models.items()},
            "tools": [t.to_json() for t in self.tools],
            "tasks": [t.model_dump(exclude_defaults=True) for t in self.tasks],
            "task_templates": [t.model_dump(exclude_defaults=True) for t in self.task_templates],
            "imported_tasks": {file: len(tasks) for file, tasks in self.imported_tasks},
            "user_simulator": self.user_simulator.model_dump(),
            "templates": dict(self.prompts),
            "output_dir": str(self.output_dir),
        }
