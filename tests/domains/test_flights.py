"""The flights test domain: list-of-object parameters (flights, passengers, payment_methods)
read as tables, per-item checks, let values in errors, a `with` fragment, a child list
replaced while its old rows are read, arithmetic; the same outputs and state digests on
SQLite and PostgreSQL."""
import json
import shutil
from pathlib import Path

import pytest

from dslgen import api
from dslgen.sim.database import open_database

HERE = Path(__file__).resolve().parent / "flights"
MIA = "mia_li_3668"
OUT, BACK, SEA = ({"flight_number": "HAT136", "date": "2024-05-20"}, {"flight_number": "HAT237", "date": "2024-05-22"},
                  {"flight_number": "HAT300", "date": "2024-05-22"})
PASSENGERS = [{"first_name": "Mia", "last_name": "Li", "dob": "1990-04-05"},
              {"first_name": "Noah", "last_name": "Li", "dob": "2015-01-02"}]


def book(flights, passengers=PASSENGERS, payments=None, user=MIA):
    payments = payments if payments is not None else [{"payment_id": "gift_card_7773485", "amount": 200},
                                                      {"payment_id": "credit_card_4421486", "amount": 238}]
    return ("book_reservation", {"user_id": user, "cabin": "economy", "flights": flights, "passengers": passengers,
                                 "payment_methods": payments})


# (call, expected output or None: checked only for being the same on both engines)
SCRIPT = [
    (("get_reservation_details", {"reservation_id": "R100"}), None),
    (book([OUT, {"flight_number": "HAT999", "date": "2024-05-20"}, {"flight_number": "HAT000", "date": "2024-05-30"}]),
     "Error: flight HAT999 not found"),  # the first failing item wins
    (book([OUT, {"flight_number": "HAT237", "date": "2024-05-24"}]), "Error: flight HAT237 does not fly on 2024-05-24"),
    (book([{"flight_number": "HAT237", "date": "2024-05-23"}]), "Error: flight HAT237 on 2024-05-23 is not available"),
    (book([{"flight_number": "HAT136", "date": "2024-05-21"}]),
     "Error: flight HAT136 on 2024-05-21 has 1 seat(s) left for 2 passenger(s)"),
    (book([OUT, BACK], payments=[{"payment_id": "certificate_3187539", "amount": 438}]),
     "Error: payment method certificate_3187539 not found"),
    (book([OUT, BACK], payments=[{"payment_id": "gift_card_7773485", "amount": 438}]),
     "Error: gift_card_7773485 has 250 left, not 438"),
    (book([OUT, BACK], payments=[{"payment_id": "credit_card_4421486", "amount": 400}]),
     "Error: the payments add up to 400 but the total is 438"),  # let values in the error text
    (book([{"flight_number": "HAT999", "date": "2024-05-20"}], user="nobody"), "Error: user nobody not found"),
    (book([OUT, BACK]), None),
    (("get_reservation_details", {"reservation_id": "R101"}), None),
    (("update_reservation_flights", {"reservation_id": "R100", "flights": [OUT, SEA],
                                     "payment_id": "gift_card_7773485"}),
     "Error: gift_card_7773485 has 50 left, the change costs 111"),
    (("update_reservation_flights", {"reservation_id": "R100", "flights": [OUT, SEA],
                                     "payment_id": "credit_card_4421486"}), None),
    (("update_reservation_flights", {"reservation_id": "R101", "flights": [OUT],
                                     "payment_id": "gift_card_7773485"}), None),  # a refund: -198
    (("get_reservation_details", {"reservation_id": "R404"}), "Error: reservation R404 not found"),
    (("calculate", {"expression": "(120 + 99) * 2"}), "438.0"),
]


@pytest.fixture(scope="module")
def plan():
    return api.compile_file(HERE / "spec.yaml")


def _run(plan, engine: str, url: str | None = None):
    tools = {t.name: t for t in plan.tools}
    db = open_database(plan, engine, url)
    with db.fork() as s:
        outputs = [s.call(tools[name], args).output for (name, args), _ in SCRIPT]
        return outputs, s.digest(), s.dump()


@pytest.fixture(scope="module")
def sqlite_run(plan):
    return _run(plan, "sqlite")


