"""A record becomes a training example: export system prompt, greeting, call ids, ending."""
from __future__ import annotations

import copy
import re

from dslgen.export.conversation import training_messages

PROMPT = "You help library members."


def test_a_record_becomes_a_training_example(records):
    record = records[0]
    assert record["messages"][1]["role"] == "assistant"  # the log starts with the canned greeting
    messages = training_messages(record, PROMPT)
    assert messages[0] == {"role": "system", "content": PROMPT}
    assert messages[1]["role"] == "user" and messages[-1]["role"] == "assistant"
    calls = [c for m in messages for c in m.get("tool_calls") or []]
    results = [m["tool_call_id"] for m in messages if m["role"] == "tool"]
    assert [c["id"] for c in calls] == results
    assert all(re.fullmatch(r"[A-Za-z0-9]{9}", c["id"]) for c in calls)
    assert len({c["id"] for c in calls}) == len(calls)
    assert training_messages(record, PROMPT) == messages  # ids are stable


def test_the_greeting_is_kept_when_asked(records):
    messages = training_messages(records[0], PROMPT, keep_greeting=True)
    assert messages[1] == records[0]["messages"][1]


def test_a_dialogue_that_ends_on_a_tool_result_or_a_user_turn_is_cut_to_the_agent(records):
    record = copy.deepcopy(records[0])
    call = {"id": "call_9", "type": "function", "function": {"name": "find_book", "arguments": '{"title": "X"}'}}
    record["messages"] += [{"role": "user", "content": "And X?"},
                           {"role": "assistant", "content": None, "tool_calls": [call]},
                           {"role": "tool", "tool_call_id": "call_9", "name": "find_book", "content": "[]"}]
    messages = training_messages(record, PROMPT)
    assert messages[-1]["role"] == "assistant" and messages[-1]["tool_calls"][0]["function"]["name"] == "find_book"
    record["messages"] = record["messages"][:-2]
    assert training_messages(record, PROMPT)[-1]["content"] == "Dune is now on loan to you."


def test_user_turns_in_a_row_are_joined_and_nothing_to_learn_gives_nothing(records):
    record = copy.deepcopy(records[0])
    first_user = next(i for i, m in enumerate(record["messages"]) if m["role"] == "user")
    record["messages"].insert(first_user, {"role": "user", "content": "Hello."})
    messages = training_messages(record, PROMPT)
    assert messages[1]["content"].startswith("Hello.\n\n") and messages[2]["role"] == "assistant"
    record["messages"] = record["messages"][: first_user + 2]  # greeting and user turns only
    assert training_messages(record, PROMPT) == []
