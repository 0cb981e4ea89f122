"""The admission oracle for tasks, whatever proposed them.

A task is admitted only when its expected calls, replayed in order on a fresh copy of the seed
database, all succeed (a look-up whose rubric names only some arguments is not replayed: it
changes nothing), and its final-state checks are false before the calls and true after (a
write task that changes nothing is rejected). A read-only task's checks, if any, must hold
after its calls. A task that `follows` another starts from the state its predecessors reach.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Iterable, Sequence

from dslgen.errors import RunError
from dslgen.sim.stop_guard import state_check_holds
from dslgen.spec.tasks import ExpectedCall, TaskSpec
from dslgen.synthesis.reasons import Admission, Rejection

Verdict = tuple[str, str] | None  # (reason, detail), or None: admitted


class TaskOracle:
    """Replays tasks on forks of `db` (a dslgen.sql.Database) with the plan's compiled tools."""

    def __init__(self, tools: Iterable, db):
        self.tools = {t.name: t for t in tools}
        self.db = db

    def admit(self, tasks: Iterable[TaskSpec], source: str) -> Admission:
        """Every task checked; duplicates (same content under another id) are rejected too."""
        out, seen, chains = Admission(), set(), {}
        for task in tasks:
            prelude = chains.get(task.follows, []) if task.follows else []
            verdict = self._follows_rejected(task, chains) or self.verdict(task, prelude)
            key = _content_key(task)
            if verdict is None and key in seen:
                verdict = ("duplicate", "another admitted task has the same goal, calls and checks")
            if verdict is None:
                seen.add(key)
                chains[task.id] = prelude + list(task.rubric.expected_calls)
                out.admitted.append(task)
            else:
                out.rejected.append(Rejection(source, task.id, *verdict, task.model_dump(exclude_defaults=True)))
        return out

    def _follows_rejected(self, task: TaskSpec, chains: dict) -> Verdict:
        if task.follows and task.follows not in chains:
            return ("call_failed", f"it follows task '{task.follows}', which was not admitted")
        return None

    def verdict(self, task: TaskSpec, prelude: Sequence[ExpectedCall] = ()) -> Verdict:
        """Why `task` is not admitted, or None. `prelude`: calls that bring the state to where
        the task starts (the expected calls of the tasks it follows)."""
        calls, checks = list(task.rubric.expected_calls), list(task.rubric.final_state)
        if not calls and not checks:
            return ("unverifiable", "no expected calls and no final_state checks")
        unknown = next((c.tool for c in [*prelude, *calls] if c.tool not in self.tools), None)
        if unknown is not None:
            return ("unknown_tool", f"no tool named '{unknown}'")
        writes = any(self.tools[c.tool].writes for c in calls)
        with self.db.fork() as session:
            return self._replayed(session, prelude, calls, checks, writes)

    def _replayed(self, session, prelude, calls, checks, writes: bool) -> Verdict:
        failed = self._replay(session, prelude, "the task it follows: ")
        if failed:
            return failed
        before = _holding(session, checks)
        if isinstance(before, tuple):
            return before
        digest = session.digest() if writes and not checks else None
        failed = self._replay(session, calls)
        if failed:
            return failed
        after = _holding(session, checks)
        if isinstance(after, tuple):
            return after
        return _compare(checks, before, after, writes, digest, session)

    def _replay(self, session, calls: Sequence[ExpectedCall], where: str = "") -> Verdict:
        for i, call in enumerate(calls, 1):
            tool = self.tools[call.tool]
            missing = [p for p in tool.parameters_schema.get("required", []) if p not in call.arguments]
            if missing and not tool.writes:
                continue  # a look-up with any arguments (the rubric names only some): it changes nothing
            if missing:
                return ("incomplete_call", f"{where}call {i} {call.tool} has no {', '.join(missing)}")
            result = session.call(tool, call.arguments)
            if result.is_error:
                return ("call_failed", f"{where}call {i} {call.tool}({_short(call.arguments)}): {result.output}")
        return None


def _compare(checks, before: list[bool], after: list[bool], writes: bool, digest, session) -> Verdict:
    for check, was, now in zip(checks, before, after):
        label = check.description or check.sql
        if writes and was:
            return ("already_holds", f"holds before the calls: {label}")
        if not now:
            return ("not_reached", f"does not hold after the calls: {label}")
    if digest is not None and session.digest() == digest:
        return ("no_change", "the write calls leave the database as it was")
    return None


def _holding(session, checks) -> list[bool] | tuple[str, str]:
    """Whether each check holds now, or ("bad_check", why) when a query does not run."""
    out = []
    for check in checks:
        try:
            out.append(state_check_holds(check, session))
        except (RunError, sqlite3.Error) as exc:
            return ("bad_check", f"{check.sql!r}: {exc}")
        except Exception as exc:  # noqa: BLE001 — a PostgreSQL error for a bad query, anything else is a bug
            if not type(exc).__module__.startswith("psycopg"):
                raise
            return ("bad_check", f"{check.sql!r}: {type(exc).__name__}")
    return out


def _content_key(task: TaskSpec) -> str:
    return json.dumps(task.model_dump(exclude={"id"}), sort_keys=True, default=str)


def _short(arguments: dict, limit: int = 120) -> str:
    text = json.dumps(arguments, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
