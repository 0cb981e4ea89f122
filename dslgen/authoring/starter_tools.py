"""Starter tools for reflected tables: look-ups by primary and unique keys, lists by foreign
key, an update of each table's plain columns, and an insert where the caller knows the key.

Names are chosen so the tools pass `dslgen check`: a column `id` is called `<entity>_id`,
and a name that means different types in different tables is qualified by its table's
entity, so every shared name has one type across all tools (DSL407).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from dslgen.authoring.yaml_text import Flow
from dslgen.sql.reflect import Column, ForeignKey, Table

LIST_LIMIT = 20  # rows a list tool returns at most


def singular(name: str) -> str:
    name = name.strip("_")  # `order_` (a reserved word made safe) is still an order
    for plural, one in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")):
        if name.endswith(plural) and len(name) > len(plural) + 1:
            return name[: -len(plural)] + one
    if name.endswith("s") and not name.endswith(("ss", "us", "is")) and len(name) > 2:
        return name[:-1]
    return name


def spoken(name: str) -> str:
    return " ".join(w for w in name.split("_") if w)


@dataclass(frozen=True)
class Names:
    """What every column is called in parameters and returned documents."""

    fields: dict[tuple[str, str], str]  # (table, column) → field name

    def of(self, table: Table, column: str) -> str:
        return self.fields[(table.name, column)]


def field_names(tables: tuple[Table, ...]) -> Names:
    base = {(t.name, c.name): (f"{singular(t.name)}_id" if c.name == "id" else c.name)
            for t in tables for c in t.columns}
    types: dict[str, set[str]] = defaultdict(set)
    for t in tables:
        for c in t.columns:
            types[base[(t.name, c.name)]].add(c.json_type)
    fields = {}
    for t in tables:
        for c in t.columns:
            name = base[(t.name, c.name)]
            fields[(t.name, c.name)] = name if len(types[name]) == 1 else f"{singular(t.name)}_{c.name}"
    return Names(fields)


def starter_tools(tables: tuple[Table, ...], rows: dict[str, list[dict]]) -> list[dict]:
    names = field_names(tables)
    by_name = {t.name: t for t in tables}
    tools: list[dict] = []
    for t in tables:
        tool_rows = rows.get(t.name, [])
        if t.primary_key:
            tools.append(_lookup(t, t.primary_key, names, tool_rows, f"get_{singular(t.name)}"))
        for key in t.unique:
            tools.append(_lookup(t, key, names, tool_rows, f"find_{singular(t.name)}_by_{'_and_'.join(key)}"))
        for fk in t.foreign_keys:
            if fk.table in by_name:
                tools.append(_list_by(t, fk, by_name[fk.table], names, tool_rows))
        if t.primary_key and _plain_columns(t):
            tools.append(_update(t, names, tool_rows))
        if has_natural_key(t):
            tools.append(_insert(t, by_name, names, tool_rows))
    return _unique_names(tools)


def has_natural_key(t: Table) -> bool:
    """The caller can name a new row's key: not a single integer (a database-assigned id)."""
    if not t.primary_key:
        return False
    return len(t.primary_key) > 1 or t.column(t.primary_key[0]).type != "INTEGER"


def _plain_columns(t: Table) -> list[Column]:
    keyed = set(t.primary_key) | {c for fk in t.foreign_keys for c in fk.columns} | \
        {c for u in t.unique for c in u}
    return [c for c in t.columns if c.name not in keyed]


def _select(t: Table, names: Names) -> str:
    cols = [c.name if names.of(t, c.name) == c.name else f"{c.name} AS {names.of(t, c.name)}" for c in t.columns]
    return f"SELECT {', '.join(cols)}\nFROM {t.name}"


def _where(t: Table, columns: tuple[str, ...], names: Names) -> str:
    return " AND ".join(f"{c} = :{names.of(t, c)}" for c in columns)


def param(t: Table, column: str, rows: list[dict], *, required: bool = True, what: str = "") -> Flow:
    col = t.column(column)
    spec = Flow(type=col.json_type)
    example = next((r[column] for r in rows if r.get(column) is not None), None)
    text = what or f"The {spoken(singular(t.name))}'s {spoken(column)}"
    if example is not None and not col.enum:
        text += f", e.g. {example!r}" if isinstance(example, str) else f", e.g. {example}"
    spec["description"] = text + "."
    if col.enum:
        spec["enum"] = list(col.enum)
    if not required:
        spec["required"] = False
    return spec


def _key_params(t: Table, key: tuple[str, ...], names: Names, rows: list[dict]) -> dict:
    return {names.of(t, c): param(t, c, rows) for c in key}


def _not_found(t: Table) -> str:
    return f"Error: {spoken(singular(t.name))} not found"


def _lookup(t: Table, key: tuple[str, ...], names: Names, rows: list[dict], tool_name: str) -> dict:
    where = _where(t, key, names)
    return {
        "name": tool_name,
        "description": f"Look up one {spoken(singular(t.name))} by its {' and '.join(spoken(c) for c in key)}.",
        "parameters": _key_params(t, key, names, rows),
        "guards": [{"require": f"SELECT COUNT(*) FROM {t.name} WHERE {where}", "error": _not_found(t)}],
        "returns": {"row": f"{_select(t, names)}\nWHERE {where}"},
    }


