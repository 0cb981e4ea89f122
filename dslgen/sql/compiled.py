"""Compiled tools: frozen data the runtime executes and the plan prints."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CompiledStatement:
    role: str  # let | require | reject | write | doc | sql
    kind: str  # select | insert | update | delete
    sql: str  # normalized text in the reference dialect (SQLite)
    texts: dict[str, str]  # engine → text it runs
    params: tuple[str, ...]  # :names read
    columns: dict[str, dict] = field(default_factory=dict)  # output column → JSON Schema
    known: bool = True  # False: a `*` over a table whose columns are unknown; `columns` is partial


@dataclass(frozen=True)
class CompiledGuard:
    stmt: CompiledStatement
    error: str
    reject: bool  # True: fails when a row comes back; False: fails unless truthy

    def to_json(self) -> dict:
        return {"reject" if self.reject else "require": self.stmt.sql, "error": self.error}


@dataclass(frozen=True)
class CompiledForEach:
    """Checks run on each item of a list (or rows let), items in order, checks in order."""

    list: str
    checks: tuple[CompiledGuard, ...]

    def to_json(self) -> dict:
        return {"for_each": self.list, "checks": [c.to_json() for c in self.checks]}


@dataclass(frozen=True)
class CompiledLet:
    name: str
    kind: str  # value (first value of a SELECT) | rows (a table) | arithmetic
    stmt: CompiledStatement | None = None
    source: str | None = None  # arithmetic: the parameter or let holding the expression
    digits: int | None = None  # arithmetic: round to this many places
    error: str = "Error: {reason}"  # arithmetic: the call's error when it cannot be computed

    def to_json(self):
        if self.kind == "value":
            return self.stmt.sql
        if self.kind == "rows":
            return {"rows": self.stmt.sql}
        return {"arithmetic": self.source, "round": self.digits, "error": self.error}


@dataclass(frozen=True)
class CompiledDoc:
    kind: str  # row | rows | map | value | column | fields
    stmt: CompiledStatement | None = None
    column: str | None = None
    key: str | None = None
    fields: tuple[tuple[str, "CompiledDoc"], ...] = ()
    item: "CompiledDoc | None" = None
    omit_if_null: bool = False
    present_if: str | None = None  # key left out unless this column of the enclosing row is set
    schema: dict = field(default_factory=dict)  # JSON Schema of this node's value


@dataclass(frozen=True)
class CompiledTool:
    name: str
    description: str
    parameters_schema: dict
    writes: bool
    lets: tuple[CompiledLet, ...]
    guards: tuple[CompiledGuard | CompiledForEach, ...]
    write_statements: tuple[CompiledStatement, ...]
    doc: CompiledDoc | None
    return_schema: dict | None  # None: a simulated tool that declares none (the generator predicts it)
    lists: tuple[str, ...]  # list parameters, bound as JSON text (their tables read it)
    fragments: tuple[tuple[str, str], ...] = ()  # `with`: name → SQL, inlined where read (shown in the plan)
    ends_dialogue: bool = False
    simulated: bool = False  # no SQL: a model invents outputs matching return_schema
    instructions: str = ""  # for a simulated tool: guidance to the model playing it

    @property
    def statements(self) -> list[CompiledStatement]:
        out = [x.stmt for x in self.lets if x.stmt is not None]
        for g in self.guards:
            out += [c.stmt for c in g.checks] if isinstance(g, CompiledForEach) else [g.stmt]
        out += list(self.write_statements)
        return out + (_doc_statements(self.doc) if self.doc else [])

    @property
    def written_tables(self) -> set[str]:
        """Tables its write statements change (what a state diff needs to look at)."""
        from dslgen.sql.analysis import parse, written_table

        return {t for t in (written_table(parse(s.sql)) for s in self.write_statements) if t}

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "description": self.description, "writes": self.writes,
            "parameters": self.parameters_schema,
            **({"with": dict(self.fragments)} if self.fragments else {}),
            "let": {x.name: x.to_json() for x in self.lets},
            "guards": [g.to_json() for g in self.guards],
            "write_statements": [s.sql for s in self.write_statements],
            "returns": _doc_json(self.doc) if self.doc else None,
            "return_schema": self.return_schema,
            **({"simulated": True, "instructions": self.instructions} if self.simulated else {}),
        }


def _doc_statements(doc: CompiledDoc) -> list[CompiledStatement]:
    out = [doc.stmt] if doc.stmt else []
    for _, child in doc.fields:
        out += _doc_statements(child)
    return out + (_doc_statements(doc.item) if doc.item else [])


def _doc_json(doc: CompiledDoc) -> Any:
    flags = {k: v for k, v in (("omit_if_null", doc.omit_if_null), ("present_if", doc.present_if)) if v}
    if doc.kind == "column":
        return {"column": doc.column, **flags} if flags else doc.column
    out: dict[str, Any] = {doc.kind: doc.stmt.sql, **flags} if doc.stmt else dict(flags)
    if doc.key:
        out["key"] = doc.key
    if doc.fields:
        out["fields"] = {k: _doc_json(v) for k, v in doc.fields}
    if doc.item:
        out["item"] = _doc_json(doc.item)
    return out
