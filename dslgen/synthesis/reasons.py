"""Why a proposal was not admitted: the reason codes (defined once, read everywhere) and the
record every rejected task or tool is kept as."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

REASONS: dict[str, str] = {
    # tasks
    "invalid": "the proposal does not fit the task or tool format",
    "unverifiable": "the task has no expected call and no final_state check: nothing to verify",
    "unknown_tool": "an expected call names a tool the domain does not have",
    "call_failed": "an expected call returns an error on the seed data",
    "bad_check": "a final_state query does not run",
    "already_holds": "every final_state check holds before the expected calls: nothing to reach",
    "not_reached": "a final_state check does not hold after the expected calls",
    "no_change": "a write task whose expected calls change nothing",
    "duplicate": "the same task (or tool name) was already admitted",
    "render_failed": "a template value could not be rendered for this row",
    # tools
    "diagnostics": "the tool fails a check a hand-written tool must pass",
    "sample_error": "the tool's SQL fails on arguments sampled from the data",
    "never_succeeds": "no sampled call of the tool succeeds",
    "entity_type": "a shared entity is typed differently from the other tools",
    # models
    "model_failed": "the model gave no valid output",
}


@dataclass(frozen=True)
class Rejection:
    """One proposal that was not admitted, with what it was, so nothing is silently lost."""

    source: str  # hand_written | templates | generated | imported | expand_tools | return_schemas
    name: str  # the task id or tool name (or the proposal's index when it had none)
    reason: str  # a key of REASONS
    detail: str
    proposal: Any = None  # the task/tool as proposed (JSON-able), for review

    def __post_init__(self) -> None:
        if self.reason not in REASONS:
            raise ValueError(f"unknown rejection reason {self.reason!r}")

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "name": self.name, "reason": self.reason,
                "detail": self.detail, "proposal": self.proposal}


@dataclass
class Admission:
    """What a source proposed, split into what was admitted and what was not."""

    admitted: list = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    fault: Exception | None = None  # a model server fault that stopped the source early

    @property
    def proposed(self) -> int:
        return len(self.admitted) + len(self.rejected)

    def by_reason(self) -> dict[str, int]:
        return dict(Counter(r.reason for r in self.rejected).most_common())

    def extend(self, other: "Admission") -> None:
        self.admitted += other.admitted
        self.rejected += other.rejected

    def summary(self, what: str = "proposals") -> str:
        """`412 of 520 proposals admitted; rejected: call_failed 19 (an expected call ...)`."""
        text = f"{len(self.admitted)} of {self.proposed} {what} admitted"
        if self.rejected:
            parts = [f"{code} {n} ({REASONS[code]})" for code, n in self.by_reason().items()]
            text += "; rejected: " + ", ".join(parts)
        return text
