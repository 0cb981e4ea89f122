"""What a statement of a tool can see: :names and the tool's own tables.

Parameters are visible everywhere; a `let` from the statement after its definition; inside
a document, the columns of every enclosing row; inside `for_each`, the current item's
columns. The tool's own tables (lists, `rows` lets, `with` fragments) are visible from
where they are defined; a list parameter named like a schema table is an error (DSL414),
so a name in FROM always means one thing.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlglot import exp

from dslgen.sql import analysis as an
from dslgen.sql.dialects import Source
from dslgen.sql.problems import Problem, did_you_mean, node_position


@dataclass(frozen=True)
class Scope:
    names: dict[str, dict]  # :name → JSON Schema of its value
    sources: dict[str, Source]  # the tool's own tables, as the renderer inlines them
    columns: dict[str, dict[str, dict]]  # own table → column → JSON Schema
    later: frozenset[str] = frozenset()  # lets defined further down: read too early

    def with_names(self, more: dict[str, dict]) -> "Scope":
        return replace(self, names={**self.names, **more})

    def with_table(self, name: str, source: Source, columns: dict[str, dict]) -> "Scope":
        return replace(self, sources={**self.sources, name: source}, columns={**self.columns, name: columns})

    def defined(self, let: str) -> "Scope":
        return replace(self, later=self.later - {let})

    def placeholder_problems(self, text: str, ast: exp.Expression) -> list[Problem]:
        out = []
        for name in an.placeholders(ast):
            if name not in self.names:
                message, hint = self._undeclared(name)
                out.append(Problem("DSL404", message, *an.placeholder_position(text, name), hint=hint))
        return out

    def _undeclared(self, name: str) -> tuple[str, str]:
        """(message, hint) for a :name this statement cannot see."""
        if name in self.later:
            return (f"':{name}' is used before its definition",
                    f"let values are computed in order: define '{name}' above the statement that reads it")
        if name in self.sources:
            return f"':{name}' is a table here, not a value", f"read it as a table, e.g. SELECT * FROM {name}"
        return (f"':{name}' is not declared",
                did_you_mean(name, self.names) or "declare it under parameters or let")

    def cte_problems(self, text: str, ast: exp.Expression) -> list[Problem]:
        return [Problem("DSL414", f"the CTE '{c.alias_or_name}' hides the tool's own table of that name",
                        *node_position(text, c.args["alias"]), hint="give the CTE another name")
                for c in ast.find_all(exp.CTE) if c.alias_or_name.lower() in self.sources]

