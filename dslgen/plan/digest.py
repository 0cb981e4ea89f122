"""Digests of what a stage's outputs are made from.

A stage's digest combines its settings, the parts of the plan it depends on and the
digests of its input files; each part is kept apart so a refusal can say what differs.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from dslgen.plan.plan import Plan
from dslgen.plan.stages import Stage


def digest_of(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def stage_parts(plan: Plan, stage: Stage, inputs: dict[str, str]) -> dict[str, str]:
    """Part name → digest: `settings`, each of `stage.depends(plan)`, each input file."""
    parts = {"settings": digest_of(stage.identity())}
    parts.update({name: digest_of(value) for name, value in stage.depends(plan).items()})
    parts.update({name: inputs[name] for name in stage.inputs})
    return parts


def combined(parts: dict[str, str]) -> str:
    return digest_of(parts)
