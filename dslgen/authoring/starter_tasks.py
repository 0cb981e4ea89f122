"""Starter tasks built from sampled rows and the starter tools: a look-up, a list of one
owner's children, and a change of one value with a final-state check."""
from __future__ import annotations

from typing import Any

from dslgen.authoring.starter_tools import Names, list_tool_name, names_its_parent, singular, spoken
from dslgen.sql.reflect import Table


def starter_tasks(tables: tuple[Table, ...], rows: dict[str, list[dict]], tools: list[dict],
                  names: Names) -> list[dict]:
    by_name = {t["name"]: t for t in tools}
    tasks = []
    for make in (_lookup_task, _list_task, _update_task):
        task = make(tables, rows, by_name, names)
        if task is not None:
            tasks.append(task)
    return tasks


def _key_args(t: Table, row: dict, names: Names) -> dict[str, Any]:
    return {names.of(t, c): row[c] for c in t.primary_key}


def _described(args: dict[str, Any]) -> str:
    return " and ".join(f"{spoken(k)} {v}" for k, v in args.items())


def _lookup_task(tables, rows, tools, names) -> dict | None:
    candidates = [t for t in tables if f"get_{singular(t.name)}" in tools and rows.get(t.name)]
    if not candidates:
        return None
    t = max(candidates, key=lambda t: len(t.columns))
    row = rows[t.name][0]
    args = _key_args(t, row, names)
    shown = next((c for c in t.columns if c.name not in t.primary_key and row.get(c.name) is not None), None)
    entity = spoken(singular(t.name))
    task = {
        "id": f"look_up_{singular(t.name)}",
        "goal": f"You want to know the details of the {entity} with {_described(args)}.",
        "known": args,
        "difficulty": "easy",
        "rubric": {"expected_calls": [{"tool": f"get_{singular(t.name)}", "arguments": args}]},
    }
    if shown is not None:
        task["rubric"]["checkpoints"] = [{
            "text": f"The agent tells the user the {spoken(shown.name)} of the {entity} ({row[shown.name]}).",
            "severity": "noncritical"}]
    return task


def _list_task(tables, rows, tools, names) -> dict | None:
    keys = sorted(((t, fk) for t in tables for fk in t.foreign_keys), key=lambda k: not names_its_parent(*k))
    for t, fk in keys:
        tool = list_tool_name(t, fk)
        children = [r for r in rows.get(t.name, []) if all(r[c] is not None for c in fk.columns)]
        if tool not in tools or not children:
            continue
        args = {names.of(t, c): children[0][c] for c in fk.columns}
        whose = (f"of the {spoken(singular(fk.table))} with {_described(args)}" if names_its_parent(t, fk)
                 else "whose " + " and ".join(f"{spoken(k)} is {v}" for k, v in args.items()))
        return {
            "id": tool,
            "goal": f"You want to see the {spoken(t.name)} {whose}.",
            "known": args,
            "rubric": {"expected_calls": [{"tool": tool, "arguments": args}]},
        }
    return None


def _update_task(tables, rows, tools, names) -> dict | None:
    for t in reversed(tables):  # children first: their changes read more like real requests
        tool = tools.get(f"update_{singular(t.name)}")
        if tool is None or not rows.get(t.name):
            continue
        plain = [c for c in t.columns if names.of(t, c.name) in tool["parameters"] and c.name not in t.primary_key]
        for col in plain:
            row = rows[t.name][0]
            new = _new_value(col, row.get(col.name), [r.get(col.name) for r in rows[t.name]])
            if new is not None:
                return _update_task_for(t, row, col, new, tool["name"], names)
    return None


def _update_task_for(t: Table, row: dict, col, new: Any, tool: str, names: Names) -> dict:
    args = _key_args(t, row, names)
    entity = spoken(singular(t.name))
    where = " AND ".join(f"{c} = {_literal(row[c])}" for c in t.primary_key)
    return {
        "id": f"change_{singular(t.name)}_{col.name}",
        "goal": f"You want the {spoken(col.name)} of the {entity} with {_described(args)} changed to {new!r}.",
        "known": args,
        "rubric": {
            "expected_calls": [{"tool": tool, "arguments": {**args, names.of(t, col.name): new}}],
            "final_state": [{"sql": f"SELECT {col.name} FROM {t.name} WHERE {where}", "expect": new,
                             "description": f"the {entity}'s {spoken(col.name)} is {new!r}"}],
        },
    }


def _new_value(col, current: Any, seen: list[Any]) -> Any:
    """A different, plausible value for a column: another enum value, another row's value."""
    if current is None:
        return None
    if col.enum:
        return next((v for v in col.enum if v != current), None)
    if col.json_type == "boolean":
        return not current
    if col.json_type in ("integer", "number"):
        return current + 1
    other = next((v for v in seen if v is not None and v != current), None)
    return other if other is not None else f"{current} (changed)"


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
