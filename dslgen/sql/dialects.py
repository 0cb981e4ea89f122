"""Render a parsed tool statement as the text each engine runs.

Array parameters become a CTE `name(pos, value)` over the list bound as JSON text; the list
never enters the SQL text. PostgreSQL gets typed placeholders (it cannot infer the type of
a bare `$1` in every position), `%(name)s` paramstyle and NUMERIC rounding.
"""
from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

ENGINES = ("sqlite", "postgresql")
_PG_TYPES = {"string": "TEXT", "integer": "BIGINT", "number": "DOUBLE PRECISION", "boolean": "BOOLEAN"}
_MARK = "__dslgen_p_{}__"
_MARK_RE = re.compile(r"__dslgen_p_(\w+?)__")

_SQLITE_ARRAY = "SELECT CAST(key AS INTEGER) AS pos, value AS value FROM json_each(:{name})"
_PG_ARRAY = ("SELECT CAST(t.ordinality - 1 AS INTEGER) AS pos, {value} AS value "
             "FROM jsonb_array_elements_text(CAST(:{name} AS JSONB)) WITH ORDINALITY AS t(value, ordinality)")


def render(ast: exp.Expression, engine: str, arrays: dict[str, str], types: dict[str, str]) -> str:
    """SQL text for `engine`. arrays: array param → item JSON type; types: param → JSON type."""
    tree = _with_arrays(ast.copy(), engine, arrays)
    if engine == "sqlite":
        return tree.sql(dialect="sqlite")
    return _postgres_text(_round_numeric(tree), types)


def _with_arrays(tree: exp.Expression, engine: str, arrays: dict[str, str]) -> exp.Expression:
    used = {t.name.lower() for t in tree.find_all(exp.Table)}
    dialect = "sqlite" if engine == "sqlite" else "postgres"
    for name, item_type in arrays.items():
        if name not in used:
            continue
        if engine == "sqlite":
            body = _SQLITE_ARRAY.format(name=name)
        else:
            pg = _PG_TYPES.get(item_type, "TEXT")
            value = "t.value" if pg == "TEXT" else f"CAST(t.value AS {pg})"
            body = _PG_ARRAY.format(name=name, value=value)
        tree = _add_cte(tree, name, sqlglot.parse_one(body, read=dialect))
    return tree


def _add_cte(tree: exp.Expression, name: str, body: exp.Expression) -> exp.Expression:
    """Prepend `name AS (body)` to the statement's WITH: the tool's own CTEs may read it."""
    key = "with_" if "with_" in type(tree).arg_types else "with"
    cte = exp.CTE(this=body, alias=exp.TableAlias(this=exp.to_identifier(name)))
    existing = tree.args.get(key)
    if existing is None:
        tree.set(key, exp.With(expressions=[cte]))
    else:
        existing.set("expressions", [cte, *existing.expressions])
    return tree


def _round_numeric(tree: exp.Expression) -> exp.Expression:
    """PostgreSQL has round(numeric, int) only; SQLite's ROUND(x, n) works on doubles."""
    def fix(node):
        if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
            node.set("this", exp.cast(node.this, "NUMERIC"))
        return node
    return tree.transform(fix, copy=False)


def _postgres_text(tree: exp.Expression, types: dict[str, str]) -> str:
    def mark(node):
        if isinstance(node, exp.Placeholder) and node.name:
            return exp.var(_MARK.format(node.name))
        return node
    text = tree.transform(mark).sql(dialect="postgres")
    text = text.replace("%", "%%")  # psycopg paramstyle: a literal % is written %%
    return _MARK_RE.sub(lambda m: _pg_placeholder(m.group(1), types), text)


def _pg_placeholder(name: str, types: dict[str, str]) -> str:
    pg = _PG_TYPES.get(types.get(name, ""))
    return f"CAST(%({name})s AS {pg})" if pg else f"%({name})s"


def transpile_schema(schema_sql: str, engine: str) -> list[str]:
    """CREATE statements of schema.sql for `engine`; refuses a schema that is not only
    declarations (the compiler reports why; this guards callers that skipped the checks)."""
    from dslgen.errors import RunError
    from dslgen.sql.schema import split_statements
    from dslgen.sql.schema_rules import schema_problems

    errors = schema_problems(schema_sql)
    if errors:
        raise RunError(f"schema.sql:{errors[0].line}:{errors[0].col}: {errors[0].message}",
                       hint="run `dslgen check` on the spec")
    dialect = "sqlite" if engine == "sqlite" else "postgres"
    asts = [st.ast for st in split_statements(schema_sql)]
    return [(a if engine == "sqlite" else _typed(a)).sql(dialect=dialect) for a in asts]


def _typed(ast: exp.Expression) -> exp.Expression:
    """A column declared without a type (SQLite allows it) is TEXT elsewhere."""
    ast = ast.copy()
    for col in ast.find_all(exp.ColumnDef):
        if col.args.get("kind") is None:
            col.set("kind", exp.DataType.build("TEXT"))
    return ast
