"""The two model-played roles of a dialogue: the simulated user and the agent."""
from __future__ import annotations

from typing import Any

from dslgen.backends import agent_turn_schema, parse_agent_turn, user_turn_schema
from dslgen.templating import render
from dslgen.spec.models import Persona
from dslgen.spec.tasks import TaskSpec
from dslgen.text import clean

USER_VIEW_MESSAGES = 16  # the user remembers its goal from the system prompt; older chat is dropped

# Runtime notes shown to the user model (not template text, but prompt text all the same:
# the template-leak filter looks for them in messages).
WAITING_NOTE = "(The agent is waiting for you.)"
ROLE_REMINDER = "(You are the customer. Your goal: {goal})"
GUARD_NOTE = "(Your goal is not reached yet: {reasons}. Do not end the conversation; ask the agent for it.)"


class UserSimulator:
    """Plays the customer. Sees only what a customer sees: the agent's replies, not tools.

    Keeps no state of its own between calls: the system prompt of a task lives in the
    dialogue's TaskRun, the stop guard's notes in the dialogue."""

    def __init__(self, backend, template: str, rules: list[str], mode: str):
        self.backend, self.template, self.rules, self.mode = backend, template, rules, mode

    def system_prompt(self, task: TaskSpec, persona: Persona | None) -> str:
        return render(self.template, rules=self.rules, persona=persona, goal=task.goal,
                      known=task.known, unknown=task.unknown, mode=self.mode)

    def view(self, messages: list[dict], notes: dict[int, str], run) -> list[dict]:
        """The conversation from the user's side: roles swapped, tool traffic hidden.

        Append-only within a task, so a server's prefix cache reuses all of the last
        prompt: what the user was shown at an earlier turn (a waiting note, the reminder of
        who it is, a stop-guard note) stays where it was; older chat is dropped a block of
        messages at a time, not one message a turn."""
        reminder = ROLE_REMINDER.format(goal=run.task.goal)
        seen: list[dict] = []
        for i, m in enumerate(messages):
            if m["role"] == "user":
                _close_turn(seen, reminder)  # the user spoke here: its view ended just before
                seen.append({"role": "assistant", "content": m["content"]})
            elif m["role"] == "assistant" and m.get("content"):
                seen.append({"role": "user", "content": m["content"]})
            if i in notes:
                seen.append({"role": "user", "content": notes[i]})
        _close_turn(seen, reminder)
        return [{"role": "system", "content": run.user_system}] + _recent(seen)

    def turn(self, dialogue, run, seed: int) -> tuple[str, bool]:
        """The user's next message in `dialogue`, pursuing the task of `run`, and whether
        the user says the goal is done."""
        out = clean(self.backend.generate_json(self.view(dialogue.messages, dialogue.user_notes, run),
                                               user_turn_schema(), seed=seed))
        return out["message"].strip(), bool(out["is_task_complete"])


def _close_turn(seen: list[dict], reminder: str) -> None:
    """End the view the user answers: a note when the agent said nothing since, and (small
    models drift into playing the agent) a reminder of who the user is."""
    if not seen or seen[-1]["role"] != "user":
        seen.append({"role": "user", "content": WAITING_NOTE})
    seen[-1] = {"role": "user", "content": f"{seen[-1]['content']}\n\n{reminder}"}


def _recent(seen: list[dict]) -> list[dict]:
    """At most USER_VIEW_MESSAGES, dropping the oldest half of them at once when over, so
    the start of the view stays the same for several turns."""
    step = USER_VIEW_MESSAGES // 2
    over = len(seen) - USER_VIEW_MESSAGES
    return seen[-(-over // step) * step:] if over > 0 else seen


class Agent:
    """Plays the assistant: each step is one constrained choice of a reply or a tool call."""

    def __init__(self, backend, tools: list[dict]):
        self.backend = backend
        self.with_tools = agent_turn_schema(tools)
        self.reply_only = agent_turn_schema([], allow_reply=True)

    def act(self, messages: list[dict], seed: int, allow_tools: bool = True) -> tuple[str, Any]:
        schema = self.with_tools if allow_tools else self.reply_only
        return parse_agent_turn(clean(self.backend.generate_json(messages, schema, seed=seed)))
