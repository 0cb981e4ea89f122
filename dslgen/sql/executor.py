"""Run one compiled tool call on a connection: let → guards → writes → document."""
from __future__ import annotations

import json
import string
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dslgen.sql.arithmetic import ArithmeticError_, evaluate
from dslgen.sql.arguments import bind, invalid
from dslgen.sql.compiled import CompiledForEach
from dslgen.sql.documents import build, decimal_value
from dslgen.sql.engines import is_engine_error


@dataclass(frozen=True)
class ToolResult:
    output: str  # what the caller sees: a document as JSON text, a plain string or an error text
    is_error: bool
    writes: bool
    fault: bool = False  # the engine failed (a broken statement), not a guard or the arguments


class _GuardFailed(Exception):
    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def rejected_arguments(tool, arguments: Any) -> ToolResult | None:
    """The error output for arguments that do not match the tool's schema, else None."""
    problem = invalid(tool, arguments)
    if problem is None:
        return None
    return ToolResult(f"Error: invalid arguments for {tool.name}: {problem}", True, tool.writes)


def call(conn, tool, arguments: Any) -> ToolResult:
    if tool.simulated:  # e.g. replayed episodes: there is no SQL to run
        return ToolResult(f"Error: {tool.name} is a simulated tool; it has no SQL to execute", True, tool.writes)
    rejected = rejected_arguments(tool, arguments)
    if rejected is not None:
        return rejected
    read_only = not tool.writes
    conn.begin(read_only)
    try:
        output = _run(conn, tool, bind(tool, arguments))
    except _GuardFailed as g:
        conn.end(False, read_only)
        return ToolResult(g.text, True, tool.writes)
    except Exception as e:  # noqa: BLE001 — any engine fault becomes an error output, not a crash
        conn.end(False, read_only)
        if not is_engine_error(e):
            raise
        # the engine's message can quote data or SQL; the caller gets only the kind of fault
        return ToolResult(f"Error: {tool.name} failed ({type(e).__name__})", True, tool.writes, fault=True)
    conn.end(True, read_only)
    return ToolResult(output, False, tool.writes)


def _run(conn, tool, params: dict) -> str:
    def run(stmt, scope):
        return conn.rows(stmt.texts[conn.engine], scope)

    for let in tool.lets:
        params[let.name] = _let_value(let, params, run)
    for guard in tool.guards:
        if isinstance(guard, CompiledForEach):
            _for_each(guard, params, run)
        else:
            _check(guard, run(guard.stmt, params), params)
    changed = 0
    for stmt in tool.write_statements:
        run(stmt, params)
        changed += 1
    if tool.doc is None:
        return json.dumps({"statements_run": changed})
    return render(build(tool.doc, params, run))


def _let_value(let, params: dict, run) -> Any:
    if let.kind == "arithmetic":
        try:
            return evaluate(str(params.get(let.source) or ""), let.digits)
        except ArithmeticError_ as e:
            raise _GuardFailed(fill(let.error, {**params, "reason": str(e)})) from None
    rows = run(let.stmt, params)
    if let.kind == "rows":  # a table for later statements, bound as JSON like a list parameter
        return json.dumps([{k: _plain(v) for k, v in r.items()} for r in rows])
    return _plain(next(iter(rows[0].values()))) if rows else None


def _for_each(guard: CompiledForEach, params: dict, run) -> None:
    """Items in order, checks in order: the first failing check of the first failing item."""
    for pos, item in enumerate(json.loads(params[guard.list] or "[]")):
        scope = {**params, "pos": pos, **(item if isinstance(item, dict) else {"value": item})}
        for check in guard.checks:
            _check(check, run(check.stmt, scope), scope)


def _check(guard, rows: list[dict], scope: dict) -> None:
    if guard.reject and rows:
        raise _GuardFailed(fill(guard.error, {**scope, **rows[0]}))
    if not guard.reject and not (rows and next(iter(rows[0].values()))):
        raise _GuardFailed(fill(guard.error, scope))


def fill(text: str, values: dict) -> str:
    """`{name}` replaced by its value as an error text shows it, the same on every engine (a
    whole number without `.0`, booleans and nulls as in JSON). Anything else in braces (an
    unknown name, `{a.b}`, a lone brace) stays as written: no format mini-language."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return text
    out = []
    for literal, name, spec, conversion in parts:
        out.append(literal)
        if name is None:
            continue
        if name in values and not spec and not conversion:
            out.append(_shown(values[name]))
        else:
            out.append("{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}")
    return "".join(out)


def _shown(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (float, Decimal)):
        number = decimal_value(value)
        return str(number)
    return str(value)


def _plain(value: Any) -> Any:
    return decimal_value(value) if isinstance(value, Decimal) else value


def render(document: Any) -> str:
    """A string is returned as is; anything else as JSON text."""
    return document if isinstance(document, str) else json.dumps(document)
