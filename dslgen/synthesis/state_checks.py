"""Final-state checks derived from what some calls changed: one check per changed table, which
reads the changed rows by key and expects them as they are after the calls (so it is false
before them), and one per table that lost rows (expecting none of them left)."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from dslgen.spec.tasks import StateCheck
from dslgen.sql.inline import inline_values


def checks_from_changes(changes, schema, session) -> list[StateCheck]:
    """`changes`: dslgen.sql RowChanges; `session`: the database after the calls (expected
    values are read back from it, exactly as a check's query will see them)."""
    present, removed = defaultdict(list), defaultdict(list)
    for change in changes:
        (present if change.after is not None else removed)[change.table].append(change)
    checks = [_present_check(schema.table(t), rows, session) for t, rows in present.items()]
    return checks + [_removed_check(schema.table(t), rows) for t, rows in removed.items()]


def _present_check(table, changes, session) -> StateCheck:
    keys = _key_columns(table)
    changed = _changed_columns(table, keys, changes)
    columns = ", ".join([*keys, *changed]) if changed != list(keys) else ", ".join(keys)
    sql = inline_values(f"SELECT {columns} FROM {table.name} WHERE {_where(keys, changes)} "
                        f"ORDER BY {', '.join(keys)}", _key_values(changes))
    expect = [list(r.values()) for r in session.query(sql)]
    return StateCheck(sql=sql, expect=expect, description=_describe(table.name, changes, changed))


def _removed_check(table, changes) -> StateCheck:
    keys = _key_columns(table)
    sql = inline_values(f"SELECT COUNT(*) FROM {table.name} WHERE {_where(keys, changes)}", _key_values(changes))
    return StateCheck(sql=sql, expect=0, description=f"{table.name}: {len(changes)} row(s) removed")


def _key_columns(table) -> list[str]:
    return list(table.primary_key or table.column_names)


def _changed_columns(table, keys: list[str], changes) -> list[str]:
    """Columns whose value differs (every non-key column for an added row), in table order."""
    names = set()
    for c in changes:
        before = c.before or {}
        names |= {k for k, v in c.after.items() if k not in keys and (c.before is None or before.get(k) != v)}
    return [n for n in table.column_names if n in names] or list(keys)


def _where(keys: list[str], changes) -> str:
    """`k = :v` per key column; rows that differ only in the last key column share the rest
    (`order_id = '#W1' AND position IN (1, 2)`), others are joined with OR."""
    if len(changes) > 1 and len({c.key[:-1] for c in changes}) == 1:
        head = [f"{k} = :k0_{j}" for j, k in enumerate(keys[:-1])]
        last = ", ".join(f":k{i}_{len(keys) - 1}" for i in range(len(changes)))
        return " AND ".join([*head, f"{keys[-1]} IN ({last})"])
    rows = [" AND ".join(f"{k} = :k{i}_{j}" for j, k in enumerate(keys)) for i in range(len(changes))]
    return " OR ".join(f"({r})" if len(rows) > 1 and len(keys) > 1 else r for r in rows)


def _key_values(changes) -> dict[str, Any]:
    return {f"k{i}_{j}": v for i, c in enumerate(changes) for j, v in enumerate(c.key)}


def _describe(table: str, changes, changed: list[str]) -> str:
    added = sum(c.before is None for c in changes)
    keys = ", ".join(_key_text(c.key) for c in changes[:3]) + (", …" if len(changes) > 3 else "")
    what = f"{added} new row(s)" if added == len(changes) else f"{', '.join(changed)} as after the calls"
    return f"{table} {keys}: {what}"


def _key_text(key: tuple) -> str:
    return str(key[0]) if len(key) == 1 else "(" + ", ".join(map(str, key)) + ")"
