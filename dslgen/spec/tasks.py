"""Tasks and their rubrics (a domain's tasks.yaml)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from dslgen.spec.base import SpecModel


class ExpectedCall(SpecModel):
    tool: Annotated[str, Field(description="Name of a tool the agent is expected to call.")]
    arguments: Annotated[dict[str, Any], Field(
        description="Arguments the call must have (a subset: unlisted arguments may take any value).")] = {}


class Checkpoint(SpecModel):
    text: Annotated[str, Field(description="Something the dialogue must show, checked by the judge.")]
    severity: Annotated[Literal["critical", "structural", "noncritical"], Field(
        description="Only a failed critical item rejects a dialogue.")] = "critical"


class StateCheck(SpecModel):
    sql: Annotated[str, Field(description="Read-only query over the dialogue's final database state.")]
    expect: Annotated[Any, Field(
        description="Expected result: a list of rows (each a list), or a scalar for a one-cell result.")]
    description: Annotated[str, Field(description="What the check means, for reports.")] = ""


class Rubric(SpecModel):
    expected_calls: Annotated[list[ExpectedCall], Field(
        description="The tool pattern a correct agent follows; writes among them must happen "
                    "before the user may end the dialogue (the stop guard).")] = []
    checkpoints: Annotated[list[Checkpoint], Field(description="Judge-checked items.")] = []
    final_state: Annotated[list[StateCheck], Field(description="Checks of the final database state.")] = []


class TaskSpec(SpecModel):
    id: Annotated[str, Field(description="Unique task id.", pattern=r"^[A-Za-z0-9_.\-]+$")]
    goal: Annotated[str, Field(
        description="The descriptive end goal the simulated user pursues (user-oriented mode).")]
    request: Annotated[str | None, Field(
        description="A direct request for task-oriented mode; defaults to the goal.")] = None
    known: Annotated[dict[str, Any], Field(
        description="Facts the user knows and reveals only when asked (name, zip, order id...).")] = {}
    unknown: Annotated[list[str], Field(description="Things the user does not know.")] = []
    persona: Annotated[str | None, Field(description="Name of a persona from the spec's user_simulator.")] = None
    difficulty: Annotated[Literal["easy", "medium", "hard"], Field(description="Rough difficulty.")] = "medium"
    follows: Annotated[str | None, Field(
        description="Id of a task this one continues from (uses its results); unset = independent.")] = None
    rubric: Annotated[Rubric, Field(description="How a dialogue solving this task is checked.")] = Rubric()


class TasksFile(SpecModel):
    """Top level of a domain's tasks.yaml."""

    tasks: Annotated[list[TaskSpec], Field(description="The domain's tasks.")] = []
