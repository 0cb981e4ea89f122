"""Error paths of the retail tools that the reference episodes do not reach, with τ-bench's texts.
Fixtures are found by querying the seed, so the tests follow the data."""
import json

import pytest

from dslgen.sql import Database

from sql.fixtures import RETAIL


@pytest.fixture()
def s():
    with Database.from_domain(RETAIL).fork() as session:
        yield session


def _one(s, sql: str) -> dict:
    return s.query(sql + " LIMIT 1")[0]


def _pending(s) -> dict:
    return _one(s, "SELECT o.order_id, o.user_id, ph.payment_method_id AS paid_with FROM orders AS o "
                   "JOIN payment_history AS ph ON ph.order_id = o.order_id "
                   "WHERE o.status = 'pending' AND (SELECT COUNT(*) FROM payment_methods AS pm "
                   "WHERE pm.user_id = o.user_id) > 1 ORDER BY o.order_id")


def _other_method(s, order: dict) -> str:
    return _one(s, f"SELECT payment_method_id FROM payment_methods WHERE user_id = '{order['user_id']}' "
                   f"AND payment_method_id <> '{order['paid_with']}' ORDER BY position")["payment_method_id"]


def _item(s, order_id: str) -> str:
    return _one(s, f"SELECT item_id FROM order_items WHERE order_id = '{order_id}' ORDER BY position")["item_id"]


def call(s, tools, name, **args) -> str:
    return s.call(tools[name], args).output


def test_lookups_not_found(s, retail_tools):
    assert call(s, retail_tools, "get_user_details", user_id="nobody_1") == "Error: user not found"
    assert call(s, retail_tools, "get_order_details", order_id="#W0") == "Error: order not found"
    assert call(s, retail_tools, "get_product_details", product_id="0") == "Error: product not found"
    assert call(s, retail_tools, "find_user_id_by_email", email="no@example.com") == "Error: user not found"
    assert call(s, retail_tools, "find_user_id_by_name_zip", first_name="Noah", last_name="Brown",
                zip="00000") == "Error: user not found"
    assert call(s, retail_tools, "modify_user_address", user_id="x", address1="", address2="", city="",
                state="", country="", zip="") == "Error: user not found"


def test_status_rules(s, retail_tools):
    delivered = _one(s, "SELECT order_id FROM orders WHERE status = 'delivered' ORDER BY order_id")["order_id"]
    pending = _pending(s)["order_id"]
    assert call(s, retail_tools, "cancel_pending_order", order_id=delivered,
                reason="no longer needed") == "Error: non-pending order cannot be cancelled"
    assert call(s, retail_tools, "modify_pending_order_address", order_id=delivered, address1="a", address2="",
                city="c", state="s", country="c", zip="1") == "Error: non-pending order cannot be modified"
    assert call(s, retail_tools, "return_delivered_order_items", order_id=pending, item_ids=[],
                payment_method_id="x") == "Error: non-delivered order cannot be returned"
    assert call(s, retail_tools, "exchange_delivered_order_items", order_id=pending, item_ids=[], new_item_ids=[],
                payment_method_id="x") == "Error: non-delivered order cannot be exchanged"


def test_payment_change_rules(s, retail_tools):
    order = _pending(s)
    oid, other = order["order_id"], _other_method(s, order)
    assert call(s, retail_tools, "modify_pending_order_payment", order_id=oid,
                payment_method_id="paypal_0") == "Error: payment method not found"
    assert call(s, retail_tools, "modify_pending_order_payment", order_id=oid, payment_method_id=order["paid_with"]) \
        == "Error: the new payment method should be different from the current one"
    first = call(s, retail_tools, "modify_pending_order_payment", order_id=oid, payment_method_id=other)
    assert not first.startswith("Error"), first  # the seed's other method covers the order
    assert call(s, retail_tools, "modify_pending_order_payment", order_id=oid, payment_method_id=order["paid_with"]) \
        == "Error: there should be exactly one payment for a pending order"


