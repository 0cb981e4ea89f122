"""Running totals over the dialogues the validate stage streams: report.json and stats.json.

Nothing is re-read to build them: each dialogue is added once, as it is decided.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from dslgen.sim.dialogue import Dialogue
from dslgen.validate.result import ValidationResult, hint_for


@dataclass
class _MeanMax:
    total: float = 0
    count: int = 0
    max: float = 0

    def add(self, value: float) -> None:
        self.total, self.count, self.max = self.total + value, self.count + 1, max(self.max, value)

    def to_json(self) -> dict[str, float]:
        return {"mean": round(self.total / self.count, 2) if self.count else 0.0, "max": self.max}


@dataclass
class _Table1Row:
    dialogues: int = 0
    turns: _MeanMax = field(default_factory=_MeanMax)
    steps: _MeanMax = field(default_factory=_MeanMax)  # tool calls per agent turn
    tasks: _MeanMax = field(default_factory=_MeanMax)

    def to_json(self) -> dict[str, Any]:
        return {"dialogues": self.dialogues, "turns": self.turns.to_json(), "steps": self.steps.to_json(),
                "tasks": self.tasks.to_json()}


class Table1:
    """The paper's Table 1, per mode: dialogues, and mean/max turns, steps and tasks."""

    def __init__(self) -> None:
        self.rows: dict[str, _Table1Row] = {}

    def add(self, mode: str, turns: int, steps_per_turn: list[int], tasks: int) -> None:
        row = self.rows.setdefault(mode, _Table1Row())
        row.dialogues += 1
        row.turns.add(turns)
        for steps in steps_per_turn:
            row.steps.add(steps)
        row.tasks.add(tasks)

    def add_dialogue(self, d: Dialogue) -> None:
        self.add(d.mode, d.turns, d.steps_per_turn, len(d.tasks))

    def to_json(self) -> dict[str, Any]:
        return {mode: row.to_json() for mode, row in sorted(self.rows.items())}


def table1(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Table 1 of dialogue records (JSON, as the files hold them)."""
    table = Table1()
    for r in records:
        table.add(r["provenance"]["mode"], r["stats"]["turns"], r["stats"]["steps_per_turn"], len(r["task"]))
    return table.to_json()


@dataclass
class Report:
    generated: int = 0
    accepted: int = 0
    reasons: Counter = field(default_factory=Counter)  # a dialogue counts once under each of its reasons
    endings: Counter = field(default_factory=Counter)
    table_generated: Table1 = field(default_factory=Table1)
    table_accepted: Table1 = field(default_factory=Table1)
    difficulty: dict[str, Counter] = field(default_factory=lambda: {"generated": Counter(), "accepted": Counter()})
    tool_calls: Counter = field(default_factory=Counter)
    tool_errors: Counter = field(default_factory=Counter)
    tool_calls_accepted: Counter = field(default_factory=Counter)

    @property
    def rejected(self) -> int:
        return self.generated - self.accepted

    def add(self, d: Dialogue, result: ValidationResult) -> None:
        self.generated += 1
        self.endings[d.termination.value if d.termination else "none"] += 1
        self.table_generated.add_dialogue(d)
        self.reasons.update(result.reasons)
        self.difficulty["generated"].update(r.task.difficulty for r in d.tasks)
        self.tool_calls.update(c.name for c in d.calls)
        self.tool_errors.update(c.name for c in d.calls if c.is_error)
        if result.valid:
            self.accepted += 1
            self.table_accepted.add_dialogue(d)
            self.difficulty["accepted"].update(r.task.difficulty for r in d.tasks)
            self.tool_calls_accepted.update(c.name for c in d.calls)

    def to_json(self) -> dict[str, Any]:
        return {
            "generated": self.generated, "accepted": self.accepted, "rejected": self.rejected,
            "rejected_by_reason": dict(self.reasons.most_common()),
            "terminations": dict(self.endings.most_common()),
            "table1": {"generated": self.table_generated.to_json(), "accepted": self.table_accepted.to_json()},
            "difficulty": {k: dict(sorted(v.items())) for k, v in self.difficulty.items()},
            "tool_usage": {name: {"calls": n, "errors": self.tool_errors[name],
                                  "in_accepted": self.tool_calls_accepted[name]}
                           for name, n in sorted(self.tool_calls.items())},
        }

    def summary(self) -> list[str]:
        """Lines for the terminal; loud when nothing usable came out."""
        lines = [f"validate: {self.generated} dialogue(s): {self.accepted} accepted, {self.rejected} rejected"]
        lines += [f"  {n} × {reason}" for reason, n in self.reasons.most_common()]
        if self.generated and not self.accepted:
            lines += self.nothing_usable()
        return lines

    def nothing_usable(self) -> list[str]:
        top, n = self.reasons.most_common(1)[0] if self.reasons else ("unknown", self.generated)
        share = "every dialogue" if n == self.generated else f"{n} of {self.generated} dialogues"
        lines = [f"NO USABLE DIALOGUE: all {self.generated} rejected; {share} failed on {top}"]
        hint = hint_for(top)
        return lines + ([f"  hint: {hint}"] if hint else [])
