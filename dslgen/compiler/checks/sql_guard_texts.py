"""DSL409: `{name}` in a guard's error text names a column of its `reject` query (only a
reject guard has a row to fill it from); otherwise the caller would see the braces."""
from __future__ import annotations

import string

from dslgen.compiler.checks.sql_report import sql_tools
from dslgen.compiler.context import CheckContext
from dslgen.sql import analysis as an
from dslgen.sql.scopes import output_columns


def _names(text: str) -> list[str]:
    try:
        return [f for _, f, _, _ in string.Formatter().parse(text) if f]
    except ValueError:  # an unbalanced brace: shown as written
        return []


def check(ctx: CheckContext) -> None:
    for i, tool in sql_tools(ctx):
        arrays = {n for n, p in tool.parameters.items() if p.type == "array"}
        for g_index, guard in enumerate(tool.guards):
            path = ("domain", "tools", i, "guards", g_index, "error")
            _check_guard(ctx, i, tool.name, guard, path, arrays)


def _check_guard(ctx, i, name, guard, path, arrays) -> None:
    wanted = _names(guard.error)
    if not wanted:
        return
    if guard.reject is None:
        ctx.error("DSL409", f"tools[{i}] {name}: '{{{wanted[0]}}}' in a require guard's error is never filled",
                  path, "only a reject guard fills {name} from the row it found")
        return
    ast = an.parse(guard.reject)
    columns = None if isinstance(ast, an.Problem) else output_columns(ast, ctx.db_schema, arrays)
    for field in wanted:
        if columns is not None and field not in columns:
            ctx.error("DSL409", f"tools[{i}] {name}: the error text names '{{{field}}}' but the reject query "
                      "returns no such column", path, an.did_you_mean(field, columns)
                      or f"the query returns {', '.join(columns) or 'nothing'}")
