"""τ-bench episodes → tasks in the domain's task format.

An episode (the format of τ-bench's replay data: `{"id", "instruction", "steps": [{"tool",
"arguments", "output", "probe"?}]}`) becomes a task: the instruction is the goal; the name,
zip, email and order ids it states are what the user knows; its reference calls (probes left
out) are the expected calls; and its final state becomes checks, derived by replaying the
calls on a copy of the seed database and reading back every row they changed. Each task then
goes through the admission oracle like any other.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from dslgen.spec.tasks import Checkpoint, ExpectedCall, Rubric, TaskSpec
from dslgen.sql.state import diff
from dslgen.synthesis.admission import TaskOracle
from dslgen.synthesis.reasons import Admission, Rejection
from dslgen.synthesis.state_checks import checks_from_changes

SOURCE = "imported"
_NAME = re.compile(r"\byour name is ([A-Z][\w'-]*) ([A-Z][\w'-]*)", re.IGNORECASE)
_ZIP = re.compile(r"\bzip code is (\d{5})\b", re.IGNORECASE)
_EMAIL = re.compile(r"\bemail is ([\w.+-]+@[\w-]+(?:\.[\w-]+)+)", re.IGNORECASE)
_ORDER = re.compile(r"#W\d+")


def known_facts(instruction: str) -> dict[str, Any]:
    """What the instruction tells the user about themselves: name, zip, email, order ids."""
    known: dict[str, Any] = {}
    if m := _NAME.search(instruction):
        known["first_name"], known["last_name"] = m.group(1), m.group(2)
    if m := _ZIP.search(instruction):
        known["zip"] = m.group(1)
    if m := _EMAIL.search(instruction):
        known["email"] = m.group(1)
    orders = list(dict.fromkeys(_ORDER.findall(instruction)))
    if len(orders) == 1:
        known["order_id"] = orders[0]
    elif orders:
        known["order_ids"] = orders
    return known


def difficulty(n_calls: int) -> str:
    """More reference calls, more for the agent to get right."""
    return "easy" if n_calls <= 1 else "medium" if n_calls <= 3 else "hard"


class EpisodeImporter:
    """Turns episodes into candidate tasks on the plan's tools and seed database."""

    def __init__(self, tools: Iterable, db):
        self.tools = {t.name: t for t in tools}
        self.db = db
        with db.fork() as seed:
            self.seed_rows = seed.dump()

    def candidate(self, episode: dict) -> TaskSpec:
        """The task an episode describes (raises ValueError for a malformed episode)."""
        instruction, steps = episode.get("instruction"), episode.get("steps")
        if not isinstance(instruction, str) or not isinstance(steps, list):
            raise ValueError("an episode needs an 'instruction' text and a 'steps' list")
        calls = [ExpectedCall(tool=s["tool"], arguments=s.get("arguments") or {})
                 for s in steps if not s.get("probe")]
        outputs = [Checkpoint(text=f"The agent tells the user: {o}") for o in episode.get("expected_outputs") or []]
        rubric = Rubric(expected_calls=calls, checkpoints=outputs, final_state=self.final_state(calls))
        return TaskSpec(id=f"tau-{episode.get('id')}", goal=instruction.strip(), known=known_facts(instruction),
                        difficulty=difficulty(len(calls)), rubric=rubric)

    def final_state(self, calls: list[ExpectedCall]) -> list:
        """Checks of every row the calls change (none when a call is unknown: the oracle says so)."""
        if any(c.tool not in self.tools for c in calls):
            return []
        tables = set().union(*(self.tools[c.tool].written_tables for c in calls)) if calls else set()
        with self.db.fork() as session:
            for c in calls:
                session.call(self.tools[c.tool], c.arguments)
            changes = diff(session.schema, self.seed_rows, session.dump(tables))
            return checks_from_changes(changes, session.schema, session)


def import_episodes(episodes: Iterable[dict], tools: Iterable, db) -> Admission:
    """Every episode as a candidate task, admitted by the oracle or kept with its reason."""
    tools = list(tools)
    importer, malformed, candidates = EpisodeImporter(tools, db), [], []
    for n, episode in enumerate(episodes):
        try:
            candidates.append(importer.candidate(episode))
        except (ValueError, KeyError, TypeError) as exc:
            name = str(episode.get("id", n)) if isinstance(episode, dict) else str(n)
            malformed.append(Rejection(SOURCE, name, "invalid", f"not a τ-bench episode: {exc}", episode))
    admission = TaskOracle(tools, db).admit(candidates, SOURCE)
    admission.rejected = malformed + admission.rejected
    return admission


HEADER = """Tasks imported from τ-bench retail episodes by `dslgen import tau-bench` (τ-bench data is
MIT-licensed: see LICENSE-tau-bench). Each goal is the episode's instruction; expected calls are
its reference calls; final_state checks read back every row those calls change. Every task ran
on the seed database before it was written here. {summary}."""


def import_file(plan, episodes: Iterable[dict], output) -> Admission:
    """Import episodes on the plan's domain; write the admitted tasks to `output` and the
    rejected ones beside it (`*.rejected.jsonl`)."""
    import textwrap
    from pathlib import Path

    from dslgen.output.jsonl import write_atomic, write_jsonl
    from dslgen.sim.database import open_database
    from dslgen.synthesis.artifacts import rejected_path, tasks_yaml

    admission = import_episodes(episodes, plan.tools, open_database(plan))
    header = textwrap.fill(HEADER.format(summary=admission.summary("episodes")), 96)
    write_atomic(Path(output), [tasks_yaml(admission.admitted, header).encode("utf-8")])
    write_jsonl(rejected_path(output), (r.to_json() for r in admission.rejected))
    return admission
