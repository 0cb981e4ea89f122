"""Fill a proposal's values from variables (a sampled row, a data view): strings are Jinja,
rendered in the sandbox of dslgen/templating.py; a string that is a single `{{ expr }}` keeps
the expression's type, so `item_ids: "{{ ids.split(',') }}"` gives a list."""
from __future__ import annotations

import re
from typing import Any

from dslgen.templating import evaluate, expand

_WHOLE = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}).)*)\}\}\s*$", re.DOTALL)


def render_value(value: Any, variables: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return render_string(value, variables)
    if isinstance(value, dict):
        return {k: render_value(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [render_value(v, variables) for v in value]
    return value


def render_string(text: str, variables: dict[str, Any]) -> Any:
    if "{" not in text:
        return text  # nothing to fill: skip the template engine
    whole = _WHOLE.match(text)
    if whole:
        return evaluate(whole.group("expr"), **variables)
    return expand(text, **variables)
