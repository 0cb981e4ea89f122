"""Per-dialogue state: isolated forks, all-or-nothing calls, read-only reads, digest and diff."""
import dataclasses

import pytest

from dslgen.spec.tools import ToolSpec
from dslgen.sql import Database, compile_tool

from sql.fixtures import RETAIL

ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=ENGINES)
def db(request):
    if request.param == "sqlite":
        return Database.from_domain(RETAIL)
    return Database.from_domain(RETAIL, "postgresql", request.getfixturevalue("postgres_url"))


def _pending_order(session) -> tuple[str, str]:
    row = session.query("SELECT order_id, user_id FROM orders WHERE status = 'pending' ORDER BY order_id LIMIT 1")[0]
    return row["order_id"], row["user_id"]


def test_forks_are_isolated(db, retail_tools):
    with db.fork() as a, db.fork() as b:
        order, _ = _pending_order(a)
        seed = b.digest()
        result = a.call(retail_tools["cancel_pending_order"], {"order_id": order, "reason": "ordered by mistake"})
        assert not result.is_error and result.writes
        assert b.digest() == seed != a.digest()
        assert '"status": "pending"' in b.call(retail_tools["get_order_details"], {"order_id": order}).output
    with db.fork() as c:
        assert c.digest() == seed  # a new fork starts from the seed again


def test_diff_names_the_changed_rows(db, retail_tools):
    with db.fork() as before, db.fork() as after:
        order, _ = _pending_order(after)
        after.call(retail_tools["cancel_pending_order"], {"order_id": order, "reason": "no longer needed"})
        changes = after.diff(before)
    tables = sorted({c.table for c in changes})
    assert "orders" in tables and "payment_history" in tables
    status = next(c for c in changes if c.table == "orders")
    assert status.key == (order,) and status.before["status"] == "pending"
    assert status.after["status"] == "cancelled" and status.after["cancel_reason"] == "no longer needed"
    assert all(c.before is None for c in changes if c.table == "payment_history")  # refunds are new rows


def test_a_failed_guard_changes_nothing(db, retail_tools):
    with db.fork() as s:
        seed = s.digest()
        r = s.call(retail_tools["cancel_pending_order"], {"order_id": "#W0000000", "reason": "no longer needed"})
        assert (r.output, r.is_error) == ("Error: order not found", True)
        assert s.digest() == seed


def test_writes_are_all_or_nothing(db, retail_schema):
    spec = ToolSpec(name="half", description="d", parameters={"user_id": {"type": "string"}},
                    writes=["UPDATE users SET email = 'changed' WHERE user_id = :user_id",
                            "INSERT INTO products (product_id, name) VALUES ('9523456873', 'duplicate key')"])
    tool = compile_tool(spec, retail_schema)
    with db.fork() as s:
        seed = s.digest()
        r = s.call(tool, {"user_id": "noah_brown_6181"})
        assert r.is_error and r.output.startswith("Error: half failed")
        assert s.digest() == seed


def test_read_tools_cannot_write_even_if_misclassified(db, retail_schema):
    spec = ToolSpec(name="sneaky", description="d", writes=["DELETE FROM users"])
    tool = dataclasses.replace(compile_tool(spec, retail_schema), writes=False)
    with db.fork() as s:
        seed = s.digest()
        assert s.call(tool, {}).is_error
        assert s.digest() == seed


@pytest.mark.parametrize("arguments", [
    {}, {"order_id": 5, "reason": "no longer needed"}, {"order_id": "#W1", "reason": "bored"},
    {"order_id": "#W1", "reason": "no longer needed", "extra": 1}, ["not", "an", "object"],
])
def test_invalid_arguments_give_an_error_output(db, retail_tools, arguments):
    with db.fork() as s:
        r = s.call(retail_tools["cancel_pending_order"], arguments)
        assert r.is_error and r.output.startswith("Error: invalid arguments for cancel_pending_order")


def test_apply_calls_starts_from_any_state(db, retail_tools):
    with db.fork() as s:
        order, _ = _pending_order(s)
        calls = [(retail_tools["cancel_pending_order"], {"order_id": order, "reason": "no longer needed"})]
        s.apply_calls(calls)
        with db.fork() as t:
            t.apply_calls(calls)
            assert t.digest() == s.digest()


def test_query_is_read_only(db):
    from dslgen.errors import RunError

    with db.fork() as s:
        assert s.query("SELECT COUNT(*) AS n FROM users")[0]["n"] == 500
        assert s.query("SELECT name FROM products WHERE product_id = :p", {"p": "9523456873"}) == [{"name": "T-Shirt"}]
        with pytest.raises(RunError):
            s.query("DELETE FROM users")


@pytest.mark.postgres
def test_digest_is_the_same_on_both_engines(retail_tools, postgres_url):
    digests = []
    for engine, url in (("sqlite", None), ("postgresql", postgres_url)):
        with Database.from_domain(RETAIL, engine, url).fork() as s:
            order, _ = _pending_order(s)
            s.call(retail_tools["modify_pending_order_address"], {
                "order_id": order, "address1": "1 Road", "address2": "", "city": "Paris", "state": "IDF",
                "country": "France", "zip": "75001"})
            digests.append((s.digest(), s.dump()["orders"][:3]))
    assert digests[0] == digests[1]


@pytest.mark.postgres
def test_a_second_database_reuses_the_master_without_disturbing_forks(postgres_url):
    first = Database.from_domain(RETAIL, "postgresql", postgres_url)
    with first.fork() as s:
        second = Database.from_domain(RETAIL, "postgresql", postgres_url)
        assert s.digest() == second.digest()


def test_two_dialogues_write_the_same_row_without_waiting(db, retail_tools):
    """Each fork owns its rows: no lock is shared between dialogues."""
    import threading

    outputs = []

    def both():
        with db.fork() as a, db.fork() as b:
            order, _ = _pending_order(a)
            for s in (a, b):
                outputs.append(s.call(retail_tools["cancel_pending_order"],
                                      {"order_id": order, "reason": "no longer needed"}))

    worker = threading.Thread(target=both, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the second fork waited on the first one's locks"
    assert [r.is_error for r in outputs] == [False, False]
