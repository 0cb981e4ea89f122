"""Check a finished dialogue against its tasks' rubrics.

Every item is sorted into a category (the paper's): critical, structural, noncritical, and
invalid_rubric for a checkpoint the judge finds does not apply. Only a failed critical item
rejects a dialogue. Expected write calls and final-state checks are critical (a different
but equivalent read sequence passes); expected read calls are structural, except that a
read-only task needs at least one of them. Every tool call is re-checked against its tool's
schema, and every simulated output against its tool's output schema (critical): the
constraint is never trusted blindly. A dialogue cut short (a server fault, a full context
window, invalid model output, too many failed calls) fails the critical `ran_to_end` item.
"""
from __future__ import annotations

import json

import jsonschema

from dslgen.backends import ContextLimitExceeded
from dslgen.errors import BackendError, InvalidModelOutput
from dslgen.sim.dialogue import Dialogue
from dslgen.sim.stop_guard import call_matches, missing_calls, state_check_holds
from dslgen.sql.arguments import invalid
from dslgen.validate.judge import Judge
from dslgen.validate.result import REJECTING_ENDS, Category, Item, ValidationResult, reasons_of

CRITICAL, STRUCTURAL, NONCRITICAL = Category.CRITICAL, Category.STRUCTURAL, Category.NONCRITICAL


def validate(plan, dialogue: Dialogue, db, judge: Judge | None = None, prior: list[Item] = ()) -> ValidationResult:
    """Every rubric item of every task, after `prior` items (quality filters, the state
    replay). Checkpoints go to `judge`, but only for a dialogue that passed every checked
    critical item so far (a judge call costs a model call)."""
    items = list(prior) + _run_items(dialogue) + _schema_items(plan, dialogue)
    for index, run in enumerate(dialogue.tasks):
        items += _task_items(plan, dialogue, index, run.task, db)
    failed = not all(i.passed for i in items if i.category is CRITICAL)
    why_unjudged = ("not judged: the dialogue already failed a critical item" if failed
                    else "not judged: the validate stage has no judge")
    for index, run in enumerate(dialogue.tasks):
        items += _checkpoint_items(dialogue, index, run.task, None if failed else judge, why_unjudged)
    return ValidationResult(items, reasons_of(items, dialogue.termination))


def _run_items(d: Dialogue) -> list[Item]:
    ended = d.termination.value if d.termination else "no end recorded"
    ran = d.termination is not None and d.termination not in REJECTING_ENDS
    return [Item(None, "ran_to_end", f"dialogue ran to an end ({ended})", CRITICAL, ran)]


def _schema_items(plan, d: Dialogue) -> list[Item]:
    bad = [c.name for c in d.calls if not _arguments_valid(plan.tool(c.name), c.arguments)]
    text = "every tool call matches its tool's schema" + (f" (not: {', '.join(bad)})" if bad else "")
    items = [Item(None, "arguments_valid", text, CRITICAL, not bad)]
    simulated = [c for c in d.calls if c.simulated and not c.is_error]
    if simulated:
        bad = [c.name for c in simulated if not _output_valid(plan.tool(c.name), c.output)]
        text = "every simulated output matches its tool's output schema" + (
            f" (not: {', '.join(bad)})" if bad else "")
        items.append(Item(None, "simulated_outputs_valid", text, CRITICAL, not bad))
    return items


def _arguments_valid(tool, arguments: dict) -> bool:
    return tool is not None and invalid(tool, arguments) is None


def _output_valid(tool, output: str) -> bool:
    try:
        document = json.loads(output)
    except ValueError:
        return False
    return tool is not None and not list(jsonschema.Draft202012Validator(tool.return_schema).iter_errors(document))


def _task_items(plan, d: Dialogue, index: int, task, db) -> list[Item]:
    calls = [c for c in d.calls if c.task_index == index]
    writes = plan.write_tools
    items = []
    if task.rubric.expected_calls and not any(c.tool in writes for c in task.rubric.expected_calls):
        # a read-only task is solved by looking something up: at least one expected call
        done = not missing_calls(task, calls, writes)
        items.append(Item(task.id, "needed_call", "the agent made a call the task needs", CRITICAL, done))
    for exp in task.rubric.expected_calls:
        tool = plan.tool(exp.tool)
        category = CRITICAL if tool is not None and tool.writes else STRUCTURAL
        items.append(Item(task.id, f"expected_call:{exp.tool}", f"called {exp.tool} {exp.arguments or ''}".strip(),
                          category, any(call_matches(exp, c) for c in calls)))
    for n, check in enumerate(task.rubric.final_state):
        items.append(Item(task.id, f"final_state:{n}", check.description or check.sql, CRITICAL,
                          state_check_holds(check, db)))
    run = d.tasks[index]
    items.append(Item(task.id, "user_confirmed", "the user confirmed the task done", NONCRITICAL,
                      run.user_completed))
    return items


def _checkpoint_items(d: Dialogue, index: int, task, judge: Judge | None, why_unjudged: str) -> list[Item]:
    items = []
    for j, point in enumerate(task.rubric.checkpoints):
        code = f"checkpoint:{j}"
        if judge is None:
            items.append(Item(task.id, code, point.text, Category.UNJUDGED, False, why_unjudged))
            continue
        try:
            verdict, reason = judge.verdict(task.goal, point.text, _task_messages(d, index), f"{d.id}|{index}|{j}")
        except BackendError as exc:
            # unjudged is not passed; a server fault also stops the run once this is saved
            items.append(Item(task.id, code, point.text, Category(point.severity), False, f"judge failed: {exc}"))
            if not isinstance(exc, (InvalidModelOutput, ContextLimitExceeded)) and d.fault is None:
                d.fault = exc
            continue
        category = Category.INVALID_RUBRIC if verdict == "invalid_rubric" else Category(point.severity)
        items.append(Item(task.id, code, point.text, category, verdict == "met", reason))
    return items


def _task_messages(d: Dialogue, index: int) -> list[dict]:
    """The messages of one task: from where it began to where the next one began."""
    end = d.tasks[index + 1].first_message if index + 1 < len(d.tasks) else len(d.messages)
    return d.messages[d.tasks[index].first_message:end]
