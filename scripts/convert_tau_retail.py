"""Convert the τ-bench retail JSON documents into seed rows for domains/retail/.

Usage: python scripts/convert_tau_retail.py [SRC_DIR] [DOMAIN_DIR]
Writes one JSONL file per table of domains/retail/schema.sql (one JSON object a row).
The data is τ-bench's (MIT licence, see domains/retail/LICENSE-tau-bench).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ADDRESS = ("address1", "address2", "city", "country", "state", "zip")


def user_rows(users: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"users": [], "payment_methods": []}
    for pos, (uid, u) in enumerate(users.items()):
        out["users"].append({"user_id": uid, "position": pos, **u["name"], "email": u["email"],
                             **{k: u["address"][k] for k in ADDRESS}})
        for ppos, (pid, pm) in enumerate(u["payment_methods"].items()):
            out["payment_methods"].append({
                "payment_method_id": pid, "user_id": uid, "position": ppos, "source": pm["source"],
                "brand": pm.get("brand"), "last_four": pm.get("last_four"), "balance": pm.get("balance")})
    return out


def product_rows(products: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"products": [], "variants": [], "variant_options": []}
    for pid, p in products.items():
        out["products"].append({"product_id": pid, "name": p["name"]})
        for vpos, (iid, v) in enumerate(p["variants"].items()):
            out["variants"].append({"item_id": iid, "product_id": pid, "position": vpos,
                                    "available": v["available"], "price": v["price"]})
            for opos, (name, value) in enumerate(v["options"].items()):
                out["variant_options"].append({"item_id": iid, "position": opos, "name": name, "value": value})
    return out


def order_rows(orders: dict, users: dict) -> dict[str, list[dict]]:
    tables = ("orders", "order_items", "fulfillments", "fulfillment_tracking_ids",
              "fulfillment_items", "payment_history")
    out: dict[str, list[dict]] = {t: [] for t in tables}
    user_pos = {oid: i for u in users.values() for i, oid in enumerate(u["orders"])}
    for oid, o in orders.items():
        out["orders"].append({"order_id": oid, "user_id": o["user_id"], "user_position": user_pos[oid],
                              **{k: o["address"][k] for k in ADDRESS}, "status": o["status"],
                              "cancel_reason": None, "return_payment_method_id": None,
                              "exchange_payment_method_id": None, "exchange_price_difference": None})
        for pos, it in enumerate(o["items"]):
            out["order_items"].append({"order_id": oid, "position": pos, "item_id": it["item_id"],
                                       "price": it["price"]})
        for fpos, f in enumerate(o["fulfillments"]):
            out["fulfillments"].append({"order_id": oid, "position": fpos})
            for table, key, col in (("fulfillment_tracking_ids", "tracking_id", "tracking_id"),
                                    ("fulfillment_items", "item_ids", "item_id")):
                for pos, value in enumerate(f[key]):
                    out[table].append({"order_id": oid, "fulfillment_position": fpos, "position": pos, col: value})
        for pos, p in enumerate(o["payment_history"]):
            out["payment_history"].append({"order_id": oid, "position": pos, **p})
    return out


def check_assumptions(orders: dict, products: dict) -> None:
    """The schema derives an order item's name and options from its variant; fail loudly if not so."""
    variants = {iid: (p, v) for p in products.values() for iid, v in p["variants"].items()}
    for o in orders.values():
        for it in o["items"]:
            p, v = variants[it["item_id"]]
            assert (it["name"], it["product_id"], it["options"]) == (p["name"], p["product_id"], v["options"]), it


def main(src: Path, domain: Path) -> None:
    users = json.loads((src / "users.json").read_text())
    orders = json.loads((src / "orders.json").read_text())
    products = json.loads((src / "products.json").read_text())
    check_assumptions(orders, products)
    tables = {**user_rows(users), **product_rows(products), **order_rows(orders, users), "requested_items": []}
    (domain / "seed").mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        (domain / "seed" / f"{name}.jsonl").write_text(lines, encoding="utf-8")
        print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    args = sys.argv[1:]
    main(Path(args[0]) if args else root / "tests" / "data" / "tau-bench-retail",
         Path(args[1]) if len(args) > 1 else root / "domains" / "retail")
