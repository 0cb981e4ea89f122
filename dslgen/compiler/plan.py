"""The Plan: everything a run needs, as data. Built by the compiler, executed by the runner."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dslgen.spec.model_settings import ModelSpec
from dslgen.spec.models import ROLES, DatabaseSpec, ExportStage, SimulateStage, UserSimulatorSpec, ValidateStage
from dslgen.spec.tasks import TaskSpec

PlanStage = SimulateStage | ValidateStage | ExportStage


@dataclass(frozen=True)
class Plan:
    name: str
    spec_path: Path
    seed: int
    domain: str
    domain_path: Path
    policy: str
    tools: tuple  # dslgen.sql CompiledTool, in declaration order
    tasks: tuple[TaskSpec, ...]
    models: dict[str, ModelSpec]  # role → settings
    user_simulator: UserSimulatorSpec
    prompts: dict[str, str]  # template name → Jinja text
    stages: tuple[PlanStage, ...]
    output_dir: Path
    database: DatabaseSpec = DatabaseSpec()  # the engine for the per-dialogue copies
    description: str = ""
    notices: tuple[tuple[str, str], ...] = ()  # the domain's licence files (name, text), for exports

    def tool(self, name: str):
        return next((t for t in self.tools if t.name == name), None)

    @property
    def write_tools(self) -> set[str]:
        """Names of the tools that change state (SQL writes, or simulated with writes: true)."""
        return {t.name for t in self.tools if t.writes}

    def stage(self, kind: type) -> PlanStage | None:
        return next((s for s in self.stages if isinstance(s, kind)), None)

    def tool_signatures(self) -> list[dict[str, Any]]:
        """Tools as the agent sees them: {name, description, parameters}."""
        return [{"name": t.name, "description": t.description, "parameters": t.parameters_schema}
                for t in self.tools]

    def to_json(self) -> dict[str, Any]:
        """What will run, for a reviewer; secrets (API keys) are left out."""
        return {
            "name": self.name,
            "spec": str(self.spec_path),
            "seed": self.seed,
            "domain": {"name": self.domain, "path": str(self.domain_path)},
            "database": self.database.model_dump(),  # the engine; the URL is left out
            "stages": [s.model_dump() for s in self.stages],
            "models": {r: m.model_dump(exclude={"api_key"}) for r, m in self.models.items()},
            "tools": [t.to_json() for t in self.tools],
            "tasks": [t.model_dump(exclude_defaults=True) for t in self.tasks],
            "user_simulator": self.user_simulator.model_dump(),
            "output_dir": str(self.output_dir),
        }


def roles_of(models) -> dict[str, ModelSpec]:
    return {role: models.for_role(role) for role in ROLES}
