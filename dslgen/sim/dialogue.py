"""What a simulated dialogue records: messages in the OpenAI chat format, calls, outcome.

A `Dialogue` is built by the loop and written as one line of dialogues.jsonl
(`to_json`); the validate stage reads it back (`from_json`) with its calls, task runs and
start state, so it can rebuild the final database state without the simulation.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from dslgen.spec.tasks import TaskSpec


class Termination(str, Enum):
    """Why a dialogue ended."""

    USER_STOP = "user_stop"  # the user said the goal was done (and the stop guard agreed)
    MAX_TURNS = "max_turns"
    MAX_ERRORS = "max_errors"  # failed tool calls reached the stage's limit
    AGENT_STOP = "agent_stop"  # a tool that ends the dialogue (e.g. a transfer) succeeded
    CONTEXT_LIMIT = "context_limit"  # a prompt no longer fit the model's context window
    INVALID_OUTPUT = "invalid_output"  # a model kept producing output that fails its schema
    BACKEND_ERROR = "backend_error"  # a server fault: the next run makes this dialogue again


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
    user_system: str = ""  # the user simulator's system prompt for this task (not recorded)


# the keys of a line of dialogues.jsonl (`Dialogue.to_json`), and of validated.jsonl (the
# same record and its validation): readers require them, so an edited file is a clear error
RECORD_KEYS = ("id", "messages", "tools", "task", "termination", "stats", "simulated_tool_calls", "provenance", "run")
VALIDATED_KEYS = (*RECORD_KEYS, "validation")


@dataclass
class Dialogue:
    id: str
    mode: str
    messages: list[dict] = field(default_factory=list)
    tasks: list[TaskRun] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    steps_per_turn: list[int] = field(default_factory=list)  # tool calls in each agent turn
    termination: Termination | None = None
    error: str | None = None
    prefix_length: int = 0  # messages given as a starting history (not generated)
    repeated_calls_dropped: int = 0  # identical calls within one agent turn, not executed
    user_notes: dict[int, str] = field(default_factory=dict)  # message index → note shown to the user
    start_calls: list[dict] = field(default_factory=list)  # {tool, arguments} applied before it began
    provenance: dict[str, Any] = field(default_factory=dict)
    fault: Exception | None = None  # the backend error that ended it, if any (not recorded)

    @property
    def turns(self) -> int:
        return len(self.steps_per_turn)

    @property
    def generated(self) -> bool:
        return len(self.messages) > self.prefix_length

    def add_tool_call(self, call_id: str, name: str, arguments: dict) -> None:
        self.messages.append({"role": "assistant", "content": None, "tool_calls": [{
            "id": call_id, "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)},
        }]})

    def add_tool_result(self, call_id: str, name: str, output: str) -> None:
        self.messages.append({"role": "tool", "tool_call_id": call_id, "name": name, "content": output})

    def stats(self) -> dict[str, Any]:
        return {"turns": self.turns, "steps_per_turn": self.steps_per_turn, "tool_calls": len(self.calls),
                "tool_errors": sum(c.is_error for c in self.calls),
                "guard_holds": sum(r.guard_holds for r in self.tasks),
                "repeated_calls_dropped": self.repeated_calls_dropped}

    def to_json(self, tools: list[dict]) -> dict[str, Any]:
        """One line of dialogues.jsonl."""
        return {
            "id": self.id,
            "messages": self.messages,
            "tools": tools,
            "task": [run.task.model_dump(mode="json", exclude_defaults=True) for run in self.tasks],
            "termination": {"reason": self.termination.value if self.termination else None, "error": self.error},
            "stats": self.stats(),
            # outputs a model invented for tools with no SQL: not grounded in the database
            "simulated_tool_calls": [c.call_id for c in self.calls if c.simulated],
            "provenance": self.provenance,
            "run": {  # what the validate stage needs to rebuild the dialogue's state and rubric
                "mode": self.mode, "prefix_length": self.prefix_length, "start_calls": self.start_calls,
                "tasks": [{"first_message": r.first_message, "user_completed": r.user_completed,
                           "guard_holds": r.guard_holds} for r in self.tasks],
                "calls": [{k: v for k, v in asdict(c).items() if k != "output"} for c in self.calls],
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Dialogue":
        run = data["run"]
        outputs = {m.get("tool_call_id"): m.get("content") for m in data["messages"] if m.get("role") == "tool"}
        tasks = [TaskRun(TaskSpec.model_validate(t), **r) for t, r in zip(data["task"], run["tasks"])]
        calls = [CallRecord(**c, output=outputs.get(c["call_id"], "")) for c in run["calls"]]
        stats, reason = data["stats"], data["termination"]["reason"]
        return cls(data["id"], run["mode"], messages=data["messages"], tasks=tasks, calls=calls,
                   steps_per_turn=list(stats["steps_per_turn"]),
                   termination=Termination(reason) if reason else None, error=data["termination"]["error"],
                   prefix_length=run["prefix_length"], repeated_calls_dropped=stats["repeated_calls_dropped"],
                   start_calls=run["start_calls"], provenance=data["provenance"])
