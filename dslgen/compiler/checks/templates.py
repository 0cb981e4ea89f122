"""Prompt templates parse and use only the variables dslgen provides."""
from __future__ import annotations

import re

import jinja2
from jinja2 import meta, nodes

from dslgen.compiler.context import CheckContext, did_you_mean
from dslgen.templating import TEMPLATE_VARIABLES, parse


def _first_use(ast: nodes.Template, name: str, text: str) -> tuple[int, int]:
    for node in ast.find_all(nodes.Name):
        if node.name == name and node.ctx == "load":
            line = text.splitlines()[node.lineno - 1] if text else ""
            m = re.search(rf"\b{re.escape(name)}\b", line)
            return node.lineno, (m.start() + 1 if m else 1)
    return 1, 1


def check(ctx: CheckContext) -> None:
    for name, text in ctx.spec.prompts.items():
        path = ("prompts", name)
        try:
            ast = parse(text)
        except jinja2.TemplateSyntaxError as exc:
            ctx.error_in("DSL502", f"template '{name}': {exc.message}", path, exc.lineno or 1, 1)
            continue
        allowed = TEMPLATE_VARIABLES[name]
        for var in sorted(meta.find_undeclared_variables(ast) - allowed):
            line, col = _first_use(ast, var, text)
            ctx.error_in("DSL501", f"template '{name}' uses undefined variable '{var}'", path, line, col,
                         len(var), did_you_mean(var, allowed) or f"available: {', '.join(sorted(allowed))}")
