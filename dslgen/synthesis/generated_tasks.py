"""Tasks written by the generator model (the paper's task generation), then admitted like any.

The model sees the tables, the tools and a few rows (a limited data view) and writes a task
as constrained JSON: difficulty, a descriptive goal, what the user knows and must look up,
and a rubric (expected calls, checkpoints, final-state queries). Values may be copied from
the rows or written as placeholders (`{{ orders[0].order_id }}`) resolved against them.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import jinja2
from pydantic import ValidationError

from dslgen.spec.tasks import TaskSpec
from dslgen.synthesis.admission import TaskOracle
from dslgen.synthesis.proposals import Stop, prompt_context, proposals, strict_object
from dslgen.synthesis.reasons import Admission, Rejection
from dslgen.synthesis.values import render_string, render_value
from dslgen.templating import render

SOURCE = "generated"
_TEXT = {"type": "string", "minLength": 1, "maxLength": 240}
_VALUE = {"type": ["string", "number", "integer", "boolean", "null"], "maxLength": 80}


@dataclass(frozen=True)
class Limits:
    """How much a proposal may hold (also what bounds the model's output budget)."""

    calls: int = 3
    facts: int = 3
    checks: int = 2
    argument_chars: int = 60


def task_schema(tools, limits: Limits = Limits()) -> dict:
    """The JSON Schema a generated task must match: each expected call is one tool's name
    with that tool's own arguments."""
    calls = [strict_object({"tool": {"const": t.name}, "arguments": _short_strings(t.parameters_schema, limits)})
             for t in tools if not t.simulated]
    fact = strict_object({"name": {"type": "string", "minLength": 1, "maxLength": 30}, "value": {**_TEXT, "maxLength": 80}})
    check = strict_object({"sql": _TEXT, "expect": _VALUE})
    return strict_object({
        "difficulty": {"enum": ["easy", "medium", "hard"]},
        "goal": _TEXT,
        "known": {"type": "array", "items": fact, "maxItems": limits.facts},
        "unknown": {"type": "array", "items": {**_TEXT, "maxLength": 100}, "maxItems": limits.facts},
        "expected_calls": {"type": "array", "items": {"anyOf": calls}, "minItems": 1, "maxItems": limits.calls},
        "checkpoints": {"type": "array", "items": {**_TEXT, "maxLength": 120}, "maxItems": limits.checks},
        "final_state": {"type": "array", "items": check, "maxItems": limits.checks},
    })


def _short_strings(schema: dict, limits: Limits) -> dict:
    props = {}
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        if prop.get("type") == "string" and "enum" not in prop:
            prop["maxLength"] = min(prop.get("maxLength", limits.argument_chars), limits.argument_chars)
        props[name] = prop
    return {**schema, "properties": props}


def task_from_proposal(proposal: dict, rows: dict, task_id: str) -> TaskSpec | Rejection:
    """A proposal with its placeholders resolved against the rows the model saw."""
    try:
        data = {
            "id": task_id, "difficulty": proposal["difficulty"],
            "goal": render_string(proposal["goal"], rows),
            "known": {f["name"]: render_value(f["value"], rows) for f in proposal["known"]},
            "unknown": render_value(proposal["unknown"], rows),
            "rubric": {
                "expected_calls": [{"tool": c["tool"], "arguments": render_value(c["arguments"], rows)}
                                   for c in proposal["expected_calls"]],
                "checkpoints": [{"text": render_string(t, rows)} for t in proposal["checkpoints"]],
                "final_state": [{"sql": render_string(c["sql"], rows), "expect": render_value(c["expect"], rows)}
                                for c in proposal["final_state"]],
            },
        }
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, IndexError, KeyError) as exc:
        return Rejection(SOURCE, task_id, "render_failed", f"{type(exc).__name__}: {exc}", proposal)
    try:
        return TaskSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        return Rejection(SOURCE, task_id, "invalid", f"{'.'.join(map(str, err['loc']))}: {err['msg']}", data)


def generate_tasks(plan, backend, db, count: int, *, rows_per_table: int = 2,
                   limits: Limits = Limits(), id_prefix: str = "generated") -> Admission:
    """`count` proposals from the model; each admitted by the oracle or kept with its reason."""
    rng = random.Random(f"{plan.seed}|{SOURCE}")
    with db.fork() as session:
        context = prompt_context(plan, session, rows_per_table, rng)
    schema, written, candidates, out = task_schema(plan.tools, limits), [], [], Admission()
    name = lambda i: f"{id_prefix}-{i:04d}"  # noqa: E731
    prompt = lambda i: render(plan.prompts["task_generator"], **context, written=written)  # noqa: E731
    try:
        for index, value in proposals(backend, prompt, schema, count, plan.seed, SOURCE, name):
            made = value if isinstance(value, Rejection) else task_from_proposal(value, context["rows"], name(index))
            if isinstance(made, Rejection):
                out.rejected.append(made)
            else:
                candidates.append(made)
                written.append(made.goal)
    except Stop as stop:
        out.fault = stop.fault
    out.extend(TaskOracle(plan.tools, db).admit(candidates, SOURCE))
    return out
