"""Tasks from templates, no model: each row the template's `sample` query returns (on the seed
data) becomes one task, its strings rendered over the row's columns and its `choose`
variables, persona and difficulty picked per row with a seeded generator."""
from __future__ import annotations

import random
from typing import Any, Iterable

import jinja2
from pydantic import ValidationError

from dslgen.errors import RunError
from dslgen.spec.tasks import TaskSpec
from dslgen.sql.inline import InlineError, inline_values
from dslgen.synthesis.admission import TaskOracle
from dslgen.synthesis.reasons import Admission, Rejection
from dslgen.synthesis.values import render_string, render_value

SOURCE = "templates"


def sample_rows(template, session) -> list[dict]:
    """The rows a template turns into tasks (its query on the seed data, cut at `limit`)."""
    try:
        rows = session.query(template.sample)
    except RunError:
        raise
    except Exception as exc:  # noqa: BLE001 — an engine error in the query: name the template
        raise RunError(f"task template '{template.id}': its sample query failed ({type(exc).__name__}: {exc})",
                       hint="`dslgen check` checks the query's tables and columns") from None
    return rows[: template.limit] if template.limit else rows


def instantiate(template, row: dict[str, Any], index: int, seed: int) -> TaskSpec | Rejection:
    """One row → one task, or the reason it could not be made."""
    rng = random.Random(f"{seed}|{template.id}|{index}")  # a row's picks do not depend on other rows
    variables = {**row, **{k: rng.choice(v) for k, v in template.choose.items() if v}}
    task_id = f"{template.id}-{index:04d}"
    try:
        data = _task_data(template, variables, rng, task_id)
    except (jinja2.TemplateError, InlineError, TypeError, ValueError, AttributeError, IndexError) as exc:
        return Rejection(SOURCE, task_id, "render_failed", f"{type(exc).__name__}: {exc}", row)
    try:
        return TaskSpec.model_validate(data)
    except ValidationError as exc:
        return Rejection(SOURCE, task_id, "invalid", _first_error(exc), data)


def _task_data(template, variables: dict, rng: random.Random, task_id: str) -> dict:
    rubric = template.rubric
    return {
        "id": task_id,
        "goal": render_string(template.goal, variables),
        "request": render_string(template.request, variables) if template.request else None,
        "known": render_value(template.known, variables),
        "unknown": render_value(template.unknown, variables),
        "persona": _pick(template.persona, rng),
        "difficulty": _pick(template.difficulty, rng),
        "rubric": {
            "expected_calls": [{"tool": c.tool, "arguments": render_value(c.arguments, variables)}
                               for c in rubric.expected_calls],
            "checkpoints": [{"text": render_string(c.text, variables), "severity": c.severity}
                            for c in rubric.checkpoints],
            "final_state": [{"sql": inline_values(c.sql, variables), "expect": render_value(c.expect, variables),
                             "description": render_string(c.description, variables)} for c in rubric.final_state],
        },
    }


def _pick(choice: Any, rng: random.Random) -> Any:
    return rng.choice(choice) if isinstance(choice, list) else choice


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(map(str, err['loc']))}: {err['msg']}"


def expand(templates: Iterable, db, seed: int) -> tuple[list[TaskSpec], list[Rejection]]:
    """Every template's candidate tasks, and the rows that could not become one."""
    tasks, rejected = [], []
    with db.fork() as session:
        for template in templates:
            for index, row in enumerate(sample_rows(template, session)):
                made = instantiate(template, row, index, seed)
                (rejected if isinstance(made, Rejection) else tasks).append(made)
    return tasks, rejected


def tasks_from_templates(templates: Iterable, tools: Iterable, db, seed: int) -> Admission:
    """Candidates from every template, each admitted by the oracle or kept with its reason."""
    candidates, unmade = expand(templates, db, seed)
    admission = TaskOracle(tools, db).admit(candidates, SOURCE)
    admission.rejected = unmade + admission.rejected
    return admission
