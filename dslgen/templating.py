"""Prompt templates: the variables each one may use, and rendering in Jinja's sandbox.

Templates are Jinja files in `templates/`, or a spec's own overrides, and specs arrive in
pull requests: a template is untrusted input. It renders in Jinja's immutable sandbox, so
`{{ cycler.__init__.__globals__ }}` and the like raise instead of reaching Python. The
compiler checks templates against `TEMPLATE_VARIABLES` (a typo is a spec error, not a blank
in a prompt); the runtime renders them. Both read this module, the bottom of the flow.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

TEMPLATE_VARIABLES: dict[str, frozenset[str]] = {
    "agent_system": frozenset({"domain", "policy", "tools"}),
    "user_system": frozenset({"rules", "persona", "goal", "known", "unknown", "mode"}),
    "task_request": frozenset({"goal", "request", "known"}),
    "tool_simulator": frozenset({"domain", "policy", "tool", "earlier_calls"}),
    "judge": frozenset({"goal", "checkpoint", "transcript"}),
    # the system prompt of exported training data: no generation protocol, tools optional
    "export_system": frozenset({"domain", "policy", "tools"}),
    "task_generator": frozenset({"domain", "policy", "tables", "tools", "rows", "written"}),
    "tool_generator": frozenset({"domain", "policy", "tables", "tools", "rows", "written"}),
    "return_schema_generator": frozenset({"domain", "tool", "entities"}),
}

DEFAULT_TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"

_ENV = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False,
                                     trim_blocks=True, lstrip_blocks=True)


def default_template_path(name: str) -> Path:
    return DEFAULT_TEMPLATE_DIR / f"{name}.j2"


@lru_cache(maxsize=4096)
def _compiled(text: str) -> jinja2.Template:
    """Compiling is what costs (~1 ms); a task template renders the same strings for every row."""
    return _ENV.from_string(text)


@lru_cache(maxsize=4096)
def _expression(expression: str):
    return _ENV.compile_expression(expression, undefined_to_none=False)


def render(text: str, **variables: Any) -> str:
    return _compiled(text).render(**variables).strip()


def parse(text: str) -> jinja2.nodes.Template:
    return _ENV.parse(text)


def evaluate(expression: str, **variables: Any) -> Any:
    """The value of one Jinja expression, keeping its type (a list stays a list), in the same
    sandbox; an undefined name raises like it does in `render`."""
    value = _expression(expression)(**variables)
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    return value
