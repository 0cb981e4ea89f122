"""DSL408: a returned document reads only columns its query returns (`fields` values,
`column`, `item`, `key`, `present_if`); a typo would otherwise yield a silent null."""
from __future__ import annotations

from dslgen.compiler.checks.sql_report import sql_tools
from dslgen.compiler.context import CheckContext
from dslgen.sql import analysis as an
from dslgen.sql.scopes import output_columns

_SOURCES = ("row", "rows", "map", "value")


def check(ctx: CheckContext) -> None:
    for i, tool in sql_tools(ctx):
        if tool.returns is not None:
            arrays = {n for n, p in tool.parameters.items() if p.type == "array"}
            _walk(ctx, i, tool.name, tool.returns, ("domain", "tools", i, "returns"), None, arrays)


def _walk(ctx, i, name, doc, path, columns, arrays) -> None:
    """`columns`: what the enclosing row offers (None: unknown, nothing to check)."""
    _need(ctx, i, name, doc.present_if, columns, path + ("present_if",))
    _need(ctx, i, name, doc.column, columns, path + ("column",))
    src = next((s for s in _SOURCES if getattr(doc, s) is not None), None)
    if src is not None:
        ast = an.parse(getattr(doc, src))
        columns = None if isinstance(ast, an.Problem) else output_columns(ast, ctx.db_schema, arrays)
        _need(ctx, i, name, doc.key, columns, path + ("key",))
    for key, child in (doc.fields or {}).items():
        if isinstance(child, str):
            _need(ctx, i, name, child, columns, path + ("fields", key))
        else:
            _walk(ctx, i, name, child, path + ("fields", key), columns, arrays)
    if isinstance(doc.item, str):
        _need(ctx, i, name, doc.item, columns, path + ("item",))
    elif doc.item is not None:
        _walk(ctx, i, name, doc.item, path + ("item",), columns, arrays)


def _need(ctx, i, name, column, columns, path) -> None:
    if column is None or columns is None or column in columns:
        return
    ctx.error("DSL408", f"tools[{i}] {name}: the document reads column '{column}' that its query does not return",
              path, an.did_you_mean(column, columns) or f"the query returns {', '.join(columns) or 'nothing'}")
