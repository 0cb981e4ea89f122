"""The two model-played roles of a dialogue: the simulated user and the agent."""
from __future__ import annotations

from typing import Any

from dslgen.backends import agent_turn_schema, parse_agent_turn, user_turn_schema
from dslgen.templating import render
from dslgen.spec.models import Persona
from dslgen.spec.tasks import TaskSpec

USER_VIEW_MESSAGES = 16  # the user remembers its goal from the system prompt; older chat is dropped


class UserSimulator:
    """Plays the customer. Sees only what a customer sees: the agent's replies, not tools."""

    def __init__(self, backend, template: str, rules: list[str], mode: str):
        self.backend, self.template, self.rules, self.mode = backend, template, rules, mode
        self.system = self.goal = ""
        self.notes: dict[int, str] = {}  # message index → note shown to the user after it

    def start(self, task: TaskSpec, persona: Persona | None) -> None:
        self.goal = f"Your goal: {task.goal}"
        self.system = render(self.template, rules=self.rules, persona=persona, goal=task.goal,
                             known=task.known, unknown=task.unknown, mode=self.mode)

    def note(self, after_message: int, text: str) -> None:
        self.notes[after_message] = text

    def view(self, messages: list[dict]) -> list[dict]:
        """The conversation from the user's side: roles swapped, tool traffic hidden."""
        seen: list[dict] = []
        for i, m in enumerate(messages):
            if m["role"] == "user":
                seen.append({"role": "assistant", "content": m["content"]})
            elif m["role"] == "assistant" and m.get("content"):
                seen.append({"role": "user", "content": m["content"]})
            if i in self.notes:
                seen.append({"role": "user", "content": self.notes[i]})
        if not seen or seen[-1]["role"] != "user":
            seen.append({"role": "user", "content": "(The agent is waiting for you.)"})
        # small models drift into playing the agent; restate who they are on every turn
        last = seen[-1]
        seen[-1] = {"role": "user", "content": f"{last['content']}\n\n(You are the customer. {self.goal})"}
        return [{"role": "system", "content": self.system}] + seen[-USER_VIEW_MESSAGES:]

    def turn(self, messages: list[dict], seed: int) -> tuple[str, bool]:
        out = self.backend.generate_json(self.view(messages), user_turn_schema(), seed=seed)
        return out["message"].strip(), bool(out["is_task_complete"])


class Agent:
    """Plays the assistant: each step is one constrained choice of a reply or a tool call."""

    def __init__(self, backend, tools: list[dict]):
        self.backend = backend
        self.with_tools = agent_turn_schema(tools)
        self.reply_only = agent_turn_schema([], allow_reply=True)

    def act(self, messages: list[dict], seed: int, allow_tools: bool = True) -> tuple[str, Any]:
        schema = self.with_tools if allow_tools else self.reply_only
        return parse_agent_turn(self.backend.generate_json(messages, schema, seed=seed))
