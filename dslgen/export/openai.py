"""Dialogue records in the OpenAI chat format, and the dataset files written from them."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from dslgen.sim.dialogue import Dialogue


def openai_tools(plan) -> list[dict]:
    return [{"type": "function", "function": sig} for sig in plan.tool_signatures()]


def dialogue_record(plan, d: Dialogue, validation: dict, provenance: dict) -> dict[str, Any]:
    """One JSON line: messages, tools, the tasks, the validation result and provenance."""
    return {
        "id": d.id,
        "messages": d.messages,
        "tools": openai_tools(plan),
        "task": [run.task.model_dump(exclude_defaults=True) for run in d.tasks],
        "validation": validation,
        "termination": {"reason": d.termination, "error": d.error},
        "stats": {"turns": d.turns, "steps_per_turn": d.steps_per_turn, "tool_calls": len(d.calls),
                  "tool_errors": sum(c.is_error for c in d.calls),
                  "guard_holds": sum(r.guard_holds for r in d.tasks),
                  "repeated_calls_dropped": d.repeated_calls_dropped},
        # outputs a model invented for tools with no SQL: not grounded in the database
        "simulated_tool_calls": [c.call_id for c in d.calls if c.simulated],
        "provenance": provenance,
    }


def append_jsonl(path: Path, record: dict) -> None:
    """Append one record and flush it, so a crash later loses nothing already written."""
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
        f.flush()


def drop_torn_tail(path: Path) -> None:
    """Cut a last line without its newline (a run killed mid-write) so appends start clean."""
    if not path.exists() or path.stat().st_size == 0:
        return
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        path.write_bytes(data[: data.rfind(b"\n") + 1])


def read_jsonl(path: Path) -> list[dict]:
    """Records of a JSONL file; a torn last line (from a killed run) is skipped."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def write_dataset(path: Path, records: Iterable[dict], keep: str) -> int:
    """The training file: records that passed validation (or all), in the chat format."""
    kept = [r for r in records if keep == "all" or r["validation"]["valid"]]
    with path.open("w", encoding="utf-8") as f:
        for r in kept:
            f.write(json.dumps({"id": r["id"], "messages": r["messages"], "tools": r["tools"]},
                               ensure_ascii=False) + "\n")
    return len(kept)


def openai_row(record: dict, messages: list[dict]) -> dict:
    """The `openai` format: a training example as the chat API takes it (arguments as JSON text)."""
    return {"id": record["id"], "messages": messages, "tools": record.get("tools", [])}
