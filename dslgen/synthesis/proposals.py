"""Asking the generator model for proposals, one constrained JSON output at a time.

Each output is validated against its schema by the backend (never trusting the constraint). A
model that gives no valid output for one proposal costs only that proposal (`model_failed`);
a server fault stops asking, and what was proposed so far is kept (`Admission.fault`).
"""
from __future__ import annotations

import random
from typing import Any, Callable, Iterator

from dslgen.backends import ContextLimitExceeded
from dslgen.errors import BackendError, InvalidModelOutput
from dslgen.synthesis.data_view import data_view
from dslgen.synthesis.reasons import Rejection


def strict_object(props: dict) -> dict:
    """An object schema with exactly these properties, all required."""
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


def prompt_context(plan, session, rows_per_table: int, rng: random.Random) -> dict:
    """What a generator prompt shows: the domain, its tables, tools and a few rows."""
    return {
        "domain": plan.domain, "policy": plan.policy,
        "tables": [{"name": t.name, "columns": t.column_names} for t in session.schema.tables],
        "tools": [{"name": t.name, "description": t.description,
                   "parameters": [f"{n}: {p.get('type', 'string')}" for n, p in t.parameters_schema["properties"].items()]}
                  for t in plan.tools],
        "rows": data_view(session, rows_per_table, rng),
    }


class Stop(Exception):
    """A server fault: no more proposals can be asked for."""

    def __init__(self, fault: BackendError):
        super().__init__(str(fault))
        self.fault = fault


def ask(backend, prompt: str, schema: dict, seed: int) -> Any:
    """One proposal; raises Stop on a server fault, returns an InvalidModelOutput otherwise."""
    try:
        return backend.generate_json([{"role": "user", "content": prompt}], schema, seed=seed)
    except (InvalidModelOutput, ContextLimitExceeded) as exc:
        return exc
    except BackendError as exc:
        raise Stop(exc) from None


def proposals(backend, prompt_for: Callable[[int], str], schema: dict, count: int, seed: int,
              source: str, name_for: Callable[[int], str]) -> Iterator[tuple[int, Any]]:
    """(index, value) for each of `count` proposals; a failed one comes as a Rejection."""
    for index in range(count):
        value = ask(backend, prompt_for(index), schema, seed * 1000 + index)
        if isinstance(value, BackendError):
            value = Rejection(source, name_for(index), "model_failed", str(value))
        yield index, value
