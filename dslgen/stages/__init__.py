"""One module per pipeline stage, named after the stage's kind (`dslgen.plan.stages`).

Each module has `run(stage, ctx) -> StageResult`: it reads its input files from the
output folder and writes its outputs there (whole files atomically; dialogues appended a
line at a time). The runner visits the plan's stages in order and calls the module of each
(`visitor`), so a new stage is a stage class in the plan, a model in `dslgen/spec/stages.py`
and a module here.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

from dslgen.execute import RunOptions
from dslgen.output.folder import OutputFolder
from dslgen.output.manifest import Manifest
from dslgen.plan import Plan, Stage


@dataclass
class StageContext:
    """What a stage is given besides its own settings."""

    plan: Plan
    folder: OutputFolder
    digest: str  # of everything the stage's outputs are made from; ids derive from it
    limit: int | None = None  # at most this many dialogues (simulate)
    progress: bool = True
    reuse: bool = False  # an earlier run with this digest finished: its results may be kept
    options: RunOptions | None = None  # how dialogues execute: concurrency, executor, shard, output
    manifest: Manifest | None = None  # for a stage that notes its progress there


@dataclass
class StageResult:
    kind: str
    lines: list[str]  # what the run prints about this stage
    counts: dict[str, Any] = field(default_factory=dict)
    data: Any = None  # e.g. the validate stage's report


def visitor(stage: Stage) -> Callable[[Any, StageContext], StageResult]:
    return importlib.import_module(f"dslgen.stages.{stage.kind}").run
