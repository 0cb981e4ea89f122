"""The `hf` format: rows that load with `datasets` into one schema, whatever tools a row used.

Arrow gives every row of a column the same type, so call arguments stored as objects would
become one struct with every parameter of every tool, null where a call did not use it, and
tool schemas likewise. Here a call's arguments and each tool's schema are JSON text, every
message has every key (empty when unused: "" or []), and nothing is ever null. The loading
recipe (`RECIPE`, shown in the dataset card) decodes them in one `map` and hands a chat
template each call's arguments as an object with exactly the call's keys.
"""
from __future__ import annotations

import json

from dslgen.export.conversation import arguments_of

CALL = {"struct": {"id": "string", "type": "string",
                   "function": {"struct": {"name": "string", "arguments": "string"}}}}
MESSAGE = {"struct": {"role": "string", "content": "string", "tool_calls": {"list": CALL},
                      "tool_call_id": "string", "name": "string"}}
COLUMNS = {"id": "string", "mode": "string", "tasks": {"list": "string"},
           "messages": {"list": MESSAGE}, "tools": {"list": "string"}}


def hf_row(record: dict, messages: list[dict]) -> dict:
    return {"id": record["id"], "mode": record.get("provenance", {}).get("mode", ""),
            "tasks": task_ids(record), "messages": [hf_message(m) for m in messages],
            "tools": encoded_tools(record)}


def task_ids(record: dict) -> list[str]:
    return [t.get("id", "") for t in record.get("task", [])]


def encoded_tools(record: dict) -> list[str]:
    """Each tool object as JSON text (its parameters differ from tool to tool)."""
    return [json.dumps(t, ensure_ascii=False) for t in record.get("tools", [])]


def hf_message(m: dict) -> dict:
    """Every key present, never null: arguments as compact JSON text."""
    calls = [{"id": c["id"], "type": "function",
              "function": {"name": c["function"]["name"],
                           "arguments": json.dumps(arguments_of(c), ensure_ascii=False)}}
             for c in m.get("tool_calls") or []]
    return {"role": m["role"], "content": m.get("content") or "", "tool_calls": calls,
            "tool_call_id": m.get("tool_call_id") or "", "name": m.get("name") or ""}


# The loading recipe of the card: one load_dataset call and one map. `{path}` and `{config}`
# are filled in; `tokenizer` is the user's. Tests run this exact text.
RECIPE = '''\
import json
from datasets import load_dataset

dataset = load_dataset("{path}", "{config}")

def render(row):
    messages = []
    for m in row["messages"]:
        message = {{"role": m["role"], "content": m["content"]}}
        if m["tool_calls"]:
            message["tool_calls"] = [
                {{"id": c["id"], "type": "function",
                 "function": {{"name": c["function"]["name"],
                              "arguments": json.loads(c["function"]["arguments"])}}}}
                for c in m["tool_calls"]]
        if m["role"] == "tool":
            message["tool_call_id"], message["name"] = m["tool_call_id"], m["name"]
        messages.append(message)
    tools = [json.loads(t) for t in row["tools"]]
    return {{"text": tokenizer.apply_chat_template(messages, tools=tools, tokenize=False)}}

dataset = dataset.map(render)
'''
