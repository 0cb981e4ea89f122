"""The tool language: tools declared as parameterized SQL (tools.yaml of a domain).

A tool runs, in one transaction: `let` (named values computed by SQL, usable as :name
afterwards), `guards` (checks with the error text the caller gets), `writes` (DML, all or
nothing) and `returns` (a document built from SQL rows). Parameters are bound, never pasted;
an array parameter `xs` is also a table `xs(pos, value)` inside the SQL, so two lists pair
positionally with `JOIN ys ON ys.pos = xs.pos`.
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
    items: Annotated[Optional[dict[str, Any]], Field(description="JSON Schema of array items.")] = None
    informational: Annotated[bool, Field(
        description="Accepted and recorded but not read by any SQL (e.g. a thought or a summary).")] = False


class Guard(SpecModel):
    """A check before any write. `require` must yield a truthy first column; `reject` must
    yield no row (its row's columns fill `{name}` placeholders of `error`)."""

    require: Annotated[Optional[str], Field(description="SELECT that must return a truthy value.")] = None
    reject: Annotated[Optional[str], Field(description="SELECT that must return no row.")] = None
    error: Annotated[str, Field(description="Text returned to the caller when the guard fails.")]

    @model_validator(mode="after")
    def _one_kind(self) -> "Guard":
        if (self.require is None) == (self.reject is None):
            raise ValueError("a guard has exactly one of 'require' or 'reject'")
        return self


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

    @model_validator(mode="after")
    def _one_source(self) -> "Doc":
        sources = [s for s in ("row", "rows", "map", "value", "column") if getattr(self, s) is not None]
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

    output_schema: Annotated[dict[str, Any], Field(description="JSON Schema every output must match.")]
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
    let: Annotated[dict[str, str], Field(
        description="Computed values, in order: name → SELECT; later SQL reads them as :name.")] = {}
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
            given = [k for k in ("sql", "let", "guards", "writes", "returns") if getattr(self, k)]
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
