"""DSL404/DSL405: every :name a tool's SQL reads is declared (a parameter, an earlier `let`
or an enclosing row's column), and every declared parameter is read somewhere."""
from __future__ import annotations

from dslgen.compiler.checks.sql_report import error_once, sql_tools
from dslgen.compiler.context import CheckContext
from dslgen.sql import analysis as an
from dslgen.sql.scopes import array_tables_used, scoped_snippets


def check(ctx: CheckContext) -> None:
    for i, tool in sql_tools(ctx):
        scoped = scoped_snippets(tool, ctx.db_schema)
        _undeclared(ctx, i, tool, scoped)
        _unused(ctx, i, tool, scoped)


def _undeclared(ctx: CheckContext, i: int, tool, scoped) -> None:
    arrays = {n for n, p in tool.parameters.items() if p.type == "array"}
    for sc in scoped:
        if sc.ast is None or sc.visible is None:
            continue
        for name in an.placeholders(sc.ast):
            if name in sc.visible:
                continue
            line, col, length = an.placeholder_position(sc.snippet.text, name)
            hint = (f"'{name}' is a list: read it as a table, e.g. SELECT value FROM {name}" if name in arrays
                    else an.did_you_mean(name, sc.visible) or "declare it under parameters or let")
            error_once(ctx, "DSL404", f"tools[{i}] {tool.name}: parameter ':{name}' is not declared",
                         ("domain", "tools", i) + sc.snippet.path, line, col, length, hint)


def _unused(ctx: CheckContext, i: int, tool, scoped) -> None:
    read = {n for sc in scoped if sc.ast is not None for n in an.placeholders(sc.ast)}
    read |= array_tables_used(tool)
    if any(sc.ast is None for sc in scoped):
        return  # a snippet that does not parse may be the reader; DSL403 reports it
    for name, p in tool.parameters.items():
        if name not in read and not p.informational:
            ctx.error("DSL405", f"tools[{i}] {tool.name}: parameter '{name}' is declared but no SQL reads it",
                      ("domain", "tools", i, "parameters", name),
                      "use it as :name (a list as a table), or mark it `informational: true`", key=True)
