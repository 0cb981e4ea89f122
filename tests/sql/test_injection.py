"""SQL injection through any string parameter of any retail tool behaves exactly like an opaque
value: the state and the output are those of the same call with a harmless value in its place."""
import json

import pytest

from dslgen.sql import Database
from dslgen.sql.state import diff

from sql.fixtures import RETAIL

PAYLOADS = [
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    "x'); DELETE FROM orders; --",
    "%' UNION SELECT email FROM users --",
    '" OR 1=1 --',
    "1; UPDATE payment_methods SET balance = 1e9",
    ":order_id",
    "%(order_id)s %s $1 ?",
    "{item_id} {0.__class__}",
    "\\'; SELECT pg_sleep(1); --",
]
SAFE = "SAFE-VALUE"
ADDRESS = {"address1": "1 Road", "address2": "Apt 2", "city": "Lyon", "state": "ARA", "country": "France", "zip": "69001"}
VALID = {  # one valid call per tool (orders and items of the seed data)
    "find_user_id_by_email": {"email": "noah.brown7922@example.com"},
    "find_user_id_by_name_zip": {"first_name": "Noah", "last_name": "Brown", "zip": "80279"},
    "get_user_details": {"user_id": "noah_brown_6181"},
    "get_order_details": {"order_id": "#W2611340"},
    "get_product_details": {"product_id": "9523456873"},
    "list_all_product_types": {},
    "cancel_pending_order": {"order_id": "#W5765741", "reason": "ordered by mistake"},
    "modify_pending_order_address": {"order_id": "#W2912646", **ADDRESS},
    "modify_pending_order_payment": {"order_id": "#W7425646", "payment_method_id": "credit_card_1199336"},
    "modify_pending_order_items": {"order_id": "#W7425646", "item_ids": ["4983901480"],
                                   "new_item_ids": ["4983901480"], "payment_method_id": "credit_card_1283450"},
    "return_delivered_order_items": {"order_id": "#W6067464", "item_ids": ["9624127908", "8917609800"],
                                     "payment_method_id": "credit_card_4190576"},
    "exchange_delivered_order_items": {"order_id": "#W7736983", "item_ids": ["5952720925"],
                                       "new_item_ids": ["1323134954"], "payment_method_id": "paypal_6840891"},
    "modify_user_address": {"user_id": "noah_brown_6181", **ADDRESS},
    "calculate": {"expression": "2 * (3 + 4)"},
    "think": {"thought": "hmm"},
    "transfer_to_human_agents": {"summary": "wants a human"},
}


def _string_slots(arguments: dict) -> list[tuple[str, int | None]]:
    """(parameter, list index or None) of every string the caller controls."""
    slots = []
    for name, value in arguments.items():
        if isinstance(value, str):
            slots.append((name, None))
        elif isinstance(value, list):
            slots += [(name, i) for i in range(len(value))]
    return slots


def _with(arguments: dict, slot, value: str) -> dict:
    name, index = slot
    out = json.loads(json.dumps(arguments))
    if index is None:
        out[name] = value
    else:
        out[name][index] = value
    return out


def _masked(value, payload: str):
    """The value with every occurrence of the payload replaced by SAFE."""
    if isinstance(value, str):  # repr: validation messages quote the value Python's way
        return value.replace(repr(payload), repr(SAFE)).replace(payload, SAFE)
    if isinstance(value, list):
        return [_masked(v, payload) for v in value]
    if isinstance(value, tuple):
        return tuple(_masked(v, payload) for v in value)
    if isinstance(value, dict):
        return {_masked(k, payload): _masked(v, payload) for k, v in value.items()}
    return value


def _outcome(db, seed_dump, tool, arguments, payload: str):
    with db.fork() as s:
        result = s.call(tool, arguments)
        changes = [c.to_json() for c in diff(db.schema, seed_dump, s.dump())]
    try:
        output = json.loads(result.output)
    except ValueError:
        output = result.output
    return _masked((output, result.is_error, changes), payload)


def _check_tool(db, tools, name: str, payloads: list[str]) -> int:
    with db.fork() as s:
        seed_dump = s.dump()
    checked = 0
    for slot in _string_slots(VALID[name]):
        control = _outcome(db, seed_dump, tools[name], _with(VALID[name], slot, SAFE), SAFE)
        for payload in payloads:
            injected = _outcome(db, seed_dump, tools[name], _with(VALID[name], slot, payload), payload)
            assert injected == control, f"{name}.{slot} with {payload!r}"
            checked += 1
    return checked


def test_every_tool_has_a_valid_call(retail_tools):
    assert set(VALID) == set(retail_tools)


@pytest.mark.parametrize("name", sorted(VALID))
def test_injection_sqlite(retail_db, retail_tools, name):
    checked = _check_tool(retail_db, retail_tools, name, PAYLOADS)
    assert checked == len(_string_slots(VALID[name])) * len(PAYLOADS)


@pytest.mark.postgres
def test_injection_postgresql(retail_tools, postgres_url):
    db = Database.from_domain(RETAIL, "postgresql", postgres_url)
    for name in sorted(VALID):
        _check_tool(db, retail_tools, name, [PAYLOADS[1], PAYLOADS[7]])  # quoting, paramstyles


def test_the_valid_calls_succeed(retail_db, retail_tools):
    """The injection baseline is meaningful only if the unmodified calls work."""
    for name, arguments in VALID.items():
        with retail_db.fork() as s:
            result = s.call(retail_tools[name], arguments)
            assert not result.is_error, (name, result.output)
