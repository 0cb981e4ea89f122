"""Task templates (a domain's task_templates.yaml): one template and a query over the seed
data make one task per row, with no model. Strings are Jinja over the row's columns (and the
`choose` variables); a final-state query reads them as :name, filled in as SQL literals."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from dslgen.spec.base import SpecModel
from dslgen.spec.tasks import Rubric

Difficulty = Literal["easy", "medium", "hard"]


class TaskTemplate(SpecModel):
    id: Annotated[str, Field(
        description="Template id; its tasks are <id>-0000, <id>-0001, ...", pattern=r"^[A-Za-z0-9_.\-]+$")]
    description: Annotated[str, Field(description="What kind of task this template makes.")] = ""
    sample: Annotated[str, Field(
        description="SELECT over the seed data (SQLite dialect); each row becomes one task and its "
                    "columns are the template's variables. Add ORDER BY for a stable order.")]
    limit: Annotated[int | None, Field(ge=1, description="Use at most this many rows.")] = None
    choose: Annotated[dict[str, list[Any]], Field(
        description="More variables, each picked per task from its list (seeded by the spec's seed), "
                    "e.g. reason: [no longer needed, ordered by mistake].")] = {}
    goal: Annotated[str, Field(description="The user's descriptive goal (Jinja).")]
    request: Annotated[str | None, Field(description="A direct request for task-oriented mode (Jinja).")] = None
    known: Annotated[dict[str, Any], Field(
        description="Facts the user knows (values are Jinja; a value that is only `{{ expr }}` keeps "
                    "its type, e.g. a list).")] = {}
    unknown: Annotated[list[str], Field(description="Things the user does not know (Jinja).")] = []
    persona: Annotated[str | list[str] | None, Field(
        description="A persona of the spec's user_simulator, or a list to pick one from per task.")] = None
    difficulty: Annotated[Difficulty | list[Difficulty], Field(
        description="Difficulty, or a list to pick one from per task.")] = "medium"
    rubric: Annotated[Rubric, Field(
        description="As a task's rubric: strings are Jinja over the row; a final_state query reads "
                    "the row's columns as :name.")] = Rubric()


class TaskTemplatesFile(SpecModel):
    """Top level of a domain's task_templates.yaml."""

    task_templates: Annotated[list[TaskTemplate], Field(description="The domain's task templates.")] = []
