"""Prompt templates parse, use only the variables dslgen provides, and do nothing the
sandbox refuses (DSL501-503)."""
from __future__ import annotations

import re

import jinja2
from jinja2 import meta, nodes

from dslgen.compiler.context import CheckContext
from dslgen.errors import did_you_mean
from dslgen.templating import TEMPLATE_VARIABLES, parse, unsafe_accesses


def _column(text: str, line: int, name: str) -> int:
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    m = re.search(rf"\b{re.escape(name)}\b" if name[:1].isalnum() else re.escape(name), source)
    return m.start() + 1 if m else 1


def _first_use(ast: nodes.Template, name: str, text: str) -> tuple[int, int]:
    for node in ast.find_all(nodes.Name):
        if node.name == name and node.ctx == "load":
            return node.lineno, _column(text, node.lineno, name)
    return 1, 1


def check(ctx: CheckContext) -> None:
    for name, text in ctx.spec.prompts.items():
        path = ("prompts", name)
        try:
            ast = parse(text)
        except jinja2.TemplateSyntaxError as exc:
            ctx.error_in("DSL502", f"template '{name}': {exc.message}", path, exc.lineno or 1, 1)
            continue
        _check_variables(ctx, name, text, ast, path)
        check_unsafe(ctx, f"template '{name}'", text, ast, path)


def _check_variables(ctx: CheckContext, name: str, text: str, ast: nodes.Template, path: tuple) -> None:
    allowed = TEMPLATE_VARIABLES[name]
    for var in sorted(meta.find_undeclared_variables(ast) - allowed):
        line, col = _first_use(ast, var, text)
        ctx.error_in("DSL501", f"template '{name}' uses undefined variable '{var}'", path, line, col,
                     len(var), did_you_mean(var, allowed) or f"available: {', '.join(sorted(allowed))}")


def check_unsafe(ctx: CheckContext, what: str, text: str, ast: nodes.Template, path: tuple) -> None:
    """One DSL503 per line, at the first unsafe name on it (prompt templates, and the Jinja
    strings of task templates)."""
    first: dict[int, tuple[int, str, str]] = {}
    for line, attr, why in unsafe_accesses(ast):
        col = _column(text, line, attr)
        if line not in first or col < first[line][0]:
            first[line] = (col, attr, why)
    for line, (col, attr, why) in sorted(first.items()):
        ctx.error_in("DSL503", f"{what}: {why}", path, line, col, len(attr),
                     "the template runs in a sandbox; read only the variables dslgen provides")
