"""A statement in the reference dialect (SQLite) as PostgreSQL text that computes the same.

Each rewrite makes PostgreSQL do what SQLite does with the same SQL; `portable.py` lists
the constructs these rewrites cover, and tests/sql/test_portable.py runs each on both.
"""
from __future__ import annotations

import re

from sqlglot import exp

_PG_TYPES = {"string": "TEXT", "integer": "BIGINT", "number": "DOUBLE PRECISION", "decimal": "NUMERIC",
             "boolean": "BOOLEAN"}
_INTEGERS = {exp.DataType.Type.INT, exp.DataType.Type.BIGINT, exp.DataType.Type.SMALLINT, exp.DataType.Type.TINYINT}
_MARK = "__dslgen_p_{}__"
_MARK_RE = re.compile(r"__dslgen_p_(\w+?)__")


def postgres_text(tree: exp.Expression, types: dict[str, str]) -> str:
    """`types`: :name → kind (integer, number, decimal, string, boolean), for typed placeholders."""
    tree = tree.transform(_rewrite, copy=False)
    text = tree.transform(_mark).sql(dialect="postgres")
    text = text.replace("%", "%%")  # psycopg paramstyle: a literal % is written %%
    return _MARK_RE.sub(lambda m: _placeholder(m.group(1), types), text)


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Round):
        # SQLite rounds half away from zero and gives a float; PostgreSQL's round(double)
        # rounds half to even, and round(x, n) takes a numeric only
        node.set("this", exp.cast(node.this, "NUMERIC"))
        return exp.cast(node, "DOUBLE PRECISION")
    if isinstance(node, exp.Literal) and not node.is_string and "." in node.this:
        # 1.5 is a double in SQLite, an exact numeric in PostgreSQL: compute with doubles
        return exp.cast(node.copy(), "DOUBLE PRECISION")
    if isinstance(node, exp.Like):
        # SQLite's LIKE ignores ASCII case and has no escape character
        return exp.Escape(this=exp.ILike(this=node.this, expression=node.expression), expression=exp.Literal.string(""))
    if isinstance(node, exp.Mod):
        # x % 0 is NULL in SQLite, an error in PostgreSQL
        node.set("expression", exp.Nullif(this=node.expression, expression=exp.Literal.number(0)))
        return node
    if isinstance(node, exp.Cast) and node.to.this in _INTEGERS:
        # SQLite truncates a number cast to an integer; PostgreSQL rounds it
        inner = exp.Anonymous(this="TRUNC", expressions=[exp.cast(node.this, "NUMERIC")])
        return exp.cast(inner, "BIGINT")
    return node


def _mark(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Placeholder) and node.name:
        return exp.var(_MARK.format(node.name))
    return node


def _placeholder(name: str, types: dict[str, str]) -> str:
    pg = _PG_TYPES.get(types.get(name, ""))
    return f"CAST(%({name})s AS {pg})" if pg else f"%({name})s"
