"""Check a proposed tool as a hand-written one is checked, from the plan alone (no stage
imports the compiler): a name no tool has (DSL201), the one SQL analysis of dslgen.sql
against the plan's schema (DSL401–415: syntax, kinds of statement, tables, columns,
parameters, documents, portability) and shared entities typed as in the other tools
(DSL407). Each problem says where in the proposal it is (`sql line 1 col 8`)."""
from __future__ import annotations

from dataclasses import dataclass

from dslgen.spec.tools import ToolSpec
from dslgen.sql import CompiledTool, DbSchema, analyze_tool
from dslgen.synthesis.entities import entity_types


@dataclass(frozen=True)
class ToolFinding:
    code: str
    message: str
    where: str  # in the proposal: `sql line 1 col 8`, `parameters.x`

    def __str__(self) -> str:
        return f"{self.code} at {self.where}: {self.message}"


class ToolChecker:
    """The checks a new tool must pass beside `tools` (the plan's compiled tools)."""

    def __init__(self, tools, schema: DbSchema):
        self.names = {t.name for t in tools}
        self.types = entity_types(tools)
        self.schema = schema

    def admitted(self, tool: CompiledTool) -> None:
        """A tool joined the set: later proposals may not take its name or retype its entities."""
        self.names.add(tool.name)
        self.types = {**entity_types([tool]), **self.types}

    def check(self, spec: ToolSpec) -> tuple[CompiledTool | None, list[ToolFinding]]:
        """The compiled tool when no error was found; every problem either way."""
        if spec.name in self.names:
            return None, [ToolFinding("DSL201", f"duplicate tool name '{spec.name}'", "name")]
        analysis = analyze_tool(spec, self.schema)
        found = [_finding(p) for p in analysis.problems] + self._entity_clashes(analysis.entities)
        return (analysis.compiled if not found else None), found

    def _entity_clashes(self, entities) -> list[ToolFinding]:
        types, out = dict(self.types), []
        for name, typ, role, path in entities:
            first = types.setdefault(name, typ)
            if first != typ:
                out.append(ToolFinding("DSL407", f"'{name}' is {typ} here ({role}) but {first} elsewhere",
                                       ".".join(map(str, path))))
        return out


def _finding(p) -> ToolFinding:
    where = ".".join(map(str, p.path)) or "tool"
    if p.in_text:
        where += f" line {p.problem.line} col {p.problem.col}"
    return ToolFinding(p.problem.code, p.problem.message, where)
