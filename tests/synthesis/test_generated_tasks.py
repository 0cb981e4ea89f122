"""Generated tasks with a scripted generator: each admission check rejects its proposal."""
import pytest

from dslgen.backends.scripted import ScriptedBackend
from dslgen.spec.model_settings import ModelSpec
from dslgen.synthesis.generated_tasks import task_schema, generate_tasks


def proposal(calls, checks=(), goal="You want something done.", known=()):
    return {"difficulty": "easy", "goal": goal, "known": [{"name": k, "value": v} for k, v in known],
            "unknown": ["your user id"], "expected_calls": [{"tool": t, "arguments": a} for t, a in calls],
            "checkpoints": ["The agent confirms."], "final_state": [{"sql": s, "expect": e} for s, e in checks]}


CANCEL = ("cancel_pending_order", {"order_id": "#W5765741", "reason": "ordered by mistake"})
CANCELLED = ("SELECT status FROM orders WHERE order_id = '#W5765741'", "cancelled")
OUTPUTS = [
    proposal([CANCEL], [CANCELLED], goal="You want order #W5765741 cancelled.", known=[("order_id", "#W5765741")]),
    # already true before the calls: the order exists whether or not it is cancelled
    proposal([CANCEL], [("SELECT COUNT(*) FROM orders WHERE order_id = '#W5765741'", 1)]),
    # the expected call fails on the seed data: #W6067464 is delivered, not pending
    proposal([("cancel_pending_order", {"order_id": "#W6067464", "reason": "no longer needed"})], [CANCELLED]),
    # placeholders resolved against the rows the model was shown
    proposal([("get_order_details", {"order_id": "{{ orders[0].order_id }}"})],
             [("SELECT COUNT(*) FROM orders WHERE order_id = '{{ orders[0].order_id }}'", 1)]),
    proposal([("get_order_details", {"order_id": "{{ orders[99].order_id }}"})]),  # no such row
    {"goal": 3},  # not a task at all
]


def scripted(outputs):
    return ScriptedBackend(ModelSpec(backend="scripted", max_invalid_retries=0), "generator", outputs)


def test_each_admission_check_rejects_its_proposal(retail_plan, seed_db):
    backend = scripted(list(OUTPUTS))
    result = generate_tasks(retail_plan, backend, seed_db, count=len(OUTPUTS))
    assert [t.id for t in result.admitted] == ["generated-0000", "generated-0003"]
    looked_up = result.admitted[1].rubric.expected_calls[0].arguments["order_id"]
    assert looked_up.startswith("#W")  # an order id the model saw, not the placeholder
    reasons = {r.name: (r.reason, r.detail) for r in result.rejected}
    assert reasons["generated-0001"][0] == "already_holds"
    assert reasons["generated-0002"] == ("call_failed", 'call 1 cancel_pending_order({"order_id": "#W6067464", '
                                         '"reason": "no longer needed"}): Error: non-pending order cannot be cancelled')
    assert reasons["generated-0004"][0] == "render_failed"
    assert reasons["generated-0005"][0] == "model_failed"
    assert result.fault is None and "2 of 6 tasks admitted" in result.summary("tasks")


def test_the_prompt_shows_tables_tools_rows_and_what_was_written(retail_plan, seed_db):
    backend = scripted(list(OUTPUTS[:2]))
    generate_tasks(retail_plan, backend, seed_db, count=2)
    first, second = (r["messages"][0]["content"] for r in backend.requests)
    assert "cancel_pending_order(order_id: string, reason: string)" in first
    assert "orders(order_id, user_id" in first and "orders[0] = {" in first
    assert "You want order #W5765741 cancelled." in second  # asks for a different task next
    assert backend.requests[0]["schema"] == task_schema(retail_plan.tools)


def test_a_server_fault_stops_the_source_and_keeps_what_was_proposed(retail_plan, seed_db):
    result = generate_tasks(retail_plan, scripted(list(OUTPUTS[:1])), seed_db, count=3)
    assert [t.id for t in result.admitted] == ["generated-0000"]
    assert "no canned outputs left" in str(result.fault)