def names_its_parent(t: Table, fk: ForeignKey) -> bool:
    """`orders.customer_id` names its parent; `students.advisor_id` (→ teachers) and
    `teachers.mentor_id` (→ teachers) do not, nor does a second key to the same parent."""
    alone = sum(1 for other in t.foreign_keys if other.table == fk.table) == 1
    return alone and fk.table != t.name and fk.columns[0].startswith(singular(fk.table))


def list_tool_name(t: Table, fk: ForeignKey) -> str:
    """`list_orders_of_customer`, or by the key's columns: `list_students_by_advisor_id`."""
    if names_its_parent(t, fk):
        return f"list_{t.name.strip('_')}_of_{singular(fk.table)}"
    return f"list_{t.name.strip('_')}_by_{'_and_'.join(fk.columns)}"


def _list_by(t: Table, fk: ForeignKey, parent: Table, names: Names, rows: list[dict]) -> dict:
    owner = spoken(singular(parent.name))
    params = {names.of(t, c): param(t, c, rows, what=f"The {owner}'s {spoken(r)}")
              for c, r in zip(fk.columns, fk.ref_columns)}
    where = _where(t, fk.columns, names)
    parent_where = " AND ".join(f"{r} = :{names.of(t, c)}" for c, r in zip(fk.columns, fk.ref_columns))
    order = ", ".join(t.primary_key or tuple(c.name for c in t.columns))
    return {
        "name": list_tool_name(t, fk),
        "description": f"List the {spoken(t.name)} of one {owner} (at most {LIST_LIMIT}).",
        "parameters": params,
        "guards": [{"require": f"SELECT COUNT(*) FROM {parent.name} WHERE {parent_where}", "error": _not_found(parent)}],
        "returns": {"rows": f"{_select(t, names)}\nWHERE {where}\nORDER BY {order}\nLIMIT {LIST_LIMIT}"},
    }


def _update(t: Table, names: Names, rows: list[dict]) -> dict:
    plain = _plain_columns(t)
    where = _where(t, t.primary_key, names)
    params = _key_params(t, t.primary_key, names, rows)
    for c in plain:
        params[names.of(t, c.name)] = param(t, c.name, rows, required=False,
                                            what=f"New {spoken(c.name)} (left as is when not given)")
    sets = ",\n    ".join(f"{c.name} = COALESCE(:{names.of(t, c.name)}, {c.name})" for c in plain)
    return {
        "name": f"update_{singular(t.name)}",
        "description": f"Change the {_or(spoken(c.name) for c in plain)} of one {spoken(singular(t.name))}; "
                       "what is not given stays as it is.",
        "parameters": params,
        "guards": [{"require": f"SELECT COUNT(*) FROM {t.name} WHERE {where}", "error": _not_found(t)}],
        "writes": [f"UPDATE {t.name}\nSET {sets}\nWHERE {where}"],
        "returns": {"row": f"{_select(t, names)}\nWHERE {where}"},
    }


def _insert(t: Table, by_name: dict[str, Table], names: Names, rows: list[dict]) -> dict:
    where = _where(t, t.primary_key, names)
    params = {names.of(t, c.name): param(t, c.name, rows, required=not c.nullable) for c in t.columns}
    guards = [{"reject": f"SELECT 1 FROM {t.name} WHERE {where}",
               "error": f"Error: {spoken(singular(t.name))} already exists"}]
    for fk in t.foreign_keys:
        parent = by_name.get(fk.table)
        if parent is None:
            continue
        found = " AND ".join(f"{r} = :{names.of(t, c)}" for c, r in zip(fk.columns, fk.ref_columns))
        exists = f"SELECT COUNT(*) FROM {parent.name} WHERE {found}"
        if any(t.column(c).nullable for c in fk.columns):
            exists = f"SELECT :{names.of(t, fk.columns[0])} IS NULL OR EXISTS ({exists})"
        guards.append({"require": exists, "error": _not_found(parent)})
    cols = ", ".join(c.name for c in t.columns)
    values = ", ".join(f":{names.of(t, c.name)}" for c in t.columns)
    return {
        "name": f"add_{singular(t.name)}",
        "description": f"Add a new {spoken(singular(t.name))}.",
        "parameters": params,
        "guards": guards,
        "writes": [f"INSERT INTO {t.name} ({cols})\nVALUES ({values})"],
        "returns": {"row": f"{_select(t, names)}\nWHERE {where}"},
    }


def _unique_names(tools: list[dict]) -> list[dict]:
    seen: dict[str, int] = {}
    for tool in tools:
        n = seen.get(tool["name"], 0)
        seen[tool["name"]] = n + 1
        if n:
            tool["name"] = f"{tool['name']}_{n + 1}"
    return tools


def _or(words) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
