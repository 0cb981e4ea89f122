"""Dataset statistics in the shape of the paper's Table 1, per mode."""
from __future__ import annotations

from typing import Any, Iterable


def _mean_max(values: list[float]) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "max": 0}
    return {"mean": round(sum(values) / len(values), 2), "max": max(values)}


def table1(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{mode: {dialogues, turns, steps, tasks}} where steps are tool calls per agent turn."""
    by_mode: dict[str, list[dict]] = {}
    for r in records:
        by_mode.setdefault(r["provenance"]["mode"], []).append(r)
    out = {}
    for mode, rows in sorted(by_mode.items()):
        steps = [s for r in rows for s in r["stats"]["steps_per_turn"]]
        out[mode] = {
            "dialogues": len(rows),
            "turns": _mean_max([r["stats"]["turns"] for r in rows]),
            "steps": _mean_max(steps),
            "tasks": _mean_max([len(r["task"]) for r in rows]),
        }
    return out
