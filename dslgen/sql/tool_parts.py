"""The parts of a tool, analysed in the order they run: `with` fragments, `let` values,
guards, writes and the returned document. Each function takes the compiler (`c`: its
`statement()` checks and compiles one SQL text, its `report()` records a problem) and the
scope visible at that point, and returns what it compiled with the scope after it."""
from __future__ import annotations

import re
import string

from dslgen.sql import analysis as an
from dslgen.sql.compiled import CompiledDoc, CompiledForEach, CompiledGuard, CompiledLet
from dslgen.sql.dialects import Fragment
from dslgen.sql.params import ListTable, rows_table
from dslgen.sql.problems import Problem, did_you_mean
from dslgen.sql.scope import Scope
from dslgen.sql.types import ANY, json_type, non_null, schema_fields

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def hidden_tables(c, lists: dict[str, ListTable]) -> None:
    """DSL414: a list, `rows` let or fragment named like a schema table would hide it."""
    if c.schema is None:
        return
    own = [(("parameters", n), n, "list parameter") for n in lists]
    own += [(("with", n), n, "fragment") for n in c.tool.with_]
    own += [(("let", n), n, "rows let") for n, v in c.tool.let.items() if not isinstance(v, str) and v.rows]
    for path, name, what in own:
        if c.schema.table(name) is not None:
            c.report(path, Problem("DSL414", f"{what} '{name}' has the name of the table '{name}', which it "
                                   "would hide in this tool's SQL",
                                   hint=f"rename it, e.g. '{name}_list' or 'new_{name}'"), in_text=False, key=True)


def fragments(c, scope: Scope) -> Scope:
    """`with`: each a table for every later statement; a fragment sees the parameters, the
    lists and the fragments above it."""
    for name, text in c.tool.with_.items():
        stmt = c.statement(an.Snippet(("with", name), text, "with"), scope)
        ast = an.parse(text)
        if stmt is not None:
            scope = scope.with_table(name.lower(), Fragment(name.lower(), ast), stmt.columns)
    return scope


def lets(c, scope: Scope) -> tuple[list[CompiledLet], Scope]:
    out = []
    for name, spec in c.tool.let.items():
        if isinstance(spec, str):
            stmt = c.statement(an.Snippet(("let", name), spec, "let"), scope)
            first = next(iter(stmt.columns.values()), ANY) if stmt else ANY
            scope = scope.defined(name).with_names({name: non_null(first) if first else ANY})
            out += [CompiledLet(name, "value", stmt)] if stmt else []
        elif spec.rows is not None:
            let, scope = _rows_let(c, name, spec.rows, scope)
            out += [let] if let else []
        else:
            out.append(_arithmetic(c, name, spec, scope))
            scope = scope.defined(name).with_names({name: {"type": "number"}})
    return out, scope


def _rows_let(c, name: str, text: str, scope: Scope):
    path = ("let", name, "rows")
    stmt = c.statement(an.Snippet(path, text, "let"), scope)
    scope = scope.defined(name)
    columns = stmt.columns if stmt else {}
    bad = [k for k in columns if not _IDENT.match(k) or k == "pos"]
    if bad:
        c.report(path, Problem("DSL413", f"rows let '{name}': column '{bad[0]}' cannot be read as a column",
                               hint="name every column of the query (… AS name), not 'pos'"))
    table = rows_table(name, {k: v for k, v in columns.items() if k not in bad})
    scope = scope.with_table(name, table, table.column_types())
    return (CompiledLet(name, "rows", stmt) if stmt else None), scope


def _arithmetic(c, name: str, spec, scope: Scope) -> CompiledLet:
    source = spec.arithmetic.lstrip(":")
    if json_type(scope.names.get(source, {})) != "string":
        why = "is not a string parameter or let" if source in scope.names else "is not declared"
        c.report(("let", name, "arithmetic"), Problem(
            "DSL404", f"arithmetic reads '{source}', which {why}",
            hint=did_you_mean(source, scope.names) or "name a string parameter holding the expression"),
            in_text=False)
    c.read.add(source)
    _error_text(c, ("let", name, "error"), spec.error, set(scope.names) | {"reason"})
    return CompiledLet(name, "arithmetic", None, source, spec.round, spec.error)


