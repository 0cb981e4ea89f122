"""Dialogues recorded before the state digest went per table still check out when validated
again (nothing already generated is lost to a format change)."""
from __future__ import annotations

import json

from dslgen import api
from dslgen.backends import clear_backends
from dslgen.sim.database import open_database
from dslgen.sim.dialogue import Dialogue
from dslgen.stages.validate import replay_state
from scripted import SPEC, accepted, lines


def test_a_dialogue_with_the_first_digest_format_is_still_accepted(tmp_path):
    clear_backends()
    api.run_spec(SPEC, out=tmp_path, progress=False)
    plan = api.compile_file(SPEC, tmp_path)
    records = lines(tmp_path / "dialogues.jsonl")
    for record in records:
        with open_database(plan).fork() as db:
            assert replay_state(plan, Dialogue.from_json(record), db) is None
            record["provenance"]["state_digest"] = db.first_digest()
    (tmp_path / "dialogues.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    clear_backends()
    api.run_spec(SPEC, out=tmp_path, progress=False, stages=["validate"])
    assert len(accepted(tmp_path)) == 2
    records[0]["provenance"]["state_digest"] = "0" * 64  # and a wrong one is still caught
    (tmp_path / "dialogues.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    api.run_spec(SPEC, out=tmp_path, progress=False, stages=["validate"])
    assert "state_mismatch" in lines(tmp_path / "rejected.jsonl")[0]["validation"]["reasons"]
