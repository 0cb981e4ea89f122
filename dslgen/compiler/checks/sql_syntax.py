"""DSL403: every SQL text of a tool parses as exactly one statement (reported inside the YAML)."""
from __future__ import annotations

from dslgen.compiler.checks.sql_report import error_once, sql_tools
from dslgen.compiler.context import CheckContext
from dslgen.sql import analysis as an


def check(ctx: CheckContext) -> None:
    for i, tool in sql_tools(ctx):
        for s in an.snippets(tool):
            ast = an.parse(s.text)
            if isinstance(ast, an.Problem):
                error_once(ctx, ast.code, f"tools[{i}] {tool.name}: {ast.message}", ("domain", "tools", i) + s.path,
                             ast.line, ast.col, ast.length, "SQL is written in SQLite's dialect, parameters as :name")
