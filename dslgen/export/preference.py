"""Preference data from what validation rejected, in the layouts TRL's KTO and DPO trainers read.

- `kto`: one row per dialogue: `prompt` (the system prompt and the first user turn),
  `completion` (the rest) and `label` (true when the dialogue passed validation).
- `dpo`: pairs of an accepted and a rejected dialogue of the same task(s): `prompt` is what
  the two share from the start (at least the system prompt), `chosen` and `rejected` the rest.

Dialogues that ended on a generation fault (a server error, a full context) say nothing
about the agent's behaviour and are left out. Messages use the `hf` encoding (arguments
and tool schemas as JSON text), so every row has one schema.
"""
from __future__ import annotations

from collections import defaultdict

from dslgen.export.conversation import training_messages
from dslgen.export.hf import MESSAGE, encoded_tools, hf_message, task_ids
from dslgen.export.reasons import rejection_reasons

# why a run stopped without the agent being at fault (dslgen.validate.rubric.FAILED_RUNS)
GENERATION_FAULTS = ("backend_error", "context_limit")

KTO_COLUMNS = {"id": "string", "tasks": {"list": "string"}, "prompt": {"list": MESSAGE},
               "completion": {"list": MESSAGE}, "label": "bool", "reasons": {"list": "string"},
               "tools": {"list": "string"}}
DPO_COLUMNS = {"id": "string", "tasks": {"list": "string"}, "prompt": {"list": MESSAGE},
               "chosen": {"list": MESSAGE}, "rejected": {"list": MESSAGE},
               "rejected_reasons": {"list": "string"}, "tools": {"list": "string"}}


def kto_rows(records: list[dict], system_prompt: str, keep_greeting: bool = False) -> list[dict]:
    rows = []
    for record, messages in _conversations(records, system_prompt, keep_greeting):
        first_user = next(i for i, m in enumerate(messages) if m["role"] == "user")
        rows.append({"id": record["id"], "tasks": task_ids(record),
                     "prompt": _encoded(messages[:first_user + 1]),
                     "completion": _encoded(messages[first_user + 1:]),
                     "label": bool(record["validation"]["valid"]), "reasons": rejection_reasons(record),
                     "tools": encoded_tools(record)})
    return [r for r in rows if r["completion"]]


def dpo_rows(records: list[dict], system_prompt: str, keep_greeting: bool = False) -> list[dict]:
    """Each rejected dialogue paired with an accepted one of the same tasks (taken in turn)."""
    groups: dict[tuple, dict[bool, list]] = defaultdict(lambda: {True: [], False: []})
    for record, messages in _conversations(records, system_prompt, keep_greeting):
        groups[tuple(task_ids(record))][bool(record["validation"]["valid"])].append((record, messages))
    rows = []
    for tasks, sides in sorted(groups.items()):
        accepted = sorted(sides[True], key=lambda x: x[0]["id"])
        for i, (rejected, bad) in enumerate(sorted(sides[False], key=lambda x: x[0]["id"])):
            if accepted:
                rows += _pair(list(tasks), accepted[i % len(accepted)], (rejected, bad))
    return rows


def _pair(tasks: list[str], good: tuple, bad: tuple) -> list[dict]:
    (chosen, chosen_msgs), (rejected, rejected_msgs) = good, bad
    shared = _shared_prefix(chosen_msgs, rejected_msgs)
    if shared in (len(chosen_msgs), len(rejected_msgs)):
        return []  # one dialogue is the start of the other: nothing to prefer
    return [{"id": f"{chosen['id']}+{rejected['id']}", "tasks": tasks,
             "prompt": _encoded(chosen_msgs[:shared]), "chosen": _encoded(chosen_msgs[shared:]),
             "rejected": _encoded(rejected_msgs[shared:]), "rejected_reasons": rejection_reasons(rejected),
             "tools": encoded_tools(chosen)}]


def _conversations(records: list[dict], system_prompt: str, keep_greeting: bool):
    for record in records:
        if record.get("termination", {}).get("reason") in GENERATION_FAULTS:
            continue
        messages = training_messages(record, system_prompt, keep_greeting)
        if messages:
            yield record, messages


def _shared_prefix(a: list[dict], b: list[dict]) -> int:
    n = 0
    while n < min(len(a), len(b)) and _same(a[n], b[n]):
        n += 1
    return n


def _same(a: dict, b: dict) -> bool:
    """Equal as training text (call ids differ between dialogues and do not count)."""
    ha, hb = hf_message(a), hf_message(b)
    for m in (ha, hb):
        m["tool_call_id"] = ""
        for c in m["tool_calls"]:
            c["id"] = ""
    return ha == hb


def _encoded(messages: list[dict]) -> list[dict]:
    return [hf_message(m) for m in messages]
