"""ToolSpec + DbSchema → CompiledTool. Pure: no I/O."""
from __future__ import annotations

from dslgen.errors import DslgenError
from dslgen.sql import analysis as an
from dslgen.sql.compiled import CompiledDoc, CompiledGuard, CompiledStatement, CompiledTool
from dslgen.sql.dialects import ENGINES, render
from dslgen.sql.schema import DbSchema
from dslgen.sql.types import ANY, json_type, non_null, select_types

_ROLE_KINDS = {"let": {"select"}, "require": {"select"}, "reject": {"select"}, "doc": {"select"},
               "write": {"insert", "update", "delete"}, "sql": {"select", "insert", "update", "delete"}}


class ToolCompileError(DslgenError):
    """A tool that the checks should have rejected; carries (snippet path, Problem) pairs."""

    def __init__(self, tool: str, problems: list):
        self.problems = problems
        first = problems[0][1].message if problems else "?"
        super().__init__(f"tool {tool!r}: {first}")


def parameters_schema(tool) -> dict:
    """JSON Schema of a call's arguments (what the agent's constraint uses)."""
    props = {}
    for name, p in tool.parameters.items():
        prop = {"type": p.type}
        if p.description:
            prop["description"] = p.description
        for key in ("enum", "pattern", "items"):
            if getattr(p, key) is not None:
                prop[key] = getattr(p, key)
        if p.type == "array" and "items" not in prop:
            prop["items"] = {"type": "string"}
        props[name] = prop
    required = [n for n, p in tool.parameters.items() if p.required]
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def array_params(tool) -> dict[str, str]:
    return {n: (p.items or {}).get("type", "string") for n, p in tool.parameters.items() if p.type == "array"}


class _Compiler:
    def __init__(self, tool, schema: DbSchema):
        self.tool, self.schema = tool, schema
        self.arrays = array_params(tool)
        self.scope: dict[str, dict] = {n: {"type": p.type} for n, p in tool.parameters.items() if p.type != "array"}
        self.problems: list = []

    def statement(self, snippet: an.Snippet, scope: dict[str, dict] | None = None) -> CompiledStatement | None:
        ast = an.parse(snippet.text)
        if isinstance(ast, an.Problem):
            self.problems.append((snippet.path, ast))
            return None
        kind = an.kind(ast)
        if kind not in _ROLE_KINDS[snippet.role]:
            self.problems.append((snippet.path, an.Problem("DSL406", f"{kind or type(ast).__name__} not allowed here")))
            return None
        scope = scope if scope is not None else self.scope
        types = {n: json_type(s) for n, s in scope.items()}  # PostgreSQL casts its placeholders
        texts = {e: render(ast, e, self.arrays, types) for e in ENGINES}
        columns = select_types(ast, self.schema, self.arrays, scope)
        return CompiledStatement(snippet.role, kind, an.normalized(ast), texts, tuple(an.placeholders(ast)), columns)

    def lets(self) -> tuple:
        out = []
        for name, text in self.tool.let.items():
            stmt = self.statement(an.Snippet(("let", name), text, "let"))
            if stmt is not None:
                out.append((name, stmt))
                first = next(iter(stmt.columns.values()), ANY)
                self.scope[name] = non_null(first) if first else ANY
        return tuple(out)

    def guards(self) -> tuple:
        out = []
        for i, g in enumerate(self.tool.guards):
            reject = g.reject is not None
            role = "reject" if reject else "require"
            stmt = self.statement(an.Snippet(("guards", i, role), g.reject if reject else g.require, role))
            if stmt is not None:
                out.append(CompiledGuard(stmt, g.error, reject))
        return tuple(out)

    def writes(self) -> tuple:
        stmts = [self.statement(an.Snippet(("writes", i), t, "write")) for i, t in enumerate(self.tool.writes)]
        return tuple(s for s in stmts if s is not None)


def compile_tool(tool, schema: DbSchema) -> CompiledTool:
    if tool.simulated is not None:
        return simulated_tool(tool)
    c = _Compiler(tool, schema)
    lets, guards = c.lets(), c.guards()
    writes = c.writes()
    doc = None
    if tool.sql is not None:
        stmt = c.statement(an.Snippet(("sql",), tool.sql, "sql"))
        if stmt is not None and stmt.kind == "select":
            doc = _rows_doc(stmt)
        elif stmt is not None:
            writes = writes + (stmt,)
    elif tool.returns is not None:
        from dslgen.sql.documents import compile_doc

        doc = compile_doc(c, tool.returns, ("returns",), dict(c.scope), columns={})
    if c.problems:
        raise ToolCompileError(tool.name, c.problems)
    return CompiledTool(
        name=tool.name, description=tool.description, parameters_schema=parameters_schema(tool),
        writes=bool(writes), lets=lets, guards=guards, write_statements=writes, doc=doc,
        return_schema=doc.schema if doc else {"type": "object"},
        arrays=tuple(c.arrays.items()), ends_dialogue=getattr(tool, "ends_dialogue", False))


def simulated_tool(tool) -> CompiledTool:
    """A tool without SQL: nothing to execute; its output schema is the spec's own."""
    sim = tool.simulated
    return CompiledTool(
        name=tool.name, description=tool.description, parameters_schema=parameters_schema(tool),
        writes=sim.writes, lets=(), guards=(), write_statements=(), doc=None,
        return_schema=sim.output_schema, arrays=(), ends_dialogue=tool.ends_dialogue,
        simulated=True, instructions=sim.instructions)


def _rows_doc(stmt: CompiledStatement) -> CompiledDoc:
    """The `sql:` shorthand's SELECT: a list with one object per row, a key per column."""
    props = {k: v or ANY for k, v in stmt.columns.items()}
    fields = tuple((k, CompiledDoc("column", column=k, schema=v)) for k, v in props.items())
    item = {"type": "object", "properties": props, "required": list(props)}
    return CompiledDoc("rows", stmt, fields=fields, schema={"type": "array", "items": item})
