"""Column types of JSON rows, written as a dataset card's `features` so `datasets` loads a
file with one declared schema instead of guessing it chunk by chunk.

`datasets` infers types from the first ~10 MB of a JSON Lines file; a field that is null
there and a string later ("Couldn't cast array of type string to null") or a struct that
gains a key later breaks the load. Here the type of every column is inferred over all rows
and declared up front. A type is "string", "int64", "float64", "bool" or "null" (a value
only ever null), {"list": T} or {"struct": {name: T}}.
"""
from __future__ import annotations

from typing import Any, Iterable

Type = Any  # str | dict


class TypeConflict(ValueError):
    """Two rows give one field types that do not unify (a number here, a string there)."""


def infer(value: Any) -> Type:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return {"list": unify_all(infer(v) for v in value)}
    if isinstance(value, dict):
        return {"struct": {k: infer(v) for k, v in value.items()}}
    raise TypeConflict(f"not a JSON value: {type(value).__name__}")


def unify_all(types: Iterable[Type], path: str = "") -> Type:
    out: Type = "null"
    for t in types:
        out = unify(out, t, path)
    return out


def unify(a: Type, b: Type, path: str = "") -> Type:
    """The one type both values fit: null fits anything, an int fits a float, structs merge."""
    if a == "null" or a == b:
        return b
    if b == "null":
        return a
    if sorted(map(str, (a, b))) == ["float64", "int64"]:
        return "float64"
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        if "list" in a:
            return {"list": unify(a["list"], b["list"], path + "[]")}
        fields = dict(a["struct"])
        for name, t in b["struct"].items():
            fields[name] = unify(fields.get(name, "null"), t, f"{path}.{name}")
        return {"struct": fields}
    raise TypeConflict(f"{path or 'row'}: {_name(a)} in one row, {_name(b)} in another")


def row_type(rows: Iterable[dict]) -> dict[str, Type]:
    """The columns of all rows, each with its unified type."""
    merged = unify_all((infer(r) for r in rows))
    return merged["struct"] if isinstance(merged, dict) else {}


def declared(rows: list[dict]) -> tuple[dict[str, Type] | None, str]:
    """The columns to declare for these rows, or None and why not (types that conflict)."""
    try:
        return row_type(rows) or None, ""
    except TypeConflict as exc:
        return None, f"no declared schema: {exc}"


def to_yaml(columns: dict[str, Type]) -> list[dict]:
    """The `features:` list of a dataset card (the layout `datasets` reads and writes)."""
    return [{"name": name, **_yaml_type(t)} for name, t in columns.items()]


def _yaml_type(t: Type) -> dict:
    """{"dtype": "string"}, {"list": <inner>} or {"struct": [fields]}."""
    if isinstance(t, str):
        return {"dtype": t}
    if "struct" in t:
        return {"struct": to_yaml(t["struct"])}
    inner = _yaml_type(t["list"])
    if "dtype" in inner:
        return {"list": inner["dtype"]}
    return {"list": inner["struct"] if "struct" in inner else inner}


def _name(t: Type) -> str:
    return t if isinstance(t, str) else next(iter(t))
