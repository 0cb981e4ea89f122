"""Starter tasks for tools that did not come from `dslgen init` (e.g. imported ones): each
tool is called with arguments from the seed, and a tool whose call returns something becomes a
task that asks for exactly that call."""
from __future__ import annotations

from dslgen.authoring.project import schema_sql
from dslgen.authoring.sample_calls import seed_arguments
from dslgen.spec.tools import ToolSpec
from dslgen.sql import Database, ToolCompileError, compile_tool, parse_schema
from dslgen.sql.reflect import Table

EMPTY = ("[]", "null", "", "{}")


def tasks_for_tools(tools: list[dict], tables: tuple[Table, ...], rows: dict[str, list[dict]],
                    limit: int = 4) -> list[dict]:
    schema = parse_schema(schema_sql(tables, "the source"))
    db = Database(schema, {t.name: [tuple(r.get(c.name) for c in t.columns) for r in rows.get(t.name, [])]
                           for t in tables})
    tasks, fallback = [], None
    for tool in tools:
        try:
            compiled = compile_tool(ToolSpec.model_validate(tool), schema)
        except (ToolCompileError, ValueError):
            continue  # `dslgen check` says why
        args = seed_arguments(compiled.parameters_schema, [s.sql for s in compiled.statements], rows)
        with db.fork() as session:
            result = session.call(compiled, args)
        task = _task(tool, args)
        fallback = fallback or task
        if not result.is_error and result.output.strip() not in EMPTY:
            tasks.append(task)
        if len(tasks) == limit:
            break
    return tasks or ([fallback] if fallback else [])


def _task(tool: dict, args: dict) -> dict:
    what = tool["description"].rstrip(".")
    given = ", ".join(f"{k.replace('_', ' ')} {v!r}" for k, v in args.items())
    return {
        "id": f"use_{tool['name']}",
        "goal": f"You want this done: {what[0].lower() + what[1:]}" + (f" ({given})." if given else "."),
        "known": args,
        "rubric": {"expected_calls": [{"tool": tool["name"], "arguments": args}]},
    }
