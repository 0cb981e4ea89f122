"""Task templates (task_templates.yaml): the sampling query is a SELECT over known tables and
columns; every Jinja string parses and uses only the query's columns and the `choose`
variables; final-state queries read only those as :name; expected calls name real tools and
parameters; personas exist. Each problem is reported at its place in the YAML."""
from __future__ import annotations

import re
from typing import Any, Iterator

import jinja2
from jinja2 import meta

from dslgen.compiler.checks.templates import check_unsafe
from dslgen.compiler.context import CheckContext
from dslgen.errors import did_you_mean
from dslgen.sql import analysis as an
from dslgen.sql.problems import line_col
from dslgen.sql.types import select_types
from dslgen.templating import parse


def check(ctx: CheckContext) -> None:
    tools = {t.name: set(t.parameters) for t in ctx.spec.domain.tools}
    personas = {p.name for p in ctx.spec.user_simulator.personas}
    first: dict[str, int] = {}
    for i, template in enumerate(ctx.spec.domain.task_templates):
        path = ("domain", "task_templates", i)
        if template.id in first:
            ctx.error("DSL204", f"duplicate task template id '{template.id}'", path + ("id",),
                      f"template #{first[template.id] + 1} already uses this id; rename one")
        first.setdefault(template.id, i)
        columns = _sample(ctx, path, template)
        variables = None if columns is None else set(columns) | set(template.choose)
        _strings(ctx, path, template, variables)
        _state_queries(ctx, path, template, variables)
        _calls(ctx, path, template, tools)
        _personas(ctx, path, template, personas)


def _sql(ctx: CheckContext, path: tuple, text: str, what: str):
    """The parsed SELECT, or None after reporting why it is not one over known names."""
    ast = an.parse(text)
    if isinstance(ast, an.Problem):
        ctx.error_in(ast.code, f"{what}: {ast.message}", path, ast.line, ast.col, ast.length,
                     "SQL is written in SQLite's dialect")
        return None
    if an.kind(ast) != "select":
        ctx.error_in("DSL406", f"{what} must be a SELECT", path, 1, 1, len(text.split("\n")[0]),
                     "templates read the seed data; they never change it")
        return None
    if ctx.db_schema is None:
        return ast
    problems = an.unknown_tables(text, ast, ctx.db_schema, {}) or an.unknown_columns(text, ast, ctx.db_schema, {})
    for p in problems:
        ctx.error_in(p.code, f"{what}: {p.message}", path, p.line, p.col, p.length, p.hint)
    return None if problems else ast


def _sample(ctx: CheckContext, path: tuple, template) -> tuple[str, ...] | None:
    ast = _sql(ctx, path + ("sample",), template.sample, f"template '{template.id}' sample query")
    columns = None if ast is None or ctx.db_schema is None else select_types(ast, ctx.db_schema, {}, {})
    return tuple(columns) if columns else None  # None: a `*` whose columns are not known


def _strings(ctx: CheckContext, path: tuple, template, variables: set[str] | None) -> None:
    for where, text in _jinja_strings(template):
        try:
            ast = parse(text)
        except jinja2.TemplateSyntaxError as exc:
            ctx.error_in("DSL502", f"template '{template.id}': {exc.message}", path + where, exc.lineno or 1, 1)
            continue
        check_unsafe(ctx, f"template '{template.id}'", text, ast, path + where)
        if variables is None:
            continue  # the sample query is broken: its diagnostic says why
        for name in sorted(meta.find_undeclared_variables(ast) - variables):
            line, col = _position(text, name)
            ctx.error_in("DSL501", f"template '{template.id}' uses '{name}', which is not a column of its "
                         "sample query nor a `choose` variable", path + where, line, col, len(name),
                         did_you_mean(name, variables) or f"available: {', '.join(sorted(variables))}")


def _jinja_strings(template) -> Iterator[tuple[tuple, str]]:
    """(path inside the template, text) of every string rendered per row."""
    yield ("goal",), template.goal
    if template.request is not None:
        yield ("request",), template.request
    yield from _walk(template.known, ("known",))
    yield from _walk(template.unknown, ("unknown",))
    rubric = ("rubric",)
    for j, call in enumerate(template.rubric.expected_calls):
        yield from _walk(call.arguments, rubric + ("expected_calls", j, "arguments"))
    for j, point in enumerate(template.rubric.checkpoints):
        yield rubric + ("checkpoints", j, "text"), point.text
    for j, state in enumerate(template.rubric.final_state):
        yield from _walk(state.expect, rubric + ("final_state", j, "expect"))
        yield rubric + ("final_state", j, "description"), state.description


def _walk(value: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, path + (k,))
    elif isinstance(value, list):
        for k, v in enumerate(value):
            yield from _walk(v, path + (k,))


def _state_queries(ctx: CheckContext, path: tuple, template, variables: set[str] | None) -> None:
    for j, state in enumerate(template.rubric.final_state):
        where = path + ("rubric", "final_state", j, "sql")
        ast = _sql(ctx, where, state.sql, f"template '{template.id}' final_state query")
        if ast is None or variables is None:
            continue
        for name in an.placeholders(ast):
            if name not in variables:
                line, col, length = an.placeholder_position(state.sql, name)
                ctx.error_in("DSL404", f"template '{template.id}': ':{name}' is not a column of the sample "
                             "query nor a `choose` variable", where, line, col, length,
                             did_you_mean(name, variables) or f"available: {', '.join(sorted(variables))}")


def _calls(ctx: CheckContext, path: tuple, template, tools: dict[str, set[str]]) -> None:
    for j, call in enumerate(template.rubric.expected_calls):
        where = path + ("rubric", "expected_calls", j)
        if call.tool not in tools:
            ctx.error("DSL301", f"template '{template.id}' expects unknown tool '{call.tool}'", where + ("tool",),
                      did_you_mean(call.tool, tools) or "declare it in the domain's tools.yaml")
            continue
        for arg in set(call.arguments) - tools[call.tool]:
            ctx.error("DSL302", f"tool '{call.tool}' has no parameter '{arg}'", where + ("arguments", arg),
                      did_you_mean(arg, tools[call.tool]) or f"its parameters: {', '.join(sorted(tools[call.tool]))}",
                      key=True)


def _personas(ctx: CheckContext, path: tuple, template, personas: set[str]) -> None:
    chosen = template.persona if isinstance(template.persona, list) else [template.persona]
    for k, name in enumerate(chosen):
        if name is not None and name not in personas:
            where = path + (("persona", k) if isinstance(template.persona, list) else ("persona",))
            ctx.error("DSL303", f"unknown persona '{name}'", where,
                      did_you_mean(name, personas) or "declare it under user_simulator.personas")


def _position(text: str, name: str) -> tuple[int, int]:
    """Line and column of a variable's first use inside the scalar."""
    m = re.search(rf"\b{re.escape(name)}\b", text)
    return line_col(text, m.start()) if m else (1, 1)
