"""Report a problem inside a tool's SQL once: a snippet shared through a YAML anchor (the
retail order document, say) is checked in every tool that uses it, but has one place."""
from __future__ import annotations

from dslgen.compiler.context import CheckContext


def error_once(ctx: CheckContext, code: str, message: str, path: tuple, line: int, col: int,
               length: int = 1, hint: str | None = None) -> None:
    span = ctx.sources.span_in(path, line, col, length)
    if span is not None and any(d.code == code and d.span == span for d in ctx.diagnostics):
        return
    ctx.error_in(code, message, path, line, col, length, hint)
