"""The `openai` format: one training example as the chat API takes it, {"id", "messages",
"tools"}, tool calls as `tool_calls` (arguments as JSON text) and results as `tool` messages."""
from __future__ import annotations


def openai_row(record: dict, messages: list[dict]) -> dict:
    return {"id": record["id"], "messages": messages, "tools": record.get("tools", [])}
