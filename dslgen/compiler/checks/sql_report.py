"""What the SQL checks share: the tools that have SQL, and reporting a problem once."""
from __future__ import annotations

from dslgen.compiler.context import CheckContext


def sql_tools(ctx: CheckContext):
    """(index, tool) of every tool backed by SQL; a simulated tool has none to check."""
    return [(i, t) for i, t in enumerate(ctx.spec.domain.tools) if t.simulated is None]


def error_once(ctx: CheckContext, code: str, message: str, path: tuple, line: int, col: int,
               length: int = 1, hint: str | None = None) -> None:
    """A snippet shared through a YAML anchor (the retail order document, say) is checked in
    every tool that uses it, but has one place: report it there once."""
    span = ctx.sources.span_in(path, line, col, length)
    if span is not None and any(d.code == code and d.span == span for d in ctx.diagnostics):
        return
    ctx.error_in(code, message, path, line, col, length, hint)