def test_the_spec_is_clean():
    assert api.check_spec(HERE / "spec.yaml") == []


def test_expected_outputs(sqlite_run):
    outputs = sqlite_run[0]
    for ((name, _), expected), got in zip(SCRIPT, outputs):
        if expected is not None:
            assert got == expected, name


def test_items_are_read_as_columns(sqlite_run):
    outputs, _, dump = sqlite_run
    booked = json.loads(outputs[9])
    assert booked["reservation_id"] == "R101"
    assert [(f["flight_number"], f["date"], f["price"]) for f in booked["flights"]] == [
        ("HAT136", "2024-05-20", 120), ("HAT237", "2024-05-22", 99)]  # whole NUMERIC amounts without .0
    assert booked["passengers"] == PASSENGERS
    assert booked["payments"] == [{"payment_id": "gift_card_7773485", "amount": 200},
                                  {"payment_id": "credit_card_4421486", "amount": 238}]
    gift = next(r for r in dump["payment_sources"] if r["payment_id"] == "gift_card_7773485")
    assert gift["balance"] == 50 - 0 + 198  # 250 - 200 paid, then the refund of R101's change


def test_a_replaced_list_keeps_the_old_prices_it_reads(sqlite_run):
    changed = json.loads(sqlite_run[0][12])
    # HAT136 was kept at the 110 paid; HAT300 is new at today's 210: 320 - 209 = +111 charged
    assert [(f["flight_number"], f["price"]) for f in changed["flights"]] == [("HAT136", 110), ("HAT300", 210)]
    assert changed["payments"][-1] == {"payment_id": "credit_card_4421486", "amount": 111}
    refund = json.loads(sqlite_run[0][13])
    assert refund["payments"][-1] == {"payment_id": "gift_card_7773485", "amount": -198}


@pytest.mark.postgres
def test_identical_outputs_and_digest_on_postgresql(plan, sqlite_run, postgres_url):
    outputs, digest, _ = _run(plan, "postgresql", postgres_url)
    for ((name, _), _), a, b in zip(SCRIPT, sqlite_run[0], outputs):
        assert a == b, name
    assert digest == sqlite_run[1]


def _spec_with_tools(tmp_path: Path, old: str, new: str) -> Path:
    shutil.copytree(HERE, tmp_path / "flights")
    tools = tmp_path / "flights" / "domain" / "tools.yaml"
    text = tools.read_text()
    assert old in text
    tools.write_text(text.replace(old, new, 1))
    return tmp_path / "flights" / "spec.yaml"


def test_item_columns_are_checked_like_any_column(tmp_path):
    spec = _spec_with_tools(tmp_path, "SELECT f.pos, f.flight_number, f.date", "SELECT f.pos, f.flight_numbr, f.date")
    diags = [d for d in api.check_spec(spec) if d.code.startswith("DSL4")]
    assert [(d.code, d.hint) for d in diags] == [("DSL401", "did you mean 'flight_number'?")]


def test_a_list_parameter_may_not_hide_a_table(tmp_path):
    spec = _spec_with_tools(tmp_path, "      passengers:\n        type: array", "      users:\n        type: array")
    text = spec.parent.joinpath("domain", "tools.yaml").read_text()
    line = text[:text.index("      users:\n")].count("\n") + 1
    diags = [d for d in api.check_spec(spec) if d.code == "DSL414"]
    assert [(d.span.line, d.span.col) for d in diags] == [(line, 7)]
    assert "list parameter 'users' has the name of the table 'users'" in diags[0].message


def test_list_bounds_keep_the_longest_call_inside_the_context(plan):
    """maxItems and maxLength in the spec bound what the agent's constrained call may spend
    (docs/tool-language.md, Context budget): without them book_reservation alone needs
    ~11,000 output tokens, more than the embedded model's 8,192-token window."""
    from dslgen.backends.constraints import agent_turn_schema, bound_schema, max_output_tokens

    budget = max_output_tokens(bound_schema(agent_turn_schema(plan.tool_signatures())))
    assert budget < 2000
    unbounded = plan.tool("book_reservation").parameters_schema
    assert unbounded["properties"]["flights"]["maxItems"] == 4
