"""Prompts stay cache-friendly: within a task, each role's prompt starts with the whole of
its previous one (the stable system prompt first, nothing earlier rewritten), so a server's
prefix cache (vLLM, SGLang) skips all of it. Real SQL, scripted models."""
from __future__ import annotations

from dslgen.backends.scripted import ScriptedBackend
from dslgen.sim.database import open_database
from dslgen.sim.dialogue import Dialogue
from dslgen.sim.loop import GREETING, Seeds, SimSetup, simulate
from dslgen.sim.roles import USER_VIEW_MESSAGES, Agent, UserSimulator, _recent
from dslgen.plan import SimulateStage
from dslgen.spec.model_settings import ModelSpec

SCRIPTED = ModelSpec(backend="scripted")


def _user(text, done=False):
    return {"message": text, "is_task_complete": done}


def _extends(before: list[dict], after: list[dict]) -> bool:
    return after[:len(before)] == before


def test_each_prompt_of_a_task_extends_the_one_before(example_plan):
    stage = SimulateStage(max_turns=8)
    user = UserSimulator(ScriptedBackend(SCRIPTED, "user", [
        _user("I'd like a book."), _user("Dune, please. I am m1."), _user("Thanks, bye!", done=True),
        _user("Yes, lend it to me."), _user("Thanks!", done=True)]),
        example_plan.prompts["user_system"], example_plan.user_simulator.rules, "user_oriented")
    agent = Agent(ScriptedBackend(SCRIPTED, "agent", [
        {"reply": "Which one?"}, {"tool": "find_book", "arguments": {"title": "Dune"}},
        {"reply": "Dune is there. Shall I lend it to you?"}, {"reply": "Anything else?"},
        {"tool": "borrow_book", "arguments": {"member_id": "m1", "book_id": "b1"}}, {"reply": "Done."}]),
        example_plan.tool_signatures())
    setup = SimSetup(example_plan, stage, "user_oriented", user, agent, example_plan.write_tools)
    task = next(t for t in example_plan.tasks if t.id == "borrow_dune")
    d = Dialogue("t", "user_oriented", messages=[{"role": "system", "content": "sys"},
                                                   {"role": "assistant", "content": GREETING}])
    with open_database(example_plan).fork() as db:
        simulate(setup, d, [task], db, Seeds(1))
    assert d.termination == "user_stop" and d.tasks[0].guard_holds == 1  # a note was shown, and kept
    for backend in (user.backend, agent.backend):
        prompts = [r["messages"] for r in backend.requests]
        assert len(prompts) >= 5
        assert all(_extends(a, b) for a, b in zip(prompts, prompts[1:])), backend.role
    last = user.backend.requests[-1]["messages"]
    assert sum("(You are the customer." in m["content"] for m in last) == 5  # one per turn, where it was


def test_old_chat_is_dropped_a_block_at_a_time():
    views = [_recent(list(range(n))) for n in range(1, 60)]
    assert all(len(v) <= USER_VIEW_MESSAGES for v in views)
    starts = [v[0] for v in views]
    assert set(starts) == {0, 8, 16, 24, 32, 40, 48}  # the start moves 8 messages at once
    assert all(_extends(a, b) for a, b in zip(views, views[1:]) if a[0] == b[0])
