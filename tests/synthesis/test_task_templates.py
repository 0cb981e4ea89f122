"""Task templates: rows of the seed data become tasks, each admitted by the oracle."""
import pytest

from dslgen import api
from dslgen.spec import loader
from dslgen.spec.task_templates import TaskTemplate
from dslgen.sim.database import open_database
from dslgen.synthesis.task_templates import expand, instantiate, tasks_from_templates
from dslgen.synthesis.values import render_value
from synthesis.conftest import RETAIL_SPEC, ROOT

LIBRARY = ROOT / "examples" / "minimal"


@pytest.fixture(scope="module")
def retail_templates():
    return loader.from_file(RETAIL_SPEC).spec.domain.task_templates


@pytest.fixture(scope="module")
def library():
    plan = api.compile_file(LIBRARY / "spec.yaml")
    return plan.tools, open_database(plan)


def lend(**changes) -> TaskTemplate:
    data = {
        "id": "lend", "sample": "SELECT book_id, title FROM books WHERE on_loan_to IS NULL ORDER BY book_id",
        "choose": {"member": ["m1", "m2"]}, "goal": "You want to borrow {{ title }}.",
        "known": {"member_id": "{{ member }}"}, "persona": ["reader"], "difficulty": ["easy", "hard"],
        "rubric": {"expected_calls": [{"tool": "borrow_book", "arguments": {"member_id": "{{ member }}", "book_id": "{{ book_id }}"}}],
                   "final_state": [{"sql": "SELECT on_loan_to FROM books WHERE book_id = :book_id", "expect": "{{ member }}",
                                    "description": "{{ title }} is lent to {{ member }}"}]}}
    return TaskTemplate.model_validate({**data, **changes})


def test_one_template_row_per_task_each_admitted(library):
    tools, db = library
    result = tasks_from_templates([lend()], tools, db, seed=1)
    assert [t.id for t in result.admitted] == ["lend-0000", "lend-0001"]  # Dune and Ulysses are free
    dune = result.admitted[0]
    assert dune.goal == "You want to borrow Dune."
    assert dune.rubric.final_state[0].sql == "SELECT on_loan_to FROM books WHERE book_id = 'b1'"
    assert dune.rubric.final_state[0].expect == dune.known["member_id"] in ("m1", "m2")
    assert dune.persona == "reader" and dune.difficulty in ("easy", "hard")


def test_picks_are_seeded_per_row(library):
    tools, db = library
    first, _ = expand([lend()], db, seed=3)
    again, _ = expand([lend()], db, seed=3)
    assert first == again
    picks = {tuple(t.known["member_id"] for t in expand([lend()], db, seed=s)[0]) for s in range(12)}
    assert len(picks) > 1  # another seed, other picks


def test_rows_that_cannot_become_admitted_tasks_are_kept_with_their_reason(library):
    tools, db = library
    lent = lend(id="lent", sample="SELECT book_id, title FROM books WHERE on_loan_to IS NOT NULL")  # Emma is out
    broken = lend(id="broken", goal="{{ title.nope() }}")
    unsafe = lend(id="unsafe", goal="Borrow {{ title.__class__ }}, please.")  # the sandbox refuses it
    huge = lend(id="huge", goal="Borrow {{ title * 10**8 }}.")  # past the output cap
    result = tasks_from_templates([lent, broken, unsafe, huge], tools, db, seed=1)
    assert result.admitted == []
    reasons = {r.name: r.reason for r in result.rejected}
    assert reasons["lent-0000"] == "call_failed"
    assert reasons["broken-0000"] == reasons["unsafe-0000"] == reasons["huge-0000"] == "render_failed"


def test_a_value_that_is_one_expression_keeps_its_type():
    variables = {"ids": "1,2", "n": 3, "name": "O'Brien"}
    assert render_value({"a": "{{ ids.split(',') }}", "b": "{{ n }}", "c": "n={{ n }}", "d": ["{{ [n] }}"]}, variables) == {
        "a": ["1", "2"], "b": 3, "c": "n=3", "d": [[3]]}


def test_values_with_quotes_become_sql_literals_not_sql(library):
    _, db = library
    template = lend(choose={"member": ["x' OR '1'='1"]})
    task = instantiate(template, {"book_id": "b1", "title": "Dune"}, 0, seed=0)
    assert task.rubric.final_state[0].sql == "SELECT on_loan_to FROM books WHERE book_id = 'b1'"
    with db.fork() as s:
        assert s.query(task.rubric.final_state[0].sql) == [{"on_loan_to": None}]


def test_the_retail_templates_make_hundreds_of_distinct_verified_tasks(retail_templates, retail_plan, seed_db):
    result = tasks_from_templates(retail_templates, retail_plan.tools, seed_db, retail_plan.seed)
    assert len(result.admitted) >= 200 and result.rejected == []
    assert len({t.id for t in result.admitted}) == len(result.admitted)
    kinds = {t.id.rsplit("-", 1)[0] for t in result.admitted}
    assert {"cancel_pending", "ship_pending_elsewhere", "return_delivered_item", "exchange_delivered_item",
            "pay_pending_otherwise", "order_status"} <= kinds
