"""Render a parsed tool statement as the text each engine runs.

The tool's own tables become CTEs in front of the statement, only those it reads (and what
they read): a list (parameter or `rows` let) is read from its JSON text, bound as a
parameter, so the list never enters the SQL text; a `with` fragment is inlined. PostgreSQL
gets typed placeholders (it cannot infer the type of a bare `$1` in every position),
`%(name)s` paramstyle, and the rewrites that make it compute what SQLite computes.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.dialects.sqlite import SQLite

from dslgen.sql.params import ListTable
from dslgen.sql.types import kind

ENGINES = ("sqlite", "postgresql")
_PG_TYPES = {"string": "TEXT", "integer": "BIGINT", "number": "DOUBLE PRECISION", "decimal": "NUMERIC",
             "boolean": "BOOLEAN"}
_SQLITE_CASTS = {"integer": "INTEGER", "number": "REAL", "decimal": "NUMERIC"}


class SQLiteReference(SQLite):
    """SQLite as written: NUMERIC and DECIMAL keep their names (sqlglot would write REAL,
    which changes how SQLite stores and returns the numbers)."""

    class Generator(SQLite.Generator):
        TYPE_MAPPING = {**SQLite.Generator.TYPE_MAPPING, exp.DataType.Type.DECIMAL: "NUMERIC"}


@dataclass(frozen=True)
class Fragment:
    """A `with` fragment of a tool: a named SELECT inlined where a statement reads it."""

    name: str
    ast: exp.Expression


Source = ListTable | Fragment


def render(ast: exp.Expression, engine: str, sources: dict[str, Source], types: dict[str, str]) -> str:
    """SQL text for `engine`. sources: the tool's own tables; types: :name → JSON type."""
    tree = _with_sources(ast.copy(), engine, sources)
    if engine == "sqlite":
        return tree.sql(dialect=SQLiteReference)
    from dslgen.sql.postgres_text import postgres_text

    return postgres_text(tree, types)


def needed(ast: exp.Expression, sources: dict[str, Source]) -> list[str]:
    """Sources a statement reads, directly or through a fragment, in an order that works
    (lists first, then fragments in declaration order)."""
    found: set[str] = set()
    todo = [ast]
    while todo:
        for t in todo.pop().find_all(exp.Table):
            name = t.name.lower()
            if name in sources and name not in found:
                found.add(name)
                if isinstance(sources[name], Fragment):
                    todo.append(sources[name].ast)
    return [n for n in sources if n in found]


def _with_sources(tree: exp.Expression, engine: str, sources: dict[str, Source]) -> exp.Expression:
    ctes = []
    for name in needed(tree, sources):
        src = sources[name]
        body = src.ast.copy() if isinstance(src, Fragment) else _list_body(src, engine)
        ctes.append(exp.CTE(this=body, alias=exp.TableAlias(this=exp.to_identifier(name))))
    return _add_ctes(tree, ctes) if ctes else tree


def _list_body(table: ListTable, engine: str) -> exp.Expression:
    if engine == "sqlite":
        cols = [_sqlite_column(table, c, s) for c, s in table.columns]
        body = f"SELECT {', '.join(cols)} FROM json_each(:{table.name})"
        return sqlglot.parse_one(body, read="sqlite")
    cols = [_pg_column(table, c, s) for c, s in table.columns]
    fn = "jsonb_array_elements" if table.objects else "jsonb_array_elements_text"
    body = (f"SELECT {', '.join(cols)} FROM {fn}(CAST(:{table.name} AS JSONB)) "
            "WITH ORDINALITY AS t(value, ordinality)")
    return sqlglot.parse_one(body, read="postgres")


def _sqlite_column(table: ListTable, name: str, schema: dict) -> str:
    if name == "pos":
        return "CAST(key AS INTEGER) AS pos"
    value = f"json_extract(value, '$.{name}')" if table.objects else "value"
    cast = _SQLITE_CASTS.get(kind(schema) or "")
    return f"CAST({value} AS {cast}) AS {name}" if cast else f"{value} AS {name}"


def _pg_column(table: ListTable, name: str, schema: dict) -> str:
    if name == "pos":
        return "CAST(t.ordinality - 1 AS INTEGER) AS pos"
    value = f"t.value ->> '{name}'" if table.objects else "t.value"
    pg = _PG_TYPES.get(kind(schema) or "", "TEXT")
    return f"CAST({value} AS {pg}) AS {name}"


def _add_ctes(tree: exp.Expression, ctes: list[exp.CTE]) -> exp.Expression:
    """Prepend the CTEs to the statement's WITH: the tool's own CTEs may read them."""
    key = "with_" if "with_" in type(tree).arg_types else "with"
    existing = tree.args.get(key)
    if existing is None:
        tree.set(key, exp.With(expressions=ctes))
    else:
        existing.set("expressions", [*ctes, *existing.expressions])
    return tree


def transpile_schema(schema_sql: str, engine: str) -> list[str]:
    """The statements of schema.sql for `engine` (SQLite: as written); refuses a schema that
    is not only declarations (the compiler reports why; this guards callers that skipped
    the checks)."""
    from dslgen.errors import RunError
    from dslgen.sql.schema import split_statements
    from dslgen.sql.schema_rules import schema_problems

    errors = schema_problems(schema_sql)
    if errors:
        raise RunError(f"schema.sql:{errors[0].line}:{errors[0].col}: {errors[0].message}",
                       hint="run `dslgen check` on the spec")
    statements = split_statements(schema_sql)
    if engine == "sqlite":
        return [st.text for st in statements]
    return [_typed(st.ast).sql(dialect="postgres") for st in statements]


def _typed(ast: exp.Expression) -> exp.Expression:
    """A column declared without a type (SQLite allows it) is TEXT elsewhere."""
    ast = ast.copy()
    for col in ast.find_all(exp.ColumnDef):
        if col.args.get("kind") is None:
            col.set("kind", exp.DataType.build("TEXT"))
    schema = ast.this if isinstance(ast, exp.Create) else None
    if isinstance(schema, exp.Schema):
        schema.set("expressions", [exp.ColumnDef(this=e.copy(), kind=exp.DataType.build("TEXT"))
                                   if isinstance(e, exp.Identifier) else e for e in schema.expressions])
    return ast
