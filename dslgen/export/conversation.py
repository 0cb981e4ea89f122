"""A dialogue record as a training example, not a generation log.

Every export format starts from `training_messages`: the generation system prompt (which
tells the agent "call exactly one tool" and the like) is replaced by the export one, the
canned greeting is dropped unless kept (strict trainers want a user turn first), tool-call
ids become 9 alphanumerics (Mistral's template accepts nothing else, and every other one
accepts them), runs of user messages are joined, and the example ends on an assistant
message: nothing to learn follows a tool result or a user's last word.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

ID_LENGTH = 9  # Mistral's chat template checks tool-call ids: exactly 9 alphanumerics


def training_messages(record: dict, system_prompt: str, keep_greeting: bool = False) -> list[dict]:
    """The record's messages, made fit to train on (OpenAI format, arguments as JSON text).
    Empty when nothing is left to learn (no assistant message after a user turn)."""
    body = [m for m in record["messages"] if m["role"] != "system"]
    if not keep_greeting:
        body = _from_first_user(body)
    body = _ends_on_assistant(_join_user_runs(_renamed_calls(body, record["id"])))
    if not any(m["role"] == "assistant" for m in body) or not any(m["role"] == "user" for m in body):
        return []
    return [{"role": "system", "content": system_prompt}, *body]


def call_id(dialogue_id: str, original: str, taken: set[str]) -> str:
    """A stable 9-character alphanumeric id for one call of one dialogue."""
    salt = 0
    while True:
        digest = hashlib.sha256(f"{dialogue_id}|{original}|{salt}".encode()).hexdigest()[:ID_LENGTH]
        if digest not in taken:
            return digest
        salt += 1


def arguments_of(call: dict) -> dict[str, Any]:
    """A call's arguments as an object (the record keeps them as JSON text, as the API does)."""
    arguments = call["function"]["arguments"]
    return json.loads(arguments) if isinstance(arguments, str) else dict(arguments)


def _from_first_user(messages: list[dict]) -> list[dict]:
    first = next((i for i, m in enumerate(messages) if m["role"] == "user"), len(messages))
    return messages[first:]


def _renamed_calls(messages: list[dict], dialogue_id: str) -> list[dict]:
    names: dict[str, str] = {}
    out = []
    for m in messages:
        m = dict(m)
        if m.get("tool_calls"):
            m["tool_calls"] = [_renamed(c, dialogue_id, names) for c in m["tool_calls"]]
        if m["role"] == "tool":
            m["tool_call_id"] = names.get(m.get("tool_call_id", ""), m.get("tool_call_id", ""))
        out.append(m)
    return out


def _renamed(call: dict, dialogue_id: str, names: dict[str, str]) -> dict:
    new = call_id(dialogue_id, call["id"], set(names.values()))
    names[call["id"]] = new
    return {**call, "id": new}


def _join_user_runs(messages: list[dict]) -> list[dict]:
    """Two user messages in a row (from an edited start history) become one turn."""
    out: list[dict] = []
    for m in messages:
        if out and m["role"] == "user" and out[-1]["role"] == "user":
            out[-1] = {**out[-1], "content": f"{out[-1]['content']}\n\n{m['content']}"}
        else:
            out.append(m)
    return out


def _ends_on_assistant(messages: list[dict]) -> list[dict]:
    end = len(messages)
    while end and messages[end - 1]["role"] != "assistant":
        end -= 1
    return messages[:end]
