"""ToolSpec + DbSchema → ToolAnalysis: the one analysis of a tool.

Every statement is parsed, classified, name-checked, typed and rendered once, in the order
the tool runs (`with` → `let` → `guards` → `writes` → `returns`), with exactly the :names
and tables visible at that point. The analysis holds the compiled tool and every problem
found on the way; the compiler checks report the problems, `compile_tool` returns the tool.
Pure: no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from dslgen.errors import DslgenError
from dslgen.sql import analysis as an
from dslgen.sql import tool_parts as parts
from dslgen.sql.compiled import CompiledStatement, CompiledTool
from dslgen.sql.dialects import ENGINES, render
from dslgen.sql.params import list_tables, parameters_schema, scalar_params
from dslgen.sql.portable import portability_problems
from dslgen.sql.problems import Problem
from dslgen.sql.schema import DbSchema
from dslgen.sql.scope import Scope
from dslgen.sql.types import kind as value_kind, select_types


@dataclass(frozen=True)
class ToolProblem:
    path: tuple  # under the tool, e.g. ("guards", 0, "require")
    problem: Problem
    in_text: bool = True  # the position is inside the text at `path`; else the node itself
    key: bool = False  # with in_text False: point at the node's key


@dataclass(frozen=True)
class ToolAnalysis:
    name: str
    compiled: CompiledTool | None  # None when there is a problem: every problem is an error
    problems: tuple[ToolProblem, ...]
    entities: tuple[tuple[str, str, str, tuple], ...] = ()  # (name, JSON type, role, path), for DSL407


class ToolCompileError(DslgenError):
    """A tool that the checks should have rejected; carries its problems."""

    def __init__(self, tool: str, problems: list[ToolProblem]):
        self.problems = problems
        super().__init__(f"tool {tool!r}: {problems[0].problem.message if problems else '?'}")


def compile_tool(tool, schema: DbSchema) -> CompiledTool:
    analysis = analyze_tool(tool, schema)
    if analysis.compiled is None:
        raise ToolCompileError(tool.name, list(analysis.problems))
    return analysis.compiled


def analyze_tool(tool, schema: DbSchema | None) -> ToolAnalysis:
    """`schema` None (schema.sql is broken): syntax and kinds only, no names or types."""
    if tool.simulated is not None:
        return ToolAnalysis(tool.name, simulated_tool(tool), ())
    return _Compiler(tool, schema).run()


def simulated_tool(tool) -> CompiledTool:
    """A tool without SQL: nothing to execute; its output schema is the spec's own."""
    sim = tool.simulated
    return CompiledTool(
        name=tool.name, description=tool.description, parameters_schema=parameters_schema(tool),
        writes=sim.writes, lets=(), guards=(), write_statements=(), doc=None,
        return_schema=sim.output_schema, lists=(), ends_dialogue=tool.ends_dialogue,
        simulated=True, instructions=sim.instructions)


@dataclass
class _Compiler:
    tool: object
    schema: DbSchema | None
    problems: list[ToolProblem] = field(default_factory=list)
    read: set[str] = field(default_factory=set)  # parameters some statement reads

    def report(self, path: tuple, problem: Problem, in_text: bool = True, key: bool = False) -> None:
        self.problems.append(ToolProblem(path, problem, in_text, key))

    def run(self) -> ToolAnalysis:
        lists, item_problems = list_tables(self.tool)
        for path, p in item_problems:
            self.report(path, p, in_text=False)
        scope = Scope(scalar_params(self.tool), dict(lists), {n: t.column_types() for n, t in lists.items()},
                      later=frozenset(self.tool.let))
        parts.hidden_tables(self, lists)
        scope = parts.fragments(self, scope)
        lets, scope = parts.lets(self, scope)
        guards = parts.guards(self, scope)
        writes, doc = parts.body(self, scope)
        parts.unused_parameters(self)
        return self._analysis(lists, lets, guards, writes, doc)

    def _analysis(self, lists, lets, guards, writes, doc) -> ToolAnalysis:
        compiled = None
        if not self.problems:
            compiled = CompiledTool(
                name=self.tool.name, description=self.tool.description,
                parameters_schema=parameters_schema(self.tool), writes=bool(writes), lets=tuple(lets),
                guards=tuple(guards), write_statements=tuple(writes), doc=doc,
                return_schema=doc.schema if doc else {"type": "object"}, lists=tuple(lists),
                fragments=tuple((n, an.normalized(an.parse(t))) for n, t in self.tool.with_.items()),
                ends_dialogue=self.tool.ends_dialogue)
        return ToolAnalysis(self.tool.name, compiled, tuple(self.problems), tuple(parts.entities(self.tool, doc)))

    def statement(self, snippet: an.Snippet, scope: Scope) -> CompiledStatement | None:
        """One statement, checked against what `scope` makes visible; None if it cannot run."""
        ast = an.parse(snippet.text)
        if isinstance(ast, Problem):
            self.report(snippet.path, ast)
            return None
        kind = an.kind(ast)
        if kind not in an.ROLE_KINDS[snippet.role]:
            what = (kind or type(ast).__name__).upper()
            self.report(snippet.path, Problem(
                "DSL406", f"{what} is not allowed in {snippet.role}", 1, 1, len(snippet.text.split("\n")[0]),
                an.ROLE_HINTS.get(snippet.role, "this place reads data: use a SELECT")))
            return None
        self._names(snippet, ast, scope)
        self.read |= set(an.placeholders(ast)) | {t.name.lower() for t in ast.find_all(exp.Table)}
        columns = select_types(ast, self.schema, scope.columns, scope.names) if self.schema else None
        types = {n: value_kind(s) for n, s in scope.names.items()}  # PostgreSQL casts its placeholders
        texts = {e: render(ast, e, scope.sources, types) for e in ENGINES}
        return CompiledStatement(snippet.role, kind, an.normalized(ast), texts, tuple(an.placeholders(ast)),
                                 columns if columns is not None else {}, known=columns is not None)

    def _names(self, snippet: an.Snippet, ast, scope: Scope) -> None:
        text = snippet.text
        for p in scope.placeholder_problems(text, ast):
            self.report(snippet.path, p)
        for p in scope.cte_problems(text, ast):
            self.report(snippet.path, p)
        if self.schema is None:
            return  # schema.sql is broken: DSL400 says why
        extra = {n: list(cols) for n, cols in scope.columns.items()}
        problems = an.unknown_tables(text, ast, self.schema, extra) or an.unknown_columns(text, ast, self.schema, extra)
        for p in problems + portability_problems(text, ast):
            self.report(snippet.path, p)
