"""JSON Schema of what a SELECT returns, from the schema's column types and the expressions.

A value is `integer`, `number` (a float), `number` with `format: decimal` (an exact amount,
from a NUMERIC/DECIMAL column or cast: shown without a fraction when whole), `string` or
`boolean`. The type decides how a value is rendered, so both engines render it the same
(SQLite gives 0/1 for a comparison and an int for a whole NUMERIC, PostgreSQL gives a
bool and a Decimal).
"""
from __future__ import annotations

from sqlglot import exp

from dslgen.sql.schema import DbSchema

ANY: dict = {}
DECIMAL = {"type": "number", "format": "decimal"}
_CAST_TYPES = {
    "integer": {exp.DataType.Type.INT, exp.DataType.Type.BIGINT, exp.DataType.Type.SMALLINT, exp.DataType.Type.TINYINT},
    "number": {exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT},
    "decimal": {exp.DataType.Type.DECIMAL},
    "boolean": {exp.DataType.Type.BOOLEAN},
    "string": {exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR},
}
_BOOLEAN = (exp.Predicate, exp.Connector, exp.Not, exp.Exists, exp.Boolean)
_STRING = (exp.DPipe, exp.Concat, exp.Lower, exp.Upper, exp.Trim, exp.Substring)
_SAME_AS_ARGS = (exp.Sum, exp.Min, exp.Max, exp.Abs, exp.Neg, exp.Paren, exp.Coalesce, exp.Nullif,
                 exp.Case, exp.If, exp.Add, exp.Sub, exp.Mul, exp.Div)


def json_type(schema: dict) -> str | None:
    """The non-null JSON type of a column schema, if there is one."""
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    return t


def schema_fields(schema: dict):
    """(property name, schema) of every object property in a JSON Schema tree."""
    for name, sub in (schema.get("properties") or {}).items():
        yield name, sub
        yield from schema_fields(sub)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from schema_fields(schema[key])


def non_null(schema: dict) -> dict:
    t = json_type(schema)
    return {**schema, "type": t} if t else schema


def nullable(schema: dict) -> dict:
    t = json_type(schema)
    return {**schema, "type": [t, "null"]} if t else schema


def kind(schema: dict) -> str | None:
    """integer | number | decimal | string | boolean | None (unknown)."""
    t = json_type(schema)
    return "decimal" if t == "number" and schema.get("format") == "decimal" else t


def of_kind(k: str | None, null: bool = True) -> dict:
    if k is None:
        return ANY
    schema = dict(DECIMAL) if k == "decimal" else {"type": k}
    return nullable(schema) if null else schema


def select_types(ast: exp.Expression, schema: DbSchema, extra: dict[str, dict[str, dict]],
                 scope: dict[str, dict]) -> dict[str, dict] | None:
    """Output column → JSON Schema, for a SELECT (empty for anything else); None when a `*`
    covers a table whose columns are unknown. `extra`: the tool's own tables."""
    if not isinstance(ast, exp.Query):
        return {}
    if isinstance(ast, exp.SetOperation):
        return select_types(ast.this, schema, extra, scope)
    tables = _tables(ast, schema, extra)
    out = {}
    for sel in ast.selects:
        if _is_star(sel):
            if not _star_known(ast, sel, tables):
                return None
            out.update(_star(sel, tables))
            continue
        inner = sel.this if isinstance(sel, exp.Alias) else sel
        out[output_name(sel)] = _Infer(tables, scope, schema, extra).type(inner)
    return out


def output_name(sel: exp.Expression) -> str:
    """A selected column's name: its alias or column name; an unnamed expression is shown as
    written (SQLite names it so, PostgreSQL differently: see `unnamed`)."""
    return sel.alias_or_name if named(sel) else sel.sql(dialect="sqlite")


def named(sel: exp.Expression) -> bool:
    return isinstance(sel, (exp.Alias, exp.Column)) or _is_star(sel)


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


def _is_star(sel) -> bool:
    return isinstance(sel, exp.Star) or (isinstance(sel, exp.Column) and isinstance(sel.this, exp.Star))


def _star_known(ast, sel, tables: dict) -> bool:
    q = sel.table.lower() if isinstance(sel, exp.Column) else ""
    names = {t.alias.lower() or t.name.lower() for t in ast.find_all(exp.Table)}
    return (q in tables) if q else all(n in tables for n in names)


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


class _Infer:
    """The type of an expression, from its columns, parameters, literals and operators."""

    def __init__(self, tables, scope, schema, extra):
        self.tables, self.scope, self.schema, self.extra = tables, scope, schema, extra

    def type(self, node: exp.Expression) -> dict:
        if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
            return _column_type(node, self.tables)
        if isinstance(node, exp.Placeholder):
            return self.scope.get(node.name, ANY)
        if isinstance(node, exp.Literal):
            return {"type": "string" if node.is_string else "number" if "." in node.this else "integer"}
        if isinstance(node, (exp.Count, exp.Length, exp.Mod, exp.RowNumber, exp.Rank, exp.DenseRank)):
            return {"type": "integer"}
        if isinstance(node, _BOOLEAN):
            return {"type": "boolean"}
        if isinstance(node, _STRING):
            return nullable({"type": "string"})
        if isinstance(node, (exp.Avg, exp.Round)):
            return nullable({"type": "number"})
        if isinstance(node, exp.Cast):
            return self._cast(node)
        if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Query):
            inner = select_types(node.this, self.schema, self.extra, self.scope) or {}
            return nullable(next(iter(inner.values()), ANY))
        if isinstance(node, exp.Window):
            return self.type(node.this)
        if isinstance(node, _SAME_AS_ARGS):
            return self._unified(node)
        return ANY

    def _cast(self, node: exp.Cast) -> dict:
        dtype = node.to.this if isinstance(node.to, exp.DataType) else None
        k = next((k for k, kinds in _CAST_TYPES.items() if dtype in kinds), None)
        return of_kind(k, null=True) if k else ANY

    def _unified(self, node: exp.Expression) -> dict:
        """Numbers mix as SQL mixes them (integer, then decimal, then number win); NULL is
        possible unless the operands rule it out (COALESCE: one of them is never NULL)."""
        types = [self.type(a) for a in _operands(node) if not isinstance(a, exp.Null)]
        kinds = [kind(t) for t in types]
        if not kinds or None in kinds:
            return ANY
        maybe_null = ["null" in str(t.get("type")) for t in types]
        if isinstance(node, exp.Coalesce):
            null = all(maybe_null)
        else:
            null = any(maybe_null) or isinstance(node, (exp.Sum, exp.Min, exp.Max, exp.Case, exp.If, exp.Nullif))
        k = next(k for k in ("number", "decimal", "integer", "string", "boolean") if k in kinds)
        return of_kind(k, null=null)


def _operands(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, exp.Case):
        return [i.args["true"] for i in node.args.get("ifs") or []] + ([node.args["default"]] if node.args.get("default") else [])
    if isinstance(node, exp.If):
        return [node.args["true"]] + ([node.args["false"]] if node.args.get("false") else [])
    if isinstance(node, exp.Nullif):
        return [node.this]
    out = [node.this] if isinstance(node.this, exp.Expression) else []
    out += [node.args["expression"]] if isinstance(node.args.get("expression"), exp.Expression) else []
    return out + list(node.expressions)


def _column_type(col: exp.Column, tables: dict) -> dict:
    name, q = col.name.lower(), col.table.lower()
    candidates = [tables[q]] if q in tables else list(tables.values())
    for cols in candidates:
        if name in cols:
            return cols[name]
    return ANY
