"""The `sharegpt` format, in the layout LLaMA-Factory reads for tool use.

`conversations` is a list of {from, value}: human, gpt, function_call (the call as JSON:
{"name", "arguments": {...}}) and observation (the tool's output), alternating human-side
(human, observation) and model-side (gpt, function_call) turns, starting with human and
ending on the model's side. The system prompt is a column of its own, and `tools` is the
JSON text of a list of {name, description, parameters}. A `dataset_info.json` beside the
files declares them to LLaMA-Factory.
"""
from __future__ import annotations

import json

from dslgen.export.conversation import arguments_of

COLUMNS = {"id": "string", "system": "string", "tools": "string",
           "conversations": {"list": {"struct": {"from": "string", "value": "string"}}}}
HUMAN_SIDE, MODEL_SIDE = ("human", "observation"), ("gpt", "function_call")


def sharegpt_row(record: dict, messages: list[dict]) -> dict:
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    tools = [t["function"] for t in record.get("tools", [])]
    return {"id": record["id"], "system": system, "tools": json.dumps(tools, ensure_ascii=False),
            "conversations": turns(messages)}


def turns(messages: list[dict]) -> list[dict]:
    out: list[dict] = []
    results: list[str] = []  # outputs of calls made together become one observation
    for m in messages:
        if m["role"] == "tool":
            results.append(m["content"] or "")
            continue
        if results:
            out.append(_observation(results))
            results = []
        if m["role"] != "system":
            out.append(_turn(m))
    if results:
        out.append(_observation(results))
    return out


def _observation(results: list[str]) -> dict:
    value = results[0] if len(results) == 1 else json.dumps(results, ensure_ascii=False)
    return {"from": "observation", "value": value}


def _turn(m: dict) -> dict:
    if m["role"] == "user":
        return {"from": "human", "value": m["content"] or ""}
    calls = [{"name": c["function"]["name"], "arguments": arguments_of(c)} for c in m.get("tool_calls") or []]
    if not calls:
        return {"from": "gpt", "value": m["content"] or ""}
    value = calls[0] if len(calls) == 1 else calls
    return {"from": "function_call", "value": json.dumps(value, ensure_ascii=False)}


def dataset_info(name: str, files: dict[str, str]) -> dict:
    """LLaMA-Factory's dataset_info.json entries: one per split file."""
    columns = {"messages": "conversations", "system": "system", "tools": "tools"}
    return {f"{name}_{split}": {"file_name": file, "formatting": "sharegpt", "columns": columns}
            for split, file in files.items()}
