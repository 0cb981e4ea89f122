"""The tool language: tools declared as parameterized SQL (tools.yaml of a domain)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from dslgen.spec.base import SpecModel


class ParamSpec(SpecModel):
    type: Annotated[Literal["string", "integer", "number", "boolean", "array"],
                    Field(description="JSON Schema type of the parameter.")]
    description: Annotated[str, Field(description="What the parameter means, shown to the agent.")] = ""
    required: Annotated[bool, Field(description="Whether the caller must pass it.")] = True
    enum: Annotated[list[Any] | None, Field(description="Allowed values.")] = None
    pattern: Annotated[str | None, Field(description="Regex a string must match.")] = None
    items: Annotated[dict[str, Any] | None, Field(description="JSON Schema of array items.")] = None


class ToolSpec(SpecModel):
    name: Annotated[str, Field(description="Tool name the agent calls.", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
    description: Annotated[str, Field(description="What the tool does, shown to the agent.")]
    parameters: Annotated[dict[str, ParamSpec], Field(description="Named parameters, bound as :name in the SQL.")] = {}
    sql: Annotated[str, Field(description="The SQL statement; parameters are written :name.")]


class ToolsFile(SpecModel):
    """Top level of a domain's tools.yaml."""

    tools: Annotated[list[ToolSpec], Field(description="The domain's tools.")] = []
