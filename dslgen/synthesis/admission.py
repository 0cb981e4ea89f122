"""The admission oracle for tasks, whatever proposed them.

A task is admitted only when its expected calls, replayed in order on a fresh copy of the seed
database, all succeed, and its final-state checks are not all true before the calls and all
true after (a check that holds throughout is an invariant, "the budget is unchanged"; a write
task that changes nothing is rejected). A read-only task's checks, if any, must hold after its
calls. A task that `follows` another starts from the state its predecessors reach.

A rubric may name only some arguments of a call (any value of the others is accepted): a
look-up named so is not replayed (it changes nothing); a write gets each missing argument from
what the user knows, else a value drawn from the seed data.
"""
from __future__ import annotations

import json
import random
import sqlite3
from typing import Iterable, Sequence

from dslgen.errors import RunError
from dslgen.sim.stop_guard import state_check_holds
from dslgen.spec.tasks import ExpectedCall, TaskSpec
from dslgen.synthesis.data_view import ArgumentSampler
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
            verdict, calls = self._follows_rejected(task, chains) or self._judged(task, prelude)
            key = _content_key(task)
            if verdict is None and key in seen:
                verdict = ("duplicate", "another admitted task has the same goal, calls and checks")
            if verdict is None:
                seen.add(key)
                chains[task.id] = prelude + calls
                out.admitted.append(task)
            else:
                out.rejected.append(Rejection(source, task.id, *verdict, task.model_dump(exclude_defaults=True)))
        return out

    def _follows_rejected(self, task: TaskSpec, chains: dict) -> tuple[Verdict, list] | None:
        if task.follows and task.follows not in chains:
            return ("call_failed", f"it follows task '{task.follows}', which was not admitted"), []
        return None

    def verdict(self, task: TaskSpec, prelude: Sequence[ExpectedCall] = ()) -> Verdict:
        """Why `task` is not admitted, or None. `prelude`: calls that bring the state to where
        the task starts (the expected calls of the tasks it follows)."""
        return self._judged(task, prelude)[0]

    def _judged(self, task: TaskSpec, prelude: Sequence[ExpectedCall]) -> tuple[Verdict, list[ExpectedCall]]:
        """The verdict, and the calls as replayed (write arguments the rubric left open filled in)."""
        calls, checks = list(task.rubric.expected_calls), list(task.rubric.final_state)
        if not calls and not checks:
            return ("unverifiable", "no expected calls and no final_state checks"), calls
        unknown = next((c.tool for c in [*prelude, *calls] if c.tool not in self.tools), None)
        if unknown is not None:
            return ("unknown_tool", f"no tool named '{unknown}'"), calls
        writes = any(self.tools[c.tool].writes for c in calls)
        with self.db.fork() as session:
            calls = self._completed(task, calls, session)
            return self._replayed(session, prelude, calls, checks, writes), calls

    def _completed(self, task: TaskSpec, calls: list[ExpectedCall], session) -> list[ExpectedCall]:
        """Write calls with every argument: one the rubric leaves open comes from what the
        user knows, else from the seed data (drawn before any call runs, seeded by the task)."""
        sampler, out = ArgumentSampler(session, random.Random(task.id)), []
        for call in calls:
            tool = self.tools[call.tool]
            props = tool.parameters_schema.get("properties", {})
            filled = {p: task.known[p] if p in task.known else sampler.value(p, props.get(p, {}))
                      for p in (_missing(tool, call) if tool.writes else [])}
            out.append(call.model_copy(update={"arguments": {**call.arguments, **filled}}) if filled else call)
        return out

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
            if _missing(tool, call):
                continue  # a look-up with any arguments (the rubric names only some): it changes nothing
            result = session.call(tool, call.arguments)
            if result.is_error:
                return ("call_failed", f"{where}call {i} {call.tool}({_short(call.arguments)}): {result.output}")
        return None


def _missing(tool, call: ExpectedCall) -> list[str]:
    return [p for p in tool.parameters_schema.get("required", []) if p not in call.arguments]


def _compare(checks, before: list[bool], after: list[bool], writes: bool, digest, session) -> Verdict:
    if writes and checks and all(before):
        labels = "; ".join(c.description or c.sql for c in checks)
        return ("already_holds", f"every check holds before the calls: {labels}")
    for check, now in zip(checks, after):
        if not now:
            return ("not_reached", f"does not hold after the calls: {check.description or check.sql}")
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
