"""What validation decides about a dialogue: each rubric item with its category, and the
reason codes of a rejection (the keys of report.json's counts)."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from dslgen.sim.dialogue import Termination


class Category(str, Enum):
    """The paper's categories; only a failed critical item rejects a dialogue."""

    CRITICAL = "critical"
    STRUCTURAL = "structural"
    NONCRITICAL = "noncritical"
    INVALID_RUBRIC = "invalid_rubric"  # the judge found the checkpoint does not apply
    UNJUDGED = "unjudged"  # a checkpoint no judge looked at (recorded, never counted)


# Ends that make a dialogue unusable whatever its rubric says.
REJECTING_ENDS = (Termination.BACKEND_ERROR, Termination.CONTEXT_LIMIT, Termination.INVALID_OUTPUT,
                  Termination.MAX_ERRORS)

STATE_MISMATCH = "state_mismatch"
UNKNOWN_TASK = "unknown_task"
FINAL_STATE = "final_state"

# What to try when many dialogues fail for one reason (prefix match on the reason code).
HINTS = {
    "context_limit": "prompts outgrew the model's context window: raise the role's n_ctx, or lower "
                     "max_turns / tasks_per_dialogue, or shorten the policy",
    "invalid_output": "a model kept producing output that fails its schema: raise max_invalid_retries, "
                      "lower the temperature or use a stronger model",
    "max_errors": "the agent's tool calls kept failing: use a stronger agent model or raise max_errors",
    "backend_error": "a model server failed; check it and rerun (those dialogues are made again)",
    "final_state": "the database did not end in the state the task expects (see rejected.jsonl)",
    "critical_failed": "a critical rubric item failed (each is in rejected.jsonl with its note)",
    "filter:repeated_message": "the models loop, repeating earlier messages: use a stronger model or "
                               "a higher temperature",
    "filter:user_as_agent": "the user model speaks as the agent: use a stronger user model",
    "filter:template_leak": "prompt text is copied into messages: use a stronger model, or reword the template",
    "filter:empty_message": "a model sent empty messages",
    "filter:no_tool_call": "the agent answered without calling a tool the task needs",
    STATE_MISMATCH: "replaying the recorded calls did not give the recorded state: the dialogues "
                    "were made with other tools or seed data",
    UNKNOWN_TASK: "the dialogue pursued a task that is no longer in the tasks file",
}


def hint_for(reason: str) -> str | None:
    return HINTS.get(reason) or HINTS.get(reason.split(":", 1)[0])


@dataclass
class Item:
    task: str | None
    code: str  # stable name of the item, e.g. expected_call:borrow_book, final_state:0
    item: str  # what it checks, in words
    category: Category
    passed: bool
    note: str = ""  # the judge's reason, or why an item could not be judged

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task, "code": self.code, "item": self.item, "category": self.category.value,
                "passed": self.passed, "note": self.note}


@dataclass
class ValidationResult:
    items: list[Item] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why it is rejected; empty = accepted

    @property
    def valid(self) -> bool:
        return not self.reasons

    def to_json(self) -> dict[str, Any]:
        return {"valid": self.valid, "reasons": self.reasons, "items": [i.to_json() for i in self.items]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ValidationResult":
        items = [Item(i["task"], i["code"], i["item"], Category(i["category"]), i["passed"], i["note"])
                 for i in data["items"]]
        return cls(items, list(data["reasons"]))


def reasons_of(items: list[Item], termination: Termination | None) -> list[str]:
    """Reason codes of the failed critical items, each once, in order."""
    out: list[str] = []
    for item in items:
        if item.category is not Category.CRITICAL or item.passed:
            continue
        if item.code.startswith(("filter:", STATE_MISMATCH, UNKNOWN_TASK)):
            code = item.code  # these items are named after their reason
        elif item.code == "ran_to_end" and termination is not None:
            code = termination.value
        elif item.code.startswith("final_state"):
            code = FINAL_STATE
        else:
            code = f"critical_failed:{item.code}"
        if code not in out:
            out.append(code)
    return out
