"""DSL406: only SELECT/INSERT/UPDATE/DELETE, each where it belongs (reads in let, guards and
documents; writes in `writes`)."""
from __future__ import annotations

from dslgen.compiler.checks.sql_report import error_once, sql_tools
from dslgen.compiler.context import CheckContext
from dslgen.sql import analysis as an

_ALLOWED = {"let": {"select"}, "require": {"select"}, "reject": {"select"}, "doc": {"select"},
            "write": {"insert", "update", "delete"}, "sql": {"select", "insert", "update", "delete"}}
_HINT = {"write": "a write is an INSERT, UPDATE or DELETE", "sql": "a tool runs SELECT, INSERT, UPDATE or DELETE"}


def check(ctx: CheckContext) -> None:
    for i, tool in sql_tools(ctx):
        for s in an.snippets(tool):
            ast = an.parse(s.text)
            if isinstance(ast, an.Problem):
                continue
            kind = an.kind(ast)
            if kind not in _ALLOWED[s.role]:
                what = kind.upper() if kind else type(ast).__name__.upper()
                error_once(ctx, "DSL406", f"tools[{i}] {tool.name}: {what} is not allowed in {s.role}",
                             ("domain", "tools", i) + s.path, 1, 1, len(s.text.split("\n")[0]),
                             _HINT.get(s.role, "this place reads data: use a SELECT"))
