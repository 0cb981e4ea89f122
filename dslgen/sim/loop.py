"""The dialogue loop: a user turn, then agent steps (tool calls executed as SQL), repeat.

Ends with a recorded reason (dialogue.Termination); a model fault ends the dialogue with
`backend_error`, `invalid_output` or `context_limit` and keeps everything generated up to then.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dslgen.backends import ContextLimitExceeded
from dslgen.errors import BackendError, InvalidModelOutput
from dslgen.plan import SimulateStage
from dslgen.sim.dialogue import CallRecord, Dialogue, TaskRun, Termination
from dslgen.sim.roles import GUARD_NOTE, Agent, UserSimulator
from dslgen.sim.stop_guard import why_not_done
from dslgen.sim.tool_simulator import ToolSimulator
from dslgen.spec.tasks import TaskSpec
from dslgen.templating import render

GREETING = "Hi! How can I help you today?"


class _End(Exception):
    def __init__(self, reason: Termination):
        self.reason = reason


@dataclass
class Seeds:
    """Per-dialogue seed stream: the same dialogue index always draws the same seeds."""

    base: int
    n: int = 0

    def next(self) -> int:
        self.n += 1
        return (self.base * 1_000_003 + self.n) % (2**31 - 1)


@dataclass
class SimSetup:
    plan: Any  # Plan
    stage: SimulateStage
    mode: str
    user: UserSimulator
    agent: Agent
    writes: set[str]  # names of tools that write
    tools: ToolSimulator | None = None  # plays the tools with no SQL, if the domain has any
    tasks: tuple[TaskSpec, ...] = ()  # the tasks to draw from (the tasks file)

    def persona(self, task: TaskSpec):
        return next((p for p in self.plan.user_simulator.personas if p.name == task.persona), None)


def simulate(setup: SimSetup, dialogue: Dialogue, tasks: list[TaskSpec], db, seeds: Seeds) -> Dialogue:
    """Run `tasks` in order inside one dialogue (which may already hold a starting history)."""
    try:
        for index, task in enumerate(tasks):
            _pursue(setup, dialogue, index, task, db, seeds, last=index == len(tasks) - 1)
        dialogue.termination = Termination.USER_STOP
    except _End as end:
        dialogue.termination = end.reason
    except ContextLimitExceeded as exc:
        dialogue.termination, dialogue.error = Termination.CONTEXT_LIMIT, str(exc)
    except InvalidModelOutput as exc:
        dialogue.termination, dialogue.error = Termination.INVALID_OUTPUT, str(exc)
    except BackendError as exc:
        dialogue.termination, dialogue.error = Termination.BACKEND_ERROR, str(exc)
        dialogue.fault = exc
    return dialogue


def _pursue(setup: SimSetup, d: Dialogue, index: int, task: TaskSpec, db, seeds: Seeds, last: bool) -> None:
    run = TaskRun(task, len(d.messages), user_system=setup.user.system_prompt(task, setup.persona(task)))
    d.tasks.append(run)
    first = True
    while True:
        if d.turns >= setup.stage.max_turns:
            raise _End(Termination.MAX_TURNS)
        text, done = _user_says(setup, d, run, seeds, first)
        first = False
        d.messages.append({"role": "user", "content": text})
        if done:
            reasons = why_not_done(task, _calls_of(d, index), setup.writes, db)
            if not reasons:
                run.user_completed = True
                if last:
                    return
            else:
                run.guard_holds += 1
                d.user_notes[len(d.messages) - 1] = GUARD_NOTE.format(reasons="; ".join(reasons))
        _agent_turn(setup, d, index, db, seeds)
        if run.user_completed:
            return


def _user_says(setup: SimSetup, d: Dialogue, run: TaskRun, seeds: Seeds, first: bool) -> tuple[str, bool]:
    task = run.task
    if first and setup.mode == "task_oriented":
        # the paper's baseline: the task arrives as one direct request
        return render(setup.plan.prompts["task_request"], goal=task.goal, request=task.request,
                      known=task.known), False
    return setup.user.turn(d, run, seeds.next())


def _agent_turn(setup: SimSetup, d: Dialogue, task_index: int, db, seeds: Seeds) -> None:
    steps, made, repeated = 0, set(), False
    while True:
        allow_tools = steps < setup.stage.max_steps and not repeated
        kind, value = setup.agent.act(d.messages, seeds.next(), allow_tools=allow_tools)
        if kind == "reply":
            d.messages.append({"role": "assistant", "content": value})
            break
        key = (value["name"], json.dumps(value["arguments"], sort_keys=True))
        if key in made:
            # the same call again in one turn, with no write in between, would get the same
            # answer: small models loop here. It is dropped, not recorded, and the agent must
            # now answer in words.
            d.repeated_calls_dropped += 1
            repeated = True
            continue
        ends = _call_tool(setup, d, task_index, value["name"], value["arguments"], db, seeds)
        made = {key} if value["name"] in setup.writes else made | {key}  # a write makes reads new again
        steps += 1
        too_many_errors = sum(c.is_error for c in d.calls) >= setup.stage.max_errors
        if ends or too_many_errors:
            d.steps_per_turn.append(steps)
            raise _End(Termination.AGENT_STOP if ends else Termination.MAX_ERRORS)
    d.steps_per_turn.append(steps)


def _call_tool(setup: SimSetup, d: Dialogue, task_index: int, name: str, arguments: dict, db,
               seeds: Seeds) -> bool:
    """Execute one call as SQL (or have a model simulate a tool with no SQL) and record it;
    True when the tool ends the dialogue."""
    call_id = f"call_{len(d.calls) + 1}"
    d.add_tool_call(call_id, name, arguments)
    tool = setup.plan.tool(name)
    if tool.simulated:
        result = setup.tools.call(tool, arguments, d.calls, seeds.next())
    else:
        result = db.call(tool, arguments)
    d.calls.append(CallRecord(d.turns, task_index, name, arguments, result.output, result.is_error,
                              tool.writes, tool.simulated, call_id))
    d.add_tool_result(call_id, name, result.output)
    return tool.ends_dialogue and not result.is_error


def _calls_of(d: Dialogue, task_index: int) -> list[CallRecord]:
    return [c for c in d.calls if c.task_index == task_index]
