"""The tool language: tools declared as parameterized SQL (tools.yaml of a domain).

A tool runs, in one transaction: `let` (named values computed by SQL, usable as :name
afterwards), `guards` (checks with the error text the caller gets), `writes` (DML, all or
nothing) and `returns` (a document built from SQL rows). Parameters are bound, never pasted;
a list parameter `xs` is also a table inside the SQL: `xs(pos, value)` for a list of
scalars, `xs(pos, <each item property>)` for a list of objects. docs/tool-language.md has
the whole language.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import Field, model_validator

from dslgen.spec.base import SpecModel


class ParamSpec(SpecModel):
    type: Annotated[Literal["string", "integer", "number", "boolean", "array"],
                    Field(description="JSON Schema type of the parameter.")]
    description: Annotated[str, Field(description="What the parameter means, shown to the agent.")] = ""
    required: Annotated[bool, Field(description="Whether the caller must pass it.")] = True
    enum: Annotated[Optional[list[Any]], Field(description="Allowed values.")] = None
    pattern: Annotated[Optional[str], Field(description="Regex a string must match.")] = None
    maxLength: Annotated[Optional[int], Field(ge=1, description=(
        "Longest string accepted; also bounds what the agent's constrained output may spend on it "
        "(the context budget).")) ] = None
    maxItems: Annotated[Optional[int], Field(ge=1, description=(
        "Most items a list accepts; also bounds the agent's constrained output (the context budget)."))] = None
    items: Annotated[Optional[dict[str, Any]], Field(
        description="JSON Schema of the list's items: a scalar type, or an object whose properties "
                    "(string, integer, number or boolean) become the columns of the list's table.")] = None
    informational: Annotated[bool, Field(
        description="Accepted and recorded but not read by any SQL (e.g. a thought or a summary).")] = False


class Check(SpecModel):
    """A check before any write. `require` must yield a truthy first column; `reject` must
    yield no row. `{name}` in `error` is filled from the reject row's columns, the current
    item (inside `for_each`), `let` values and parameters."""

    require: Annotated[Optional[str], Field(description="SELECT that must return a truthy value.")] = None
    reject: Annotated[Optional[str], Field(description="SELECT that must return no row.")] = None
    error: Annotated[str, Field(description="Text returned to the caller when the check fails.")]

    @model_validator(mode="after")
    def _one_kind(self) -> "Check":
        if (self.require is None) == (self.reject is None):
            raise ValueError("a check has exactly one of 'require' or 'reject'")
        return self


class Guard(SpecModel):
    """A check (`require` or `reject` with its `error`), or `for_each` item of a list with
    `checks` run on each item in turn: the first item failing a check fails the call, with
    that check's error."""

    require: Annotated[Optional[str], Field(description="SELECT that must return a truthy value.")] = None
    reject: Annotated[Optional[str], Field(description="SELECT that must return no row.")] = None
    error: Annotated[Optional[str], Field(description="Text returned to the caller when the guard fails.")] = None
    for_each: Annotated[Optional[str], Field(
        description="A list parameter (or a `let` with rows): `checks` run on each item in order, "
                    "the item's columns readable as :name.")] = None
    checks: Annotated[Optional[list[Check]], Field(description="With for_each: the checks run per item, in order.")] = None

    @model_validator(mode="after")
    def _one_kind(self) -> "Guard":
        kinds = [k for k in ("require", "reject", "for_each") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a guard has exactly one of 'require', 'reject' or 'for_each'")
        if self.for_each is not None and (not self.checks or self.error is not None):
            raise ValueError("'for_each' takes 'checks' (each with its own 'error'), not 'error'")
        if self.for_each is None and (self.error is None or self.checks is not None):
            raise ValueError("a 'require' or 'reject' guard needs 'error' (and no 'checks')")
        return self


class LetSpec(SpecModel):
    """A `let` value other than one SELECT's first value."""

    rows: Annotated[Optional[str], Field(
        description="SELECT whose rows are kept as they are now (before any write): later SQL reads "
                    "them as a table name(pos, columns…), e.g. the old list while replacing it.")] = None
    arithmetic: Annotated[Optional[str], Field(
        description="A string parameter (or earlier let) holding an expression of numbers, + - * / and "
                    "parentheses; the value is its result, computed by dslgen, the same on every engine.")] = None
    round: Annotated[Optional[int], Field(ge=0, le=15, description="With arithmetic: decimal places to round to.")] = None
    error: Annotated[str, Field(
        description="With arithmetic: the call's error when the expression cannot be computed; "
                    "{reason} says why.")] = "Error: {reason}"

    @model_validator(mode="after")
    def _one_source(self) -> "LetSpec":
        if (self.rows is None) == (self.arithmetic is None):
            raise ValueError("a let is a SELECT, or has exactly one of 'rows' or 'arithmetic'")
        if self.rows is not None and self.round is not None:
            raise ValueError("'round' goes with 'arithmetic'")
        return self


QUERY_SOURCES = ("row", "rows", "map", "value")  # document nodes built from a SELECT


class Doc(SpecModel):
    """A returned document. Exactly one source: `row` (an object from the first row), `rows`
    (a list, one element per row), `map` (an object keyed by the `key` column), `value`
    (a scalar), `column` (a column of the enclosing row) or only `fields` (an object from
    the enclosing row). Child queries see the enclosing rows' columns as :name."""

    row: Annotated[Optional[str], Field(description="SELECT; the document is built from its first row.")] = None
    rows: Annotated[Optional[str], Field(description="SELECT; a list with one element per row.")] = None
    map: Annotated[Optional[str], Field(description="SELECT; an object keyed by the `key` column.")] = None
    value: Annotated[Optional[str], Field(description="SELECT; its first column of the first row.")] = None
    column: Annotated[Optional[str], Field(description="A column of the enclosing row.")] = None
    key: Annotated[Optional[str], Field(description="For `map`: the column holding the keys.")] = None
    fields: Annotated[Optional[dict[str, Union[str, "Doc"]]], Field(
        description="Object keys → column name (a string) or a nested document.")] = None
    item: Annotated[Optional[Union[str, "Doc"]], Field(
        description="For rows/map: each element (a column name or a document); default: `fields`, "
                    "else the first (non-key) column.")] = None
    omit_if_null: Annotated[bool, Field(description="Leave the key out of the parent object when null.")] = False
    present_if: Annotated[Optional[str], Field(
        description="Leave the key out of the parent object unless this column of the enclosing row "
                    "is not null (e.g. a list that exists only once a request was made).")] = None

    @property
    def query_source(self) -> str | None:
        """row, rows, map or value: the node's SELECT; None for column and fields nodes."""
        return next((s for s in QUERY_SOURCES if getattr(self, s) is not None), None)

    @model_validator(mode="after")
    def _one_source(self) -> "Doc":
        sources = [s for s in (*QUERY_SOURCES, "column") if getattr(self, s) is not None]
        if len(sources) > 1:
            raise ValueError(f"a document has one source, got {', '.join(sources)}")
        if not sources and self.fields is None:
            raise ValueError("a document needs a source (row, rows, map, value, column) or fields")
        if self.map is not None and self.key is None:
            raise ValueError("a 'map' document needs 'key'")
        return self


class SimulatedOutput(SpecModel):
    """A tool with no SQL behind it (e.g. an outside service): a model invents each output,
    constrained to `output_schema` and re-validated against it. Outputs are not grounded in
    the database, so the dialogue record marks every such call as simulated."""

    output_schema: Annotated[Optional[dict[str, Any]], Field(
        description="JSON Schema every output must match. Left out, the generator model predicts one "
                    "(a return_schemas stage before simulate), typing shared fields like the other tools.")] = None
    writes: Annotated[bool, Field(
        description="The tool changes something outside (counts as a write for rubrics and the "
                    "stop guard; the database itself is never touched).")] = False
    instructions: Annotated[str, Field(
        description="Extra guidance for the model that plays the tool (e.g. when to fail).")] = ""


class ToolSpec(SpecModel):
    name: Annotated[str, Field(description="Tool name the agent calls.", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
    description: Annotated[str, Field(description="What the tool does, shown to the agent.")]
    parameters: Annotated[dict[str, ParamSpec], Field(description="Named parameters, bound as :name in the SQL.")] = {}
    sql: Annotated[Optional[str], Field(
        description="Shorthand for a one-statement tool: a SELECT returns its rows, DML is a write.")] = None
    with_: Annotated[dict[str, str], Field(
        alias="with", description="Named SELECTs any statement of the tool reads as a table (SQL "
                                  "fragments shared by its statements); they see the parameters.")] = {}
    let: Annotated[dict[str, Union[str, LetSpec]], Field(
        description="Computed values, in order: name → SELECT (its first value; later SQL reads it as "
                    ":name), or {rows: SELECT} (a table), or {arithmetic: parameter, round: n}.")] = {}
    guards: Annotated[list[Guard], Field(description="Checks run in order before any write.")] = []
    writes: Annotated[list[str], Field(description="INSERT/UPDATE/DELETE statements, one transaction.")] = []
    returns: Annotated[Optional[Doc], Field(description="The returned document.")] = None
    ends_dialogue: Annotated[bool, Field(
        description="A successful call ends the dialogue (e.g. a transfer to a human).")] = False
    simulated: Annotated[Optional[SimulatedOutput], Field(
        description="No SQL: a model simulates each output following this schema.")] = None

    @model_validator(mode="after")
    def _sql_is_alone(self) -> "ToolSpec":
        if self.simulated is not None:
            given = [k for k in ("sql", "with_", "let", "guards", "writes", "returns") if getattr(self, k)]
            if given:
                raise ValueError(f"a simulated tool has no SQL; remove {', '.join(given)}")
            return self
        if self.sql is not None and (self.writes or self.returns is not None):
            raise ValueError("'sql' is a shorthand; use it without 'writes' and 'returns'")
        if self.sql is None and not self.writes and self.returns is None:
            raise ValueError("a tool needs 'sql', 'writes' or 'returns' (or 'simulated', for a tool "
                             "whose outputs a model invents)")
        return self


Doc.model_rebuild()


class ToolsFile(SpecModel):
    """Top level of a domain's tools.yaml."""

    tools: Annotated[list[ToolSpec], Field(description="The domain's tools.")] = []
