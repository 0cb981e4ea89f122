"""What a simulated dialogue records: messages in the OpenAI chat format, calls, outcome."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from dslgen.spec.tasks import TaskSpec

# Why a dialogue ended.
TERMINATIONS = ("user_stop", "max_turns", "max_errors", "agent_stop", "context_limit", "backend_error")


def shortened(text: str, limit: int) -> str:
    """A tool output cut for a prompt (a judge or a tool model needs the gist, not all of it)."""
    return text if len(text) <= limit else text[:limit] + " …(cut)"


@dataclass
class CallRecord:
    """One executed tool call."""

    turn: int
    task_index: int
    name: str
    arguments: dict[str, Any]
    output: str
    is_error: bool
    writes: bool
    simulated: bool = False  # the output was invented by a model (a tool with no SQL)
    call_id: str = ""  # the id in the messages' tool_calls


@dataclass
class TaskRun:
    """One task pursued inside a dialogue."""

    task: TaskSpec
    first_message: int  # index in `messages` where the task began
    user_completed: bool = False
    guard_holds: int = 0  # times the stop guard kept the user from ending early


@dataclass
class Dialogue:
    id: str
    mode: str
    messages: list[dict] = field(default_factory=list)
    tasks: list[TaskRun] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    steps_per_turn: list[int] = field(default_factory=list)  # tool calls in each agent turn
    termination: str | None = None
    error: str | None = None
    prefix_length: int = 0  # messages given as a starting history (not generated)
    repeated_calls_dropped: int = 0  # identical calls within one agent turn, not executed
    fault: Exception | None = None  # the backend error that ended it, if any (not exported)

    @property
    def turns(self) -> int:
        return len(self.steps_per_turn)

    def add_tool_call(self, call_id: str, name: str, arguments: dict) -> None:
        self.messages.append({"role": "assistant", "content": None, "tool_calls": [{
            "id": call_id, "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)},
        }]})

    def add_tool_result(self, call_id: str, name: str, output: str) -> None:
        self.messages.append({"role": "tool", "tool_call_id": call_id, "name": name, "content": output})
