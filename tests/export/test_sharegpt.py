"""The sharegpt export passes the checks LLaMA-Factory's sharegpt converter makes: human-side
tags (human, observation) at even positions and model-side ones (gpt, function_call) at odd
positions, an even count (so no row ends on a tool result), parseable calls and tools."""
from __future__ import annotations

import json


def llamafactory_problems(row: dict) -> list[str]:
    """What LLaMA-Factory would reject the row for (it skips such rows with a warning)."""
    problems = []
    turns = row["conversations"]
    for i, turn in enumerate(turns):
        allowed = ("human", "observation") if i % 2 == 0 else ("gpt", "function_call")
        if turn["from"] not in allowed:
            problems.append(f"Invalid role tag at turn {i}: {turn['from']}")
        if turn["from"] == "function_call":
            call = json.loads(turn["value"])
            for c in call if isinstance(call, list) else [call]:
                if set(c) != {"name", "arguments"} or not isinstance(c["arguments"], dict):
                    problems.append(f"bad function_call at turn {i}")
    if len(turns) % 2 or not turns:
        problems.append(f"Invalid message count: {len(turns)}")
    tools = json.loads(row["tools"])
    if not all({"name", "description", "parameters"} <= set(t) for t in tools):
        problems.append("tools are not a list of {name, description, parameters}")
    if not row["system"] or "exactly one tool" in row["system"]:
        problems.append("system prompt missing or with the generation protocol")
    return problems


def sharegpt_rows(exported) -> list[dict]:
    rows = []
    for split_file in (exported.out_dir / "sharegpt").glob("*.jsonl"):
        rows += [json.loads(line) for line in split_file.read_text().splitlines()]
    return rows


def test_every_sharegpt_row_passes_the_converter_checks(exported):
    rows = sharegpt_rows(exported)
    assert rows
    for row in rows:
        assert llamafactory_problems(row) == [], row["id"]
    tags = {t["from"] for row in rows for t in row["conversations"]}
    assert tags == {"human", "gpt", "function_call", "observation"}


def test_the_checks_catch_what_a_raw_log_would_give(exported):
    """The converter check is not vacuous: a greeting first and a trailing tool result fail."""
    row = sharegpt_rows(exported)[0]
    bad = {**row, "conversations": [{"from": "gpt", "value": "Hi!"}, *row["conversations"],
                                    {"from": "observation", "value": "{}"}]}
    problems = llamafactory_problems(bad)
    assert any("Invalid role tag at turn 0" in p for p in problems)


def test_dataset_info_declares_the_files(exported):
    info = json.loads((exported.out_dir / "sharegpt" / "dataset_info.json").read_text())
    (name, entry), = info.items()
    assert entry["formatting"] == "sharegpt" and (exported.out_dir / "sharegpt" / entry["file_name"]).exists()
    assert entry["columns"] == {"messages": "conversations", "system": "system", "tools": "tools"}
