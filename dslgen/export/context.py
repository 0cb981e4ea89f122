"""What the exporters need besides the dialogue records, saved beside them as `export.json`.

A run writes it from the plan; `dslgen export DIR` reads it back, so a finished run folder
re-exports in any format without the spec, the domain folder or a model.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dslgen.errors import RunError
from dslgen.output.jsonl import write_json
from dslgen.plan.artifacts import EXPORT_CONTEXT
from dslgen.redact import redact_json

CONTEXT_FILE = EXPORT_CONTEXT


@dataclass(frozen=True)
class ExportSettings:
    """The spec's export stage, as data."""

    formats: tuple[str, ...] = ("openai",)
    splits: dict[str, float] = field(default_factory=lambda: {"train": 1.0})
    keep: str = "valid"  # valid | all: which dialogues the SFT formats take
    greeting: str = "drop"  # drop | keep
    license: str = "unknown"


@dataclass(frozen=True)
class ExportContext:
    name: str
    description: str
    domain: str
    seed: int
    system_prompt: str  # the rendered export_system template
    tools: list[dict]  # OpenAI tool objects: {"type": "function", "function": {...}}
    models: dict[str, dict]  # role → public settings (no keys, no secrets)
    spec_digest: str
    dslgen_version: str
    notices: dict[str, str]  # licence files of the domain's data: name → text
    settings: ExportSettings = ExportSettings()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ExportContext":
        settings = data.get("settings", {})
        settings = ExportSettings(**{**settings, "formats": tuple(settings.get("formats", ("openai",)))})
        return cls(**{**data, "settings": settings})

    def with_formats(self, formats: tuple[str, ...]) -> "ExportContext":
        return replace(self, settings=replace(self.settings, formats=formats))


def save(context: ExportContext, folder: Path) -> None:
    write_json(folder / CONTEXT_FILE, context.to_json())  # atomically


def load(folder: Path) -> ExportContext:
    path = folder / CONTEXT_FILE
    if not path.exists():
        raise RunError(f"{path} not found: this is not a run folder, or an older dslgen wrote it",
                       hint="run the spec again into this folder (finished dialogues are kept) to write it")
    try:
        return ExportContext.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise RunError(f"{path}: unreadable ({exc})", hint="run the spec again into this folder to rewrite it")


def dslgen_version() -> str:
    try:
        return version("dslgen")
    except PackageNotFoundError:
        return "unknown"


def public_model_settings(model) -> dict[str, Any]:
    """A role's model settings fit for a dataset card: no API key, no password in a URL,
    no canned outputs of a scripted backend."""
    settings = model.model_dump(exclude={"api_key", "outputs"})
    if isinstance(settings.get("base_url"), str):
        settings["base_url"] = _without_credentials(settings["base_url"])
    elif settings.get("base_url"):  # several servers running the same model
        settings["base_url"] = [_without_credentials(u) for u in settings["base_url"]]
    return redact_json(settings)  # a model name or host read from ${VAR}


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def digest_of(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def context_from_plan(plan) -> ExportContext:
    """The export context of a compiled plan (its export and validate stages, if any)."""
    from dslgen.plan import ExportStage, ValidateStage
    from dslgen.templating import render

    export, validate = plan.stage(ExportStage), plan.stage(ValidateStage)
    signatures = plan.tool_signatures()
    shown_tools = signatures if export is not None and export.system_tools else []
    prompt = render(plan.prompts["export_system"], domain=plan.domain, policy=plan.policy, tools=shown_tools)
    settings = ExportSettings(
        formats=export.formats if export else ("openai",), splits=dict(export.splits) if export else {"train": 1.0},
        keep=validate.keep if validate else "all", greeting=export.greeting if export else "drop",
        license=export.license if export else "unknown")
    return ExportContext(
        name=plan.name, description=plan.description, domain=plan.domain, seed=plan.seed,
        system_prompt=prompt, tools=[{"type": "function", "function": s} for s in signatures],
        **run_provenance(plan), notices=dict(plan.notices), settings=settings)


def used_roles(plan) -> list[str]:
    """Roles whose model a run calls: the user and the agent, the judge when the validate
    stage judges checkpoints, the tool player when a tool has no SQL."""
    from dslgen.plan import ValidateStage

    roles = ["user", "agent"]
    validate = plan.stage(ValidateStage)
    if validate is not None and validate.judge and any(t.rubric.checkpoints for t in plan.tasks):
        roles.append("judge")
    if any(t.simulated for t in plan.tools):
        roles.append("tools")
    return roles


def spec_digest(plan) -> str:
    """What the data depends on (the plan and its prompts), not where it was written."""
    described = {k: v for k, v in plan.to_json().items() if k not in ("output_dir", "spec")}
    # the seed data by its content: the same project checked out elsewhere is the same data
    described["domain"]["seed_data"] = {k: v for k, v in described["domain"]["seed_data"].items() if k != "location"}
    # settings that change how much is made or how fast (dialogues, concurrency), not what
    described["stages"] = [{"stage": s.kind, **s.identity()} for s in plan.stages]
    return digest_of([described, plan.prompts])


def run_provenance(plan) -> dict[str, Any]:
    """What every record of a run says about where it came from (no keys, no secrets)."""
    return {"spec_digest": spec_digest(plan), "dslgen_version": dslgen_version(),
            "models": {role: public_model_settings(plan.models[role]) for role in used_roles(plan)}}
