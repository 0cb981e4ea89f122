"""Why a dialogue was rejected, as short codes for counts, filters and preference rows.

A record's validation lists every rubric item; a dialogue is rejected by its failed critical
items. Codes: the termination reason when the run itself failed (`backend_error`,
`context_limit`), else `critical_failed:<item>`. A record whose validation already carries
`reasons` (reason codes written by the validate stage) is read as is.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

RAN_TO_AN_END = "dialogue ran to an end"  # the text of the rubric's run item (validate/rubric.py)


def rejection_reasons(record: dict) -> list[str]:
    validation = record.get("validation", {})
    if validation.get("valid"):
        return []
    if "reasons" in validation:
        return list(validation["reasons"])
    failed = [i for i in validation.get("items", []) if i["category"] == "critical" and not i["passed"]]
    return [_code(item, record) for item in failed] or ["rejected"]


def _code(item: dict, record: dict) -> str:
    if item.get("task") is None and item["item"].startswith(RAN_TO_AN_END):
        return record.get("termination", {}).get("reason") or "did_not_end"
    return f"critical_failed:{item['item']}"


def acceptance(records: Iterable[dict]) -> dict:
    """{"generated", "accepted", "rejected", "reasons": {code: dialogues}} (a dialogue counts
    once under each of its reasons)."""
    records = list(records)
    reasons: Counter = Counter()
    for r in records:
        reasons.update(set(rejection_reasons(r)))
    accepted = sum(1 for r in records if r["validation"]["valid"])
    return {"generated": len(records), "accepted": accepted, "rejected": len(records) - accepted,
            "reasons": dict(reasons.most_common())}

