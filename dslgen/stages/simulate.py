"""simulate: dialogues for the tasks of tasks.jsonl, each on its own database copy, appended
to dialogues.jsonl the moment it is finished.

Resumable: a dialogue's id derives from the stage digest and its index, so a rerun skips
the ids already written, and makes again those that ended on a server fault.
"""
from __future__ import annotations

import hashlib
import sys
from datetime import datetime, timezone

from dslgen.backends import make_backend
from dslgen.errors import RunError
from dslgen.export.context import run_provenance
from dslgen.output.jsonl import Appender, drop_torn_tail, iter_jsonl, write_jsonl
from dslgen.plan import Plan, SimulateStage
from dslgen.plan.artifacts import DIALOGUES, TASKS
from dslgen.sim.database import apply_start_calls, open_database
from dslgen.sim.dialogue import Dialogue, Termination
from dslgen.sim.loop import GREETING, Seeds, SimSetup, simulate
from dslgen.sim.roles import Agent, UserSimulator
from dslgen.sim.tasks import pick_tasks
from dslgen.sim.tool_simulator import ToolSimulator
from dslgen.stages import StageContext, StageResult
from dslgen.stages.generate_tasks import read_tasks
from dslgen.stages.return_schemas import with_predicted_schemas
from dslgen.templating import render


def run(stage: SimulateStage, ctx: StageContext) -> StageResult:
    plan = with_predicted_schemas(ctx.plan, ctx.folder)
    tasks = read_tasks(plan, ctx.folder / TASKS)
    log = ctx.folder / DIALOGUES
    done, redo = _finished_ids(log)
    count = min(stage.dialogues, ctx.limit) if ctx.limit else stage.dialogues
    todo = [(i, did) for i in range(count) if (did := dialogue_id(plan, ctx.digest, stage.mode, i)) not in done]
    setup = _setup(plan, stage, tasks)
    seed_db = open_database(plan)
    tools = openai_tools(plan)
    with Appender(log) as out, _progress(ctx.progress, len(todo)) as advance:
        for index, did in todo:
            dialogue = _one_dialogue(plan, setup, seed_db, ctx.digest, index, did)
            if dialogue.generated or dialogue.termination is not Termination.BACKEND_ERROR:
                out.append(dialogue.to_json(tools))
            advance(dialogue)
            _stop_on_server_fault(dialogue, index)
    line = f"simulate: {len(todo)} new dialogue(s), {count - len(todo)} already there"
    line += f" ({redo} made again after a server fault)" if redo else ""
    return StageResult(stage.kind, [line], {"new": len(todo), "skipped": count - len(todo)})


def _finished_ids(log) -> tuple[set[str], int]:
    """Ids already in the log; dialogues that ended on a server fault are taken out of it
    (atomically), so they are made again instead of kept cut short."""
    drop_torn_tail(log)
    done, faulted = set(), 0
    for record in iter_jsonl(log):
        if record["termination"]["reason"] == Termination.BACKEND_ERROR.value:
            faulted += 1
        else:
            done.add(record["id"])
    if faulted:
        write_jsonl(log, (r for r in iter_jsonl(log)
                          if r["termination"]["reason"] != Termination.BACKEND_ERROR.value))
    return done, faulted


def dialogue_id(plan: Plan, digest: str, mode: str, index: int) -> str:
    """Stable across reruns of the same stage; new when anything it is made from changes."""
    tail = hashlib.sha256(f"{digest}|{index}".encode()).hexdigest()[:10]
    return f"{plan.name}-{mode}-{index:05d}-{tail}"


def openai_tools(plan: Plan) -> list[dict]:
    return [{"type": "function", "function": sig} for sig in plan.tool_signatures()]


def _stop_on_server_fault(dialogue: Dialogue, index: int) -> None:
    """A server fault stops the run (its dialogue is already saved, and will be made again);
    a weak model's invalid output only ends its own dialogue."""
    if dialogue.termination is Termination.BACKEND_ERROR and dialogue.fault is not None:
        raise RunError(f"stopped at dialogue {index}: {dialogue.fault}",
                       hint=getattr(dialogue.fault, "hint", None)
                       or "dialogues already written are kept; rerun to resume")


def _setup(plan: Plan, stage: SimulateStage, tasks) -> SimSetup:
    user = UserSimulator(make_backend(plan.models["user"], "user"), plan.prompts["user_system"],
                         plan.user_simulator.rules, stage.mode)
    agent = Agent(make_backend(plan.models["agent"], "agent"), plan.tool_signatures())
    tools = None
    if any(t.simulated for t in plan.tools):  # a model is loaded for this role only when needed
        tools = ToolSimulator(make_backend(plan.models["tools"], "tools"), plan.prompts["tool_simulator"],
                              plan.domain, plan.policy)
    return SimSetup(plan, stage, stage.mode, user, agent, plan.write_tools, tools, tuple(tasks))


def _one_dialogue(plan: Plan, setup: SimSetup, seed_db, digest: str, index: int, did: str) -> Dialogue:
    with seed_db.fork() as db:  # a PostgreSQL copy is a schema, dropped on close
        start = setup.stage.start
        start_calls = [c.model_dump(mode="json") for c in start.calls] if start else []
        apply_start_calls(plan, db, start_calls)
        history = [m.model_dump(exclude_none=True) for m in start.messages] if start else []
        history = history or [{"role": "assistant", "content": GREETING}]
        dialogue = Dialogue(did, setup.mode, messages=[{"role": "system", "content": agent_system_prompt(plan)},
                                                        *history], start_calls=start_calls)
        dialogue.prefix_length = len(dialogue.messages)
        tasks = pick_tasks(setup.tasks, setup.stage.tasks_per_dialogue, plan.seed, index)
        simulate(setup, dialogue, tasks, db, Seeds(plan.seed * 7919 + index))
        dialogue.provenance = {"spec": plan.name, "mode": setup.mode, "index": index, "seed": plan.seed,
                               **run_provenance(plan), "database": db.engine, "state_digest": db.digest(),
                               "stage_digest": digest,
                               "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        return dialogue


def agent_system_prompt(plan: Plan) -> str:
    return render(plan.prompts["agent_system"], domain=plan.domain, policy=plan.policy,
                  tools=plan.tool_signatures())


class _progress:
    """A rich progress bar on a terminal; elsewhere (a log file, CI) one plain line per
    finished dialogue; or nothing. Called with each finished dialogue."""

    def __init__(self, enabled: bool, total: int):
        self.enabled, self.total, self.done = enabled and total > 0, total, 0

    def __enter__(self):
        if not self.enabled:
            return lambda dialogue: None
        if not sys.stderr.isatty():
            return self._line
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("dialogues"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        self.bar.start()
        task = self.bar.add_task("run", total=self.total)
        return lambda dialogue: self.bar.advance(task)

    def _line(self, d: Dialogue) -> None:
        self.done += 1
        ended = d.termination.value if d.termination else "nothing generated"
        print(f"[{self.done}/{self.total}] {d.id}: ended {ended}, {d.turns} turns, {len(d.calls)} tool calls",
              file=sys.stderr, flush=True)

    def __exit__(self, *exc):
        if self.enabled and hasattr(self, "bar"):
            self.bar.stop()
        return False
