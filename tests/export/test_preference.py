"""KTO rows and DPO pairs from what validation rejected."""
from __future__ import annotations

import copy
import json

from dslgen.export.preference import dpo_rows, kto_rows

PROMPT = "You help library members."


def test_kto_rows_are_labelled_by_validation(records):
    rows = kto_rows(records, PROMPT)
    assert {r["id"]: r["label"] for r in rows} == {r["id"]: r["validation"]["valid"] for r in records}
    for row in rows:
        assert [m["role"] for m in row["prompt"]] == ["system", "user"]
        assert row["completion"][-1]["role"] == "assistant"
        assert (row["reasons"] == []) == row["label"]


def test_dpo_pairs_an_accepted_and_a_rejected_dialogue_of_the_same_task(records):
    (row,) = dpo_rows(records, PROMPT)
    chosen_id, rejected_id = row["id"].split("+")
    by_id = {r["id"]: r for r in records}
    assert by_id[chosen_id]["validation"]["valid"] and not by_id[rejected_id]["validation"]["valid"]
    assert row["tasks"] == ["borrow_dune"]
    assert row["prompt"][0]["content"] == PROMPT
    assert row["chosen"] != row["rejected"]
    assert any("borrow_book" in r for r in row["rejected_reasons"])
    assert lent(row["chosen"]) == [{"member_id": "m1", "book_id": "b1"}]
    assert lent(row["rejected"]) == [{"member_id": "m1", "book_id": "b3"}]


def lent(messages: list[dict]) -> list[dict]:
    return [json.loads(c["function"]["arguments"]) for m in messages for c in m["tool_calls"]
            if c["function"]["name"] == "borrow_book"]


def test_generation_faults_are_no_preference_data(records):
    broken = copy.deepcopy(records)
    for r in broken:
        if not r["validation"]["valid"]:
            r["termination"] = {"reason": "backend_error", "error": "server down"}
    assert dpo_rows(broken, PROMPT) == []
    assert all(r["label"] for r in kto_rows(broken, PROMPT))
