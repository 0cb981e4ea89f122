"""OpenAI-style chat messages rendered for models without tool support.

Small chat models' templates know only system/user/assistant. A tool call is shown as the
assistant's JSON turn (the same shape the agent is constrained to emit, so the model sees
its own format), and a tool result becomes a user turn that names the tool. Consecutive
turns of one role are merged, since some templates insist on alternation.
"""
from __future__ import annotations

import json
from typing import Any


def fold_tool_messages(messages: list[dict]) -> list[dict]:
    """Return messages with only system/user/assistant roles and string contents."""
    names = _call_names(messages)
    out: list[dict] = []
    for msg in messages:
        role, text = _fold_one(msg, names)
        if out and out[-1]["role"] == role and role != "system":
            out[-1] = {"role": role, "content": out[-1]["content"] + "\n\n" + text}
        else:
            out.append({"role": role, "content": text})
    return out


def _fold_one(msg: dict, names: dict[str, str]) -> tuple[str, str]:
    role = msg.get("role", "user")
    content = _text(msg.get("content"))
    if role == "assistant" and msg.get("tool_calls"):
        calls = [_call_json(c) for c in msg["tool_calls"]]
        return "assistant", "\n".join(([content] if content else []) + calls)
    if role == "tool":
        name = msg.get("name") or names.get(msg.get("tool_call_id", ""), "tool")
        return "user", f"[result of {name}]\n{content}"
    if role not in ("system", "user", "assistant"):
        role = "user"
    return role, content


def _call_names(messages: list[dict]) -> dict[str, str]:
    names = {}
    for msg in messages:
        for call in msg.get("tool_calls") or []:
            names[call.get("id", "")] = call.get("function", {}).get("name", "tool")
    return names


def _call_json(call: dict) -> str:
    fn = call.get("function", {})
    args: Any = fn.get("arguments", {})
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except (json.JSONDecodeError, RecursionError):
            pass
    return json.dumps({"tool": fn.get("name"), "arguments": args}, ensure_ascii=False)


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return json.dumps(content, ensure_ascii=False)
