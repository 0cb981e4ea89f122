"""One dialogue as a pure function of (job, index): the same job and index give the same
record, whatever ran before it, beside it, or in which process.

A `Job` is what every dialogue of one simulate run shares (plan, stage, tasks, stage
digest): frozen, picklable, sent once to each worker. A `DialogueMaker` is built from it
once per process (or Ray actor): the role objects (which keep no per-dialogue state), the
seeded master database and the tool list. Everything a dialogue owns (its database copy,
seeds, user notes, counters) is made inside `make` and dies with it.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from dslgen.backends import make_backend
from dslgen.export.context import run_provenance
from dslgen.plan import Plan, SimulateStage
from dslgen.sim.database import apply_start_calls, open_database
from dslgen.sim.dialogue import Dialogue, Termination
from dslgen.sim.loop import GREETING, Seeds, SimSetup, simulate
from dslgen.sim.roles import Agent, UserSimulator
from dslgen.sim.tasks import pick_tasks
from dslgen.sim.tool_simulator import ToolSimulator
from dslgen.spec.tasks import TaskSpec
from dslgen.templating import render

# backends whose outputs are one sequence for the whole run (canned, in order): their
# dialogues depend on the order they run in, so they run one at a time, in index order
ORDERED_BACKENDS = frozenset({"scripted"})
# backends that run a model in this process, one call at a time: more dialogues in flight
# only take turns on it (and spoil its prompt-prefix cache)
LOCAL_BACKENDS = frozenset({"embedded", "transformers"})


@dataclass(frozen=True)
class Job:
    plan: Plan
    stage: SimulateStage
    tasks: tuple[TaskSpec, ...]
    digest: str  # the stage's: dialogue ids derive from it

    def dialogue_id(self, index: int) -> str:
        return dialogue_id(self.plan, self.digest, self.stage.mode, index)

    @property
    def roles(self) -> list[str]:
        """The roles whose models a dialogue calls."""
        return ["user", "agent"] + (["tools"] if any(t.simulated for t in self.plan.tools) else [])

    def backends(self) -> set[str]:
        return {self.plan.models[r].backend for r in self.roles}


@dataclass(frozen=True)
class Usage:
    """Model use: requests, tokens, re-sampled outputs, transport retries."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    resamples: int = 0
    retries: int = 0

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(*(a + b for a, b in zip(self.astuple(), other.astuple())))

    def __sub__(self, other: "Usage") -> "Usage":
        return Usage(*(a - b for a, b in zip(self.astuple(), other.astuple())))

    def astuple(self) -> tuple[int, ...]:
        return (self.requests, self.prompt_tokens, self.completion_tokens, self.resamples, self.retries)


@dataclass
class Outcome:
    """What the writer needs of one finished dialogue (picklable: it may come from Ray)."""

    index: int
    id: str
    record: dict[str, Any] | None  # its line of dialogues.jsonl; None: nothing to keep
    termination: str | None
    turns: int = 0
    tool_calls: int = 0
    tool_errors: int = 0
    fault: str | None = None  # a server fault: the run stops after this dialogue
    hint: str | None = None
    usage: Usage = field(default_factory=Usage)  # the process's model use since its last outcome


class DialogueMaker:
    def __init__(self, job: Job):
        self.job = job
        self.setup = _setup(job)
        self.seed_db = open_database(job.plan)
        self.tools = openai_tools(job.plan)
        self.system_prompt = agent_system_prompt(job.plan)
        self.provenance = run_provenance(job.plan)
        self._meter = _Meter([self.setup.user.backend, self.setup.agent.backend]
                             + ([self.setup.tools.backend] if self.setup.tools else []))

    def make(self, index: int) -> Outcome:
        """The dialogue at `index`, as its record; a server fault is reported, not raised."""
        d = self._dialogue(index)
        keep = d.generated or d.termination is not Termination.BACKEND_ERROR
        fault = d.fault if d.termination is Termination.BACKEND_ERROR else None
        return Outcome(index, d.id, d.to_json(self.tools) if keep else None,
                       d.termination.value if d.termination else None, d.turns, len(d.calls),
                       sum(c.is_error for c in d.calls), str(fault) if fault else None,
                       getattr(fault, "hint", None), self._meter.taken())

    def _dialogue(self, index: int) -> Dialogue:
        plan, stage = self.job.plan, self.job.stage
        with self.seed_db.fork() as db:  # a PostgreSQL copy is a schema, dropped on close
            start_calls = [c.model_dump(mode="json") for c in stage.start.calls] if stage.start else []
            apply_start_calls(plan, db, start_calls)
            history = [m.model_dump(exclude_none=True) for m in stage.start.messages] if stage.start else []
            history = history or [{"role": "assistant", "content": GREETING}]
            dialogue = Dialogue(self.job.dialogue_id(index), stage.mode, start_calls=start_calls,
                                messages=[{"role": "system", "content": self.system_prompt}, *history])
            dialogue.prefix_length = len(dialogue.messages)
            tasks = pick_tasks(self.job.tasks, stage.tasks_per_dialogue, plan.seed, index)
            simulate(self.setup, dialogue, tasks, db, Seeds(plan.seed * 7919 + index))
            # no clock time here: a record is a function of (plan, index) alone
            dialogue.provenance = {"spec": plan.name, "mode": stage.mode, "index": index, "seed": plan.seed,
                                   **self.provenance, "database": db.engine, "state_digest": db.digest(),
                                   "stage_digest": self.job.digest}
            return dialogue


def dialogue_id(plan: Plan, digest: str, mode: str, index: int) -> str:
    """Stable across reruns of the same stage; new when anything it is made from changes."""
    tail = hashlib.sha256(f"{digest}|{index}".encode()).hexdigest()[:10]
    return f"{plan.name}-{mode}-{index:05d}-{tail}"


def index_of(dialogue_id: str) -> int:
    """The index a dialogue id carries (`<spec>-<mode>-<index>-<tail>`)."""
    return int(dialogue_id.rsplit("-", 2)[-2])


def openai_tools(plan: Plan) -> list[dict]:
    return [{"type": "function", "function": sig} for sig in plan.tool_signatures()]


def agent_system_prompt(plan: Plan) -> str:
    return render(plan.prompts["agent_system"], domain=plan.domain, policy=plan.policy,
                  tools=plan.tool_signatures())


def _setup(job: Job) -> SimSetup:
    plan, stage = job.plan, job.stage
    user = UserSimulator(make_backend(plan.models["user"], "user"), plan.prompts["user_system"],
                         plan.user_simulator.rules, stage.mode)
    agent = Agent(make_backend(plan.models["agent"], "agent"), plan.tool_signatures())
    tools = None
    if "tools" in job.roles:  # a model is loaded for this role only when needed
        tools = ToolSimulator(make_backend(plan.models["tools"], "tools"), plan.prompts["tool_simulator"],
                              plan.domain, plan.policy)
    return SimSetup(plan, stage, stage.mode, user, agent, plan.write_tools, tools, job.tasks)


class _Meter:
    """The model use of a process's backends, handed out as deltas (one backend may serve
    two roles: counted once)."""

    def __init__(self, backends: list[Any]):
        self.backends = list({id(b): b for b in backends}.values())
        self._lock = threading.Lock()
        self._last = Usage()

    def taken(self) -> Usage:
        with self._lock:
            now = sum((_usage(b) for b in self.backends), Usage())
            delta, self._last = now - self._last, now
            return delta


def _usage(backend: Any) -> Usage:
    s = backend.stats  # a re-sampled output is one more request
    return Usage(s.calls + s.resamples, s.prompt_tokens, s.completion_tokens, s.resamples, s.request_retries)
