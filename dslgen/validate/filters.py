"""Cheap quality filters, run before any judge call: each a reject reason `filter:<name>`.

Weak models fail in recognisable ways that a rubric does not catch: the user and the agent
trading the same sentence, the user model playing the agent, prompt text (a template's
placeholder, a runtime note) sent as a message, empty messages, an agent that never calls
a tool the task needs. Each filter looks at the generated messages only (not a starting
history) and says why it tripped, or None.
"""
from __future__ import annotations

import re
from typing import Callable

from dslgen.sim.dialogue import Dialogue
from dslgen.sim.roles import GUARD_NOTE, ROLE_REMINDER, WAITING_NOTE
from dslgen.spec.stages import QUALITY_FILTERS

MIN_REPEAT_WORDS = 4  # "Thanks!" twice is fine; a whole sentence again is a loop
MIN_LEAK_WORDS = 6  # a template sentence this long found in a message is a leak

# A customer does not offer help or speak as the support side.
AGENT_PHRASES = re.compile(
    r"\bhow (?:can|may|could) i (?:help|assist)\b|\bis there anything else i can\b"
    r"|\bthank you for contacting\b|\bi(?:'m| am) (?:the|your|an?) (?:support )?(?:agent|assistant)\b"
    r"|^\s*(?:agent|assistant|support)\s*:", re.IGNORECASE)
PLACEHOLDER = re.compile(r"<[a-z][^<>\n]{1,40}>", re.IGNORECASE)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


class FilterContext:
    """What the filters compare messages against, computed once per validate stage."""

    def __init__(self, templates: dict[str, str], write_tools: set[str]):
        self.leaks = _leak_markers(templates)
        self.write_tools = write_tools


def _leak_markers(templates: dict[str, str]) -> list[str]:
    """Lower-cased prompt text no message should contain: the templates' placeholders and
    long literal sentences, Jinja delimiters, and the user simulator's runtime notes."""
    markers = {"{{", "{%", "is_task_complete"}
    notes = (WAITING_NOTE, ROLE_REMINDER.split("{")[0], GUARD_NOTE.split("{")[0])
    markers.update(n.strip().lower() for n in notes)
    for text in templates.values():
        markers.update(m.lower() for m in PLACEHOLDER.findall(text))
        for chunk in JINJA.split(text):
            for sentence in re.split(r"(?<=[.!?:])\s+|\n", chunk):
                if len(sentence.split()) >= MIN_LEAK_WORDS:
                    markers.add(sentence.strip().lower())
    return sorted(markers)


def _spoken(d: Dialogue) -> list[tuple[int, dict]]:
    """(index, message) of the generated user and assistant text messages."""
    return [(i, m) for i, m in enumerate(d.messages) if i >= d.prefix_length
            and m["role"] in ("user", "assistant") and not m.get("tool_calls")]


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def empty_message(d: Dialogue, ctx: FilterContext) -> str | None:
    empty = [i for i, m in _spoken(d) if not (m.get("content") or "").strip()]
    return f"message {empty[0]} is empty" if empty else None


def repeated_message(d: Dialogue, ctx: FilterContext) -> str | None:
    seen: dict[str, int] = {}
    for i, m in enumerate(d.messages):
        if m["role"] not in ("user", "assistant") or m.get("tool_calls"):
            continue
        text = _normal(m.get("content") or "")
        if i >= d.prefix_length and len(text.split()) >= MIN_REPEAT_WORDS and text in seen:
            return f"message {i} repeats message {seen[text]}: {m['content'][:80]!r}"
        seen.setdefault(text, i)
    return None


def user_as_agent(d: Dialogue, ctx: FilterContext) -> str | None:
    for i, m in _spoken(d):
        if m["role"] == "user" and AGENT_PHRASES.search(m.get("content") or ""):
            return f"user message {i} speaks as the agent: {m['content'][:80]!r}"
    return None


def template_leak(d: Dialogue, ctx: FilterContext) -> str | None:
    for i, m in _spoken(d):
        text = (m.get("content") or "").lower()
        found = next((marker for marker in ctx.leaks if marker in text), None)
        found = found or next(iter(PLACEHOLDER.findall(text)), None)  # any <what you say>-like slot
        if found:
            return f"message {i} holds prompt text: {found[:60]!r}"
    return None


def no_tool_call(d: Dialogue, ctx: FilterContext) -> str | None:
    expecting = [r.task.id for r in d.tasks if r.task.rubric.expected_calls]
    if expecting and not d.calls:
        return f"no tool call, though task {expecting[0]} expects one"
    return None


FILTERS: dict[str, Callable[[Dialogue, FilterContext], str | None]] = {
    "empty_message": empty_message, "repeated_message": repeated_message, "user_as_agent": user_as_agent,
    "template_leak": template_leak, "no_tool_call": no_tool_call,
}
assert tuple(FILTERS) == QUALITY_FILTERS, "every declared filter has one function here"


def tripped(d: Dialogue, names: tuple[str, ...], ctx: FilterContext) -> list[tuple[str, str]]:
    """(reason code, why) of each filter in `names` that the dialogue trips."""
    out = []
    for name in names:
        why = FILTERS[name](d, ctx)
        if why:
            out.append((f"filter:{name}", why))
    return out
