"""JSON Schema of what a SELECT returns, derived from the schema and the expressions."""
from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types

from dslgen.sql.schema import DbSchema

ANY: dict = {}
_BY_SQL_TYPE = {
    "integer": {exp.DataType.Type.INT, exp.DataType.Type.BIGINT, exp.DataType.Type.SMALLINT,
                exp.DataType.Type.TINYINT},
    "number": {exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT, exp.DataType.Type.DECIMAL},
    "boolean": {exp.DataType.Type.BOOLEAN},
    "string": {exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR},
}


def json_type(schema: dict) -> str | None:
    """The non-null JSON type of a column schema, if there is one."""
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    return t


def non_null(schema: dict) -> dict:
    t = json_type(schema)
    return {**schema, "type": t} if t else schema


_SQL_TYPE = {"integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", "string": "TEXT"}


def select_types(ast: exp.Expression, schema: DbSchema, extra: dict[str, dict[str, dict]],
                 scope: dict[str, dict]) -> dict[str, dict] | None:
    """Output column → JSON Schema, for a SELECT (empty for anything else); None when a `*`
    covers a table whose columns are unknown. `extra`: the tool's own tables."""
    if not isinstance(ast, exp.Query):
        return {}
    tables = _tables(ast, schema, extra)
    annotated = _annotated(ast, schema, extra)
    out = {}
    for i, sel in enumerate(ast.selects):
        if _is_star(sel):
            if not _star_known(ast, sel, tables):
                return None
            out.update(_star(sel, tables))
            continue
        inner = sel.this if isinstance(sel, exp.Alias) else sel
        guess = annotated.selects[i] if annotated is not None else None
        out[sel.alias_or_name] = _expr_type(inner, guess, tables, scope)
    return out


def _tables(ast, schema: DbSchema, extra: dict[str, dict[str, dict]]) -> dict[str, dict[str, dict]]:
    """alias/name → {column: schema} for every table of the statement."""
    out: dict[str, dict[str, dict]] = {}
    for t in ast.find_all(exp.Table):
        name = t.name.lower()
        if name in extra:
            cols = extra[name]
        elif schema.table(name) is not None:
            cols = {c.name: c.json_schema() for c in schema.table(name).columns}
        else:
            continue
        out[name] = cols
        if t.alias:
            out[t.alias.lower()] = cols
    return out


def _star_known(ast, sel, tables: dict) -> bool:
    q = sel.table.lower() if isinstance(sel, exp.Column) else ""
    names = {t.alias.lower() or t.name.lower() for t in ast.find_all(exp.Table)}
    return (q in tables) if q else all(n in tables for n in names)


def _is_star(sel) -> bool:
    return isinstance(sel, exp.Star) or (isinstance(sel, exp.Column) and isinstance(sel.this, exp.Star))


def _star(sel, tables: dict) -> dict[str, dict]:
    """Columns a `*` or `t.*` expands to."""
    q = sel.table.lower() if isinstance(sel, exp.Column) else ""
    out: dict[str, dict] = {}
    seen = set()
    for alias, cols in tables.items():
        if (q and alias != q) or id(cols) in seen:
            continue
        seen.add(id(cols))
        out.update(cols)
    return out


def _annotated(ast, schema: DbSchema, extra: dict[str, dict[str, dict]]):
    mapping = {**schema.mapping(), **{name: {c: _SQL_TYPE.get(json_type(s) or "", "TEXT") for c, s in cols.items()}
                                      for name, cols in extra.items()}}
    try:
        return annotate_types(ast.copy(), schema=mapping)
    except Exception:  # noqa: BLE001 — type inference is best effort; the fallback is "any"
        return None


def _expr_type(node, guess, tables: dict, scope: dict[str, dict]) -> dict:
    if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
        return _column_type(node, tables)
    if isinstance(node, exp.Placeholder):
        return scope.get(node.name, ANY)
    if isinstance(node, exp.Count):
        return {"type": "integer"}
    if isinstance(node, exp.Literal):
        return {"type": "string"} if node.is_string else {"type": "number"}
    if isinstance(node, exp.Boolean):
        return {"type": "boolean"}
    return _from_sql_type(guess)


def _column_type(col: exp.Column, tables: dict) -> dict:
    name, q = col.name.lower(), col.table.lower()
    candidates = [tables[q]] if q in tables else list(tables.values())
    for cols in candidates:
        if name in cols:
            return cols[name]
    return ANY


def _from_sql_type(guess) -> dict:
    dtype = getattr(guess, "type", None)
    if dtype is None:
        return ANY
    for json_t, kinds in _BY_SQL_TYPE.items():
        if dtype.this in kinds:
            return {"type": [json_t, "null"]}
    return ANY