def test_item_rules(s, retail_tools):
    order = _pending(s)
    oid, item = order["order_id"], _item(s, order["order_id"])
    foreign = _one(s, f"SELECT v.item_id FROM variants AS v WHERE v.product_id <> (SELECT product_id FROM variants "
                      f"WHERE item_id = '{item}') ORDER BY v.item_id")["item_id"]
    args = dict(order_id=oid, payment_method_id=order["paid_with"])
    assert call(s, retail_tools, "modify_pending_order_items", item_ids=["123"], new_item_ids=["1"], **args) \
        == "Error: 123 not found"
    assert call(s, retail_tools, "modify_pending_order_items", item_ids=[item, item], new_item_ids=[item, item],
                **args) == f"Error: {item} not found"  # one copy in the order, two asked for
    assert call(s, retail_tools, "modify_pending_order_items", item_ids=[item], new_item_ids=[], **args) \
        == "Error: the number of items to be exchanged should match"
    assert call(s, retail_tools, "modify_pending_order_items", item_ids=[item], new_item_ids=[foreign], **args) \
        == f"Error: new item {foreign} not found or available"


def test_return_rules(s, retail_tools):
    order = _one(s, "SELECT o.order_id, o.user_id, ph.payment_method_id AS paid_with FROM orders AS o "
                    "JOIN payment_history AS ph ON ph.order_id = o.order_id JOIN payment_methods AS pm "
                    "ON pm.user_id = o.user_id AND pm.source <> 'gift_card' AND pm.payment_method_id <> "
                    "ph.payment_method_id WHERE o.status = 'delivered' ORDER BY o.order_id")
    oid, item = order["order_id"], _item(s, order["order_id"])
    other = _one(s, f"SELECT payment_method_id FROM payment_methods WHERE user_id = '{order['user_id']}' AND "
                    f"source <> 'gift_card' AND payment_method_id <> '{order['paid_with']}'")["payment_method_id"]
    assert call(s, retail_tools, "return_delivered_order_items", order_id=oid, item_ids=[item],
                payment_method_id=other) == \
        "Error: payment method should be either the original payment method or a gift card"
    assert call(s, retail_tools, "return_delivered_order_items", order_id=oid, item_ids=[item, item, item],
                payment_method_id=order["paid_with"]) == "Error: some item not found"


def test_duplicate_items_are_replaced_one_by_one(s, retail_tools):
    """[A, A] → [A, B]: the first line holding A keeps it, the second becomes B."""
    dup = _one(s, "SELECT oi.order_id, oi.item_id, v.product_id FROM order_items AS oi "
                  "JOIN orders AS o ON o.order_id = oi.order_id JOIN variants AS v ON v.item_id = oi.item_id "
                  "WHERE o.status = 'pending' AND v.available GROUP BY oi.order_id, oi.item_id, v.product_id "
                  "HAVING COUNT(*) > 1 ORDER BY oi.order_id")
    other = _one(s, f"SELECT item_id, price FROM variants WHERE product_id = '{dup['product_id']}' AND available "
                    f"AND item_id <> '{dup['item_id']}' ORDER BY item_id")
    paid = _one(s, f"SELECT payment_method_id FROM payment_history WHERE order_id = '{dup['order_id']}'")
    out = call(s, retail_tools, "modify_pending_order_items", order_id=dup["order_id"],
               item_ids=[dup["item_id"]] * 2, new_item_ids=[dup["item_id"], other["item_id"]],
               payment_method_id=paid["payment_method_id"])
    items = [i["item_id"] for i in json.loads(out)["items"]]
    before = [r["item_id"] for r in s.query(
        f"SELECT item_id FROM order_items WHERE order_id = '{dup['order_id']}' ORDER BY position")]
    assert items == before and items.count(dup["item_id"]) >= 1 and other["item_id"] in items
    first, second = [k for k, x in enumerate(items) if x in (dup["item_id"], other["item_id"])][:2]
    assert (items[first], items[second]) == (dup["item_id"], other["item_id"])
