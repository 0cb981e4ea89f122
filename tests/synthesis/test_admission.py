"""The admission oracle on real SQL: each way a task can fail, and tasks that pass."""
import pytest

from dslgen.spec.tasks import TaskSpec
from dslgen.synthesis.admission import TaskOracle
from dslgen.synthesis.reasons import REASONS


def task(id="t", calls=(), checks=(), **extra) -> TaskSpec:
    return TaskSpec.model_validate({"id": id, "goal": "g", **extra, "rubric": {
        "expected_calls": [{"tool": t, "arguments": a} for t, a in calls],
        "final_state": [{"sql": s, "expect": e} for s, e in checks]}})


CANCEL = ("cancel_pending_order", {"order_id": "#W5765741", "reason": "ordered by mistake"})
CANCELLED = ("SELECT status FROM orders WHERE order_id = '#W5765741'", "cancelled")


@pytest.fixture
def oracle(retail_plan, seed_db):
    return TaskOracle(retail_plan.tools, seed_db)


def test_a_write_task_whose_check_turns_true_is_admitted(oracle):
    assert oracle.verdict(task(calls=[CANCEL], checks=[CANCELLED])) is None


def test_checks_that_already_hold_before_the_calls_are_rejected(oracle):
    exists = ("SELECT COUNT(*) FROM orders WHERE order_id = '#W5765741'", 1)  # true before and after
    reason, detail = oracle.verdict(task(calls=[CANCEL], checks=[exists]))
    assert reason == "already_holds" and "COUNT(*)" in detail
    # beside a check the calls make true, one that holds throughout is an invariant
    assert oracle.verdict(task(calls=[CANCEL], checks=[CANCELLED, exists])) is None


def test_expected_calls_that_fail_are_rejected_with_the_tool_error(oracle):
    delivered = ("cancel_pending_order", {"order_id": "#W6067464", "reason": "no longer needed"})
    reason, detail = oracle.verdict(task(calls=[delivered], checks=[CANCELLED]))
    assert reason == "call_failed"
    assert "non-pending order cannot be cancelled" in detail


def test_a_check_the_calls_do_not_make_true_is_rejected(oracle):
    wrong = ("SELECT status FROM orders WHERE order_id = '#W5765741'", "delivered")
    assert oracle.verdict(task(calls=[CANCEL], checks=[wrong]))[0] == "not_reached"


def test_a_write_task_that_changes_nothing_is_rejected(oracle, seed_db):
    with seed_db.fork() as s:
        user = s.query("SELECT * FROM users WHERE user_id = 'sophia_nguyen_2370'")[0]
    same = {k: user[k] for k in ("user_id", "address1", "address2", "city", "state", "country", "zip")}
    assert oracle.verdict(task(calls=[("modify_user_address", same)]))[0] == "no_change"
    moved = {**same, "address1": "1 Elsewhere Road"}
    assert oracle.verdict(task(calls=[("modify_user_address", moved)])) is None


def test_unknown_tools_bad_queries_and_partial_calls_are_rejected(oracle):
    assert oracle.verdict(task(calls=[("refund_everything", {})]))[0] == "unknown_tool"
    bad = ("SELECT statuz FROM orders WHERE order_id = '#W5765741'", "cancelled")
    assert oracle.verdict(task(calls=[CANCEL], checks=[bad]))[0] == "bad_check"
    assert oracle.verdict(task())[0] == "unverifiable"


def test_a_write_argument_the_rubric_leaves_open_comes_from_what_the_user_knows(oracle):
    partial = ("cancel_pending_order", {"order_id": "#W5765741"})
    why = ("SELECT cancel_reason FROM orders WHERE order_id = '#W5765741'", "ordered by mistake")
    assert oracle.verdict(task(calls=[partial], checks=[why], known={"reason": "ordered by mistake"})) is None
    reason, detail = oracle.verdict(task(calls=[partial], checks=[why], known={"reason": "no longer needed"}))
    assert reason == "not_reached" and "cancel_reason" in detail
    # not known either: a value the tool accepts (here one of its enum) is drawn
    assert oracle.verdict(task(calls=[partial], checks=[CANCELLED])) is None


def test_a_read_only_task_needs_its_checks_to_hold_after(oracle):
    look = ("get_order_details", {"order_id": "#W5765741"})
    pending = ("SELECT status FROM orders WHERE order_id = '#W5765741'", "pending")
    assert oracle.verdict(task(calls=[look], checks=[pending])) is None
    assert oracle.verdict(task(calls=[look], checks=[CANCELLED]))[0] == "not_reached"


def test_admit_keeps_every_rejection_and_follows_chains(oracle):
    first = task("first", calls=[CANCEL], checks=[CANCELLED])
    again = task("again", calls=[CANCEL], checks=[CANCELLED])  # same content, other id
    # after `first`, cancelling again fails: the chain starts from the state first reached
    then = task("then", calls=[CANCEL], checks=[CANCELLED], follows="first")
    orphan = task("orphan", calls=[CANCEL], follows="nowhere")
    result = oracle.admit([first, again, then, orphan], "hand_written")
    assert [t.id for t in result.admitted] == ["first"]
    assert {r.name: r.reason for r in result.rejected} == {
        "again": "duplicate", "then": "call_failed", "orphan": "call_failed"}
    assert all(r.source == "hand_written" and r.reason in REASONS for r in result.rejected)
    assert result.proposed == 4 and "1 of 4 tasks admitted" in result.summary("tasks")
