"""The database a dialogue runs on: the seeded master built from the plan (never from the
domain folder), and a fresh copy brought to a starting state."""
from __future__ import annotations

from typing import Any, Iterable

from dslgen.errors import RunError
from dslgen.plan import Plan


def open_database(plan: Plan, engine: str | None = None, url: str | None = None):
    """The seeded master copy on the spec's engine (or the one given); each dialogue forks it."""
    from dslgen.sql import Database

    engine = engine or plan.database.engine
    url = url or (plan.database.url if engine == plan.database.engine else None)
    return Database(plan.schema, dict(plan.seed_data.rows), engine, url, name=plan.domain)


def apply_start_calls(plan: Plan, db, calls: Iterable[Any]) -> None:
    """Bring a fresh copy of the seed database to a starting state: these calls, in order
    (each a StartCall or a {tool, arguments} dict), must all succeed."""
    for call in calls:
        name, arguments = _call_parts(call)
        tool = plan.tool(name)
        if tool is None:
            raise RunError(f"start state: unknown tool '{name}'", hint="name a tool of the domain")
        result = db.call(tool, arguments)
        if result.is_error:
            raise RunError(f"start state: {name}({arguments}) failed: {result.output}",
                           hint="a starting state must be reachable from the seed data")


def _call_parts(call: Any) -> tuple[str, dict]:
    if isinstance(call, dict):
        return call["tool"], call.get("arguments", {})
    return call.tool, call.arguments
