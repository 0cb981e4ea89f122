"""Fill :name placeholders of a SELECT with SQL literals, so a check written once with
placeholders (a task template's final-state query, a check derived from a row change)
becomes plain SQL that stays readable in a tasks.yaml. Values become literals through
sqlglot's syntax tree, never by pasting text, so a quote in a seed value cannot break out."""
from __future__ import annotations

from typing import Any

from sqlglot import exp

from dslgen.sql import analysis as an


class InlineError(ValueError):
    """The SQL does not parse, or a placeholder has no value."""


def literal(value: Any) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Literal.number(int(value))  # SQLite's booleans are 0/1; PostgreSQL casts
    if isinstance(value, (int, float)):
        return exp.Literal.number(repr(value))
    return exp.Literal.string(str(value))


def inline_values(sql: str, values: dict[str, Any]) -> str:
    """`sql` with each `:name` replaced by the literal of `values[name]` (SQLite dialect)."""
    ast = an.parse(sql)
    if isinstance(ast, an.Problem):
        raise InlineError(ast.message)
    missing = [n for n in an.placeholders(ast) if n not in values]
    if missing:
        raise InlineError(f"no value for :{missing[0]}")
    filled = ast.transform(  # transform works on a copy: the parsed tree is cached
        lambda node: literal(values[node.name]) if isinstance(node, exp.Placeholder) and node.name else node)
    return an.normalized(filled)
