"""The stop guard: a user may not end a task before its required calls have happened.

τ-bench users' most reported failure is a simulated user that ends the conversation
before the write it asked for. Required = the rubric's expected calls to tools that
write (or, for a read-only task, one of its expected calls); each must have succeeded with
matching arguments, and the task's final-state checks must hold in the dialogue's database.
"""
from __future__ import annotations

from typing import Any

from dslgen.sim.dialogue import CallRecord
from dslgen.spec.tasks import ExpectedCall, TaskSpec


def call_matches(expected: ExpectedCall, call: CallRecord) -> bool:
    """Same tool, succeeded, and every expected argument equal (others may be anything)."""
    return (call.name == expected.tool and not call.is_error
            and all(call.arguments.get(k) == v for k, v in expected.arguments.items()))


def missing_calls(task: TaskSpec, calls: list[CallRecord], writes: set[str]) -> list[ExpectedCall]:
    """Required calls with no matching successful call. Required: the expected write calls;
    for a task that only reads, at least one of its expected calls."""
    expected = task.rubric.expected_calls
    required = [c for c in expected if c.tool in writes]
    missing = [c for c in required if not any(call_matches(c, call) for call in calls)]
    if not required and expected and not any(call_matches(c, call) for c in expected for call in calls):
        missing = expected[-1:]
    return missing


def failed_state_checks(task: TaskSpec, db: Any) -> list[str]:
    """Descriptions (or SQL) of the task's final-state checks that do not hold now."""
    return [c.description or c.sql for c in task.rubric.final_state if not state_check_holds(c, db)]


def state_check_holds(check, db: Any) -> bool:
    rows = [list(r.values()) for r in db.query(check.sql)]
    expect = check.expect
    if not isinstance(expect, list):
        return len(rows) == 1 and len(rows[0]) == 1 and rows[0][0] == expect
    return rows == [list(r) if isinstance(r, (list, tuple)) else [r] for r in expect]


def why_not_done(task: TaskSpec, calls: list[CallRecord], writes: set[str], db: Any) -> list[str]:
    """What still has to happen before the task may end (empty = the user may stop)."""
    reasons = [f"the agent has not yet done {c.tool}" for c in missing_calls(task, calls, writes)]
    return reasons + [f"not yet true: {d}" for d in failed_state_checks(task, db)]
