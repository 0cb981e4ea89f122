"""DSL401/DSL402: tables and columns a tool's SQL names exist in schema.sql."""
from __future__ import annotations

from dslgen.compiler.checks.sql_report import error_once, sql_tools
from dslgen.compiler.context import CheckContext
from dslgen.sql import analysis as an


def check(ctx: CheckContext) -> None:
    if ctx.db_schema is None:
        return  # schema.sql failed: DSL400 says why
    for i, tool in sql_tools(ctx):
        arrays = {n for n, p in tool.parameters.items() if p.type == "array"}
        for s in an.snippets(tool):
            ast = an.parse(s.text)
            if isinstance(ast, an.Problem):
                continue
            problems = an.unknown_tables(s.text, ast, ctx.db_schema, arrays)
            problems = problems or an.unknown_columns(s.text, ast, ctx.db_schema, arrays)
            for p in problems:
                error_once(ctx, p.code, f"tools[{i}] {tool.name}: {p.message}", ("domain", "tools", i) + s.path,
                             p.line, p.col, p.length, p.hint)
