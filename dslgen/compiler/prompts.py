"""Prompt templates: the variables each one may use, and rendering.

Templates are Jinja files in `templates/` (or overridden by the spec). The compiler checks
them against `TEMPLATE_VARIABLES` so a typo is a spec error, not a blank in a prompt.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

TEMPLATE_VARIABLES: dict[str, frozenset[str]] = {
    "agent_system": frozenset({"domain", "policy", "tools"}),
    "user_system": frozenset({"rules", "persona", "goal", "known", "unknown", "mode"}),
    "task_request": frozenset({"goal", "request", "known"}),
    "tool_simulator": frozenset({"domain", "policy", "tool", "earlier_calls"}),
    "judge": frozenset({"goal", "checkpoint", "transcript"}),
}

DEFAULT_TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"

_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False,
                          trim_blocks=True, lstrip_blocks=True)


def default_template_path(name: str) -> Path:
    return DEFAULT_TEMPLATE_DIR / f"{name}.j2"


def render(text: str, **variables: Any) -> str:
    return _ENV.from_string(text).render(**variables).strip()


def parse(text: str) -> jinja2.nodes.Template:
    return _ENV.parse(text)
