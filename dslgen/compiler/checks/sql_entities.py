"""DSL407: a shared entity (a parameter or document field such as `user_id`) has one JSON type
across all tools; a field inside a shared anchor is reported once."""
from __future__ import annotations

from dslgen.compiler.context import CheckContext


def check(ctx: CheckContext) -> None:
    first: dict[str, tuple[str, str]] = {}  # entity → (type, where it was first seen)
    reported: set[tuple] = set()
    for i, analysis in (ctx.tool_analyses or {}).items():
        for name, typ, role, path in analysis.entities:
            where = f"{role} of '{analysis.name}'"
            if name not in first:
                first[name] = (typ, where)
                continue
            span = ctx.sources.span(("domain", "tools", i) + path)
            if first[name][0] != typ and (name, span) not in reported:
                reported.add((name, span))
                ctx.error("DSL407", f"tools[{i}] {analysis.name}: '{name}' is {typ} here ({where}) but "
                          f"{first[name][0]} as the {first[name][1]}", ("domain", "tools", i) + path,
                          f"give '{name}' one type in every tool")