def guards(c, scope: Scope) -> list:
    out = []
    for i, g in enumerate(c.tool.guards):
        if g.for_each is None:
            out += _check(c, g, ("guards", i), scope)
            continue
        table = scope.sources.get(g.for_each)
        c.read.add(g.for_each)
        if not isinstance(table, ListTable):
            c.report(("guards", i, "for_each"), Problem(
                "DSL404", f"for_each names '{g.for_each}', which is not a list parameter or rows let",
                hint=did_you_mean(g.for_each, [n for n, s in scope.sources.items() if isinstance(s, ListTable)])
                or "name a list parameter"), in_text=False)
            continue
        inner = scope.with_names(table.column_types())
        checks = [x for j, chk in enumerate(g.checks) for x in _check(c, chk, ("guards", i, "checks", j), inner)]
        out.append(CompiledForEach(g.for_each, tuple(checks)))
    return out


def _check(c, g, path: tuple, scope: Scope) -> list[CompiledGuard]:
    reject = g.reject is not None
    role = "reject" if reject else "require"
    stmt = c.statement(an.Snippet(path + (role,), g.reject if reject else g.require, role), scope)
    if stmt is None:
        return []
    known = set(scope.names) | (set(stmt.columns) if reject else set())
    if not reject or stmt.known:
        _error_text(c, path + ("error",), g.error, known)
    return [CompiledGuard(stmt, g.error, reject)]


def _error_text(c, path: tuple, text: str, known: set[str]) -> None:
    """DSL409: every {name} of an error text has a value to fill it."""
    try:
        wanted = [f for _, f, _, _ in string.Formatter().parse(text) if f]
    except ValueError:  # an unbalanced brace: shown as written
        return
    for name in wanted:
        if name not in known:
            c.report(path, Problem("DSL409", f"the error text names '{{{name}}}', which has no value here",
                                   hint=did_you_mean(name, known) or
                                   "use a column of the reject query, a let value, a parameter or a for_each item's column"),
                     in_text=False)


def body(c, scope: Scope):
    """The writes and the returned document."""
    from dslgen.sql.documents import compile_doc, unnamed_columns

    writes = [s for i, t in enumerate(c.tool.writes)
              if (s := c.statement(an.Snippet(("writes", i), t, "write"), scope)) is not None]
    doc = None
    if c.tool.sql is not None:
        stmt = c.statement(an.Snippet(("sql",), c.tool.sql, "sql"), scope)
        if stmt is not None and stmt.kind == "select":
            unnamed_columns(c, ("sql",), c.tool.sql)
            doc = _rows_doc(stmt)
        elif stmt is not None:
            writes.append(stmt)
    elif c.tool.returns is not None:
        doc = compile_doc(c, c.tool.returns, ("returns",), scope, columns={})
    return writes, doc


def _rows_doc(stmt) -> CompiledDoc:
    """The `sql:` shorthand's SELECT: a list with one object per row, a key per column."""
    props = {k: v or ANY for k, v in stmt.columns.items()}
    fields = tuple((k, CompiledDoc("column", column=k, schema=v)) for k, v in props.items())
    item = {"type": "object", "properties": props, "required": list(props)}
    return CompiledDoc("rows", stmt, fields=fields, schema={"type": "array", "items": item})


def unused_parameters(c) -> None:
    """DSL405: every parameter is read by some statement (or marked informational)."""
    if any(p.problem.code == "DSL403" for p in c.problems):
        return  # a statement that does not parse may be the reader
    for name, p in c.tool.parameters.items():
        if name not in c.read and name.lower() not in c.read and not p.informational:
            c.report(("parameters", name), Problem(
                "DSL405", f"parameter '{name}' is declared but no SQL reads it",
                hint="use it as :name (a list as a table), or mark it `informational: true`"), in_text=False, key=True)


def entities(tool, doc) -> list[tuple[str, str, str, tuple]]:
    """(name, JSON type, role, path) of parameters and returned fields, for DSL407."""
    out = [(n, p.type, "parameter", ("parameters", n)) for n, p in tool.parameters.items()]
    for name, schema in schema_fields(doc.schema if doc else {}):
        typ = json_type(schema)
        if isinstance(typ, str) and typ not in ("object", "array"):
            out.append((name, typ, "returned field", ("returns",)))
    return out

