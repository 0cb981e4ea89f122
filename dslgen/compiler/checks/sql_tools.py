"""DSL401-DSL415 of tools: every problem the one analysis of each tool found (syntax, kinds
of statement, names, parameters, documents, error texts, lists, portability), at its line
and column in tools.yaml. The analyses stay on the context for the compiler."""
from __future__ import annotations

from dslgen.compiler.context import CheckContext
from dslgen.errors import Diagnostic
from dslgen.sql import analyze_tool


def check(ctx: CheckContext) -> None:
    ctx.tool_analyses = {i: analyze_tool(t, ctx.db_schema) for i, t in enumerate(ctx.spec.domain.tools)}
    for i, analysis in ctx.tool_analyses.items():
        for p in analysis.problems:
            _report(ctx, ("domain", "tools", i) + p.path, f"tools[{i}] {analysis.name}: ", p)


def _report(ctx: CheckContext, path: tuple, prefix: str, p) -> None:
    """Once per place: a snippet shared through a YAML anchor (the retail order document, say)
    is analysed in every tool that uses it, but has one place in the file."""
    q = p.problem
    if p.in_text:
        span = ctx.sources.span_in(path, q.line, q.col, q.length)
    else:
        span = ctx.sources.span(path, key=p.key)
    if span is not None and any(d.code == q.code and d.span == span for d in ctx.diagnostics):
        return
    ctx.diagnostics.append(Diagnostic(q.code, prefix + q.message, span, q.hint))
