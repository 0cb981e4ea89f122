"""The state digest reads again only the tables a dialogue's writes may have touched, and is
the same as digesting every table: checked after each call of 520 τ-bench episodes."""
import json
from pathlib import Path

import pytest

from dslgen.spec.tools import ToolSpec
from dslgen.sql import compile_tool, parse_schema, state
from dslgen.sql.footprint import tables_written

EPISODES = Path(__file__).resolve().parents[1] / "data" / "tau-bench-retail" / "replay_train.jsonl"


def _full(session) -> str:
    return state.digest(session.schema, session.dump())


def test_incremental_digest_equals_the_full_one_after_every_call(retail_db, retail_tools):
    episodes = [json.loads(line) for line in EPISODES.read_text().splitlines()]
    checked = touched = 0
    for episode in episodes[::13]:  # 40 episodes, every kind of write among them
        with retail_db.fork() as s:
            for step in episode["steps"]:
                s.call(retail_tools[step["tool"]], step["arguments"])
                assert s.digest() == _full(s), (episode["id"], step["tool"])
                checked += 1
            touched += bool(s.touched)
    assert checked > 100 and touched > 20


def test_a_write_touches_its_target_tables_and_a_failed_one_nothing(retail_db, retail_tools, retail_schema):
    cancel = retail_tools["cancel_pending_order"]
    assert tables_written(cancel, retail_schema) == {"orders", "payment_history", "payment_methods"}
    assert tables_written(retail_tools["get_order_details"], retail_schema) == frozenset()
    with retail_db.fork() as s:
        seed = s.digest()
        assert s.call(cancel, {"order_id": "#W0000000", "reason": "no longer needed"}).is_error
        assert s.touched == set() and s.digest() == seed


@pytest.mark.parametrize("clause", ["ON DELETE CASCADE", "ON UPDATE SET NULL"])
def test_a_schema_whose_writes_spread_counts_every_table_as_touched(clause):
    schema = parse_schema(f"CREATE TABLE a (id TEXT PRIMARY KEY);\n"
                          f"CREATE TABLE b (id TEXT PRIMARY KEY, a_id TEXT REFERENCES a(id) {clause});")
    tool = compile_tool(ToolSpec(name="drop_a", description="d", parameters={"id": {"type": "string"}},
                                 writes=["DELETE FROM a WHERE id = :id"]), schema)
    assert tables_written(tool, schema) == {"a", "b"}
    plain = parse_schema("CREATE TABLE a (id TEXT PRIMARY KEY);\nCREATE TABLE b (id TEXT PRIMARY KEY);")
    assert tables_written(compile_tool(ToolSpec(name="drop_a", description="d", parameters={"id": {"type": "string"}},
                                                writes=["DELETE FROM a WHERE id = :id"]), plain), plain) == {"a"}


def test_a_dialogue_recorded_with_the_first_digest_still_checks_out(retail_db, retail_tools):
    with retail_db.fork() as s:
        s.call(retail_tools["cancel_pending_order"], {"order_id": "#W5765741", "reason": "ordered by mistake"})
        old = state.first_digest(s.schema, s.dump())
        assert old != s.digest() and s.first_digest() == old
