"""Returned documents: compile a Doc tree (with its JSON Schema) and build it from rows."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Callable

from sqlglot import exp

from dslgen.sql import analysis as an
from dslgen.sql.compiled import CompiledDoc
from dslgen.sql.problems import Problem
from dslgen.sql.scope import Scope
from dslgen.sql.types import ANY, kind, named, non_null, output_name

# run(statement, scope) → list of row dicts
Runner = Callable[[Any, dict], list[dict]]


def compile_doc(c, doc, path: tuple, scope: Scope, columns: dict[str, dict] | None) -> CompiledDoc:
    """`columns`: the enclosing row's column schemas (what `column` and `fields` read); None
    when they are unknown (a `*` over a table with unknown columns)."""
    built = _compile(c, doc, path, scope, columns)
    _need(c, doc.present_if, columns, path + ("present_if",))
    return replace(built, present_if=doc.present_if) if doc.present_if else built


def _compile(c, doc, path: tuple, scope: Scope, columns: dict[str, dict] | None) -> CompiledDoc:
    if doc.column is not None:
        return _column(c, doc.column, columns, doc.omit_if_null, path + ("column",))
    src = doc.query_source
    if src is None:
        return _fields(c, doc, path, scope, columns, None)
    stmt = c.statement(an.Snippet(path + (src,), getattr(doc, src), "doc"), scope)
    if stmt is None:
        return CompiledDoc(src)
    row = stmt.columns if stmt.known else None
    row_scope = scope.with_names(stmt.columns)
    if src != "value":
        unnamed_columns(c, path + (src,), getattr(doc, src))
    if src == "value":
        first = next(iter(stmt.columns.values()), ANY)
        return CompiledDoc("value", stmt, omit_if_null=doc.omit_if_null, schema=first)
    _need(c, doc.key, row, path + ("key",))
    element = _element(c, doc, path, row_scope, row, src, stmt)
    if src == "row":
        return CompiledDoc("row", stmt, key=None, fields=element.fields, item=element.item,
                           omit_if_null=doc.omit_if_null, schema=element.schema)
    schema = {"type": "array", "items": element.schema} if src == "rows" else \
        {"type": "object", "additionalProperties": element.schema}
    return CompiledDoc(src, stmt, key=doc.key, fields=element.fields, item=element.item,
                       omit_if_null=doc.omit_if_null, schema=schema)


def _element(c, doc, path, scope, columns, src, stmt) -> CompiledDoc:
    """What each row becomes: `fields`, `item`, the one value column, or all columns."""
    if doc.fields is not None:
        return _fields(c, doc, path, scope, columns, stmt)
    if doc.item is not None:
        item = doc.item if not isinstance(doc.item, str) else type(doc)(column=doc.item)
        where = path + ("item",)
        built = compile_doc(c, item, where, scope, columns) if not isinstance(doc.item, str) else \
            _column(c, doc.item, columns, False, where)
        return CompiledDoc("item", item=built, schema=built.schema)
    known = columns if columns is not None else stmt.columns
    values = [k for k in known if not (src == "map" and k == doc.key)]
    if len(values) == 1:
        built = _column(c, values[0], known, False, path)
        return CompiledDoc("item", item=built, schema=built.schema)
    fields = tuple((k, _column(c, k, known, False, path)) for k in values)
    return CompiledDoc("fields", fields=fields, schema=_object_schema(fields))


def _fields(c, doc, path, scope, columns, stmt) -> CompiledDoc:
    out = []
    for key, child in doc.fields.items():
        where = path + ("fields", key)
        if isinstance(child, str):
            out.append((key, _column(c, child, columns, False, where)))
        else:
            out.append((key, compile_doc(c, child, where, scope, columns)))
    fields = tuple(out)
    return CompiledDoc("fields", stmt, fields=fields, omit_if_null=doc.omit_if_null, schema=_object_schema(fields))


def _column(c, name: str, columns: dict[str, dict] | None, omit: bool, path: tuple) -> CompiledDoc:
    _need(c, name, columns, path)
    schema = (columns or {}).get(name, ANY)
    return CompiledDoc("column", column=name, omit_if_null=omit, schema=non_null(schema) if omit else schema)


def _need(c, column: str | None, columns: dict[str, dict] | None, path: tuple) -> None:
    """DSL408: a document reads only columns its query returns (a typo would be a silent null)."""
    if column is None or columns is None or column in columns:
        return
    c.report(path, Problem("DSL408", f"the document reads column '{column}' that its query does not return",
                           hint=an.did_you_mean(column, columns) or f"the query returns {', '.join(columns) or 'nothing'}"),
             in_text=False)


def unnamed_columns(c, path: tuple, text: str) -> None:
    """DSL415: a document shows column names, and the engines name an unnamed expression
    differently (SQLite `COUNT(*)`, PostgreSQL `count`): it needs `AS name`."""
    ast = an.parse(text)
    for sel in ast.selects if isinstance(ast, exp.Query) else ():
        if not named(sel):
            c.report(path, Problem("DSL415", f"the column '{output_name(sel)}' has a different name on each engine",
                                   *an.node_position(text, sel), hint=f"name it: {output_name(sel)} AS name"))


def _object_schema(fields) -> dict:
    props = {k: v.schema for k, v in fields}
    required = [k for k, v in fields if not (v.omit_if_null or v.present_if)]
    return {"type": "object", "properties": props, "required": required}


# --- runtime -------------------------------------------------------------------------


def build(doc: CompiledDoc, scope: dict, run: Runner) -> Any:
    if doc.kind == "column":
        return convert(scope.get(doc.column), doc.schema)
    if doc.kind == "fields":
        return _build_fields(doc, scope, run)
    if doc.kind == "item":
        return build(doc.item, scope, run)
    rows = run(doc.stmt, scope)
    if doc.kind == "value":
        return convert(next(iter(rows[0].values())), doc.schema) if rows else None
    if doc.kind == "row":
        return _build_element(doc, {**scope, **rows[0]}, run) if rows else None
    if doc.kind == "rows":
        return [_build_element(doc, {**scope, **r}, run) for r in rows]
    return {str(r[doc.key]): _build_element(doc, {**scope, **r}, run) for r in rows}


def _build_element(doc: CompiledDoc, scope: dict, run: Runner) -> Any:
    if doc.item is not None:
        return build(doc.item, scope, run)
    return _build_fields(doc, scope, run)


def _build_fields(doc: CompiledDoc, scope: dict, run: Runner) -> dict:
    out = {}
    for key, child in doc.fields:
        if child.present_if and scope.get(child.present_if) is None:
            continue
        value = build(child, scope, run)
        if value is None and child.omit_if_null:
            continue
        out[key] = value
    return out


def convert(value: Any, schema: dict) -> Any:
    """Engine value → JSON value of its type, the same on every engine: SQLite booleans are
    0/1 and whole NUMERICs ints, PostgreSQL booleans are bools and NUMERICs Decimals."""
    if value is None:
        return None
    k = kind(schema)
    if k == "boolean":
        return bool(value)
    if k == "decimal" or (k is None and isinstance(value, Decimal)):
        return decimal_value(value)
    if k == "number" and not isinstance(value, bool):
        return float(value)
    if k == "integer" and isinstance(value, (Decimal, float)) and value == int(value):
        return int(value)
    return value


def decimal_value(value: Any) -> int | float:
    """An exact amount: an int when whole, else a float to 10 places (hides the last bits by
    which SQLite's double arithmetic and PostgreSQL's exact NUMERIC differ)."""
    number = round(float(value), 10)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number
