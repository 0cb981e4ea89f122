"""Arguments of a call: validated against the tool's JSON Schema, then bound as parameters."""
from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator

_validators: dict[str, Draft202012Validator] = {}  # keyed by the schema's text: ids can be reused


def invalid(tool, arguments: Any) -> str | None:
    """Why the arguments are invalid, or None."""
    if not isinstance(arguments, dict):
        return "arguments must be a JSON object"
    key = json.dumps(tool.parameters_schema, sort_keys=True)
    if key not in _validators:
        _validators[key] = Draft202012Validator(tool.parameters_schema)
    error = next(iter(sorted(_validators[key].iter_errors(arguments), key=lambda e: list(e.path))), None)
    if error is None:
        return None
    where = ".".join(str(p) for p in error.path)
    return f"{where}: {error.message}" if where else error.message


def bind(tool, arguments: dict) -> dict[str, Any]:
    """Parameter values by name: absent optionals are NULL, lists travel as JSON text, a
    `number` is a float (so `:n / 2` divides the same way on every engine)."""
    out = {}
    for name, prop in tool.parameters_schema["properties"].items():
        value = arguments.get(name)
        if name in tool.lists:
            value = json.dumps(value if value is not None else [])
        elif prop.get("type") == "number" and value is not None:
            value = float(value)
        out[name] = value
    return out
