"""Rubric checkpoints judged by a model: verdicts, categories, failures. Real SQL for the
dialogue, scripted models for the roles (and the embedded model in the last test)."""
from __future__ import annotations

import pytest

from dslgen.backends.openai_compat import OpenAICompatBackend
from dslgen.backends.scripted import ScriptedBackend
from dslgen.sim.database import open_database
from dslgen.sim.dialogue import Dialogue, Termination
from dslgen.sim.loop import GREETING, Seeds, SimSetup, simulate
from dslgen.sim.roles import Agent, UserSimulator
from dslgen.spec.model_settings import ModelSpec
from dslgen.plan import SimulateStage
from dslgen.spec.tasks import Checkpoint
from dslgen.validate.judge import VERDICTS, Judge, transcript
from dslgen.validate.rubric import validate

SCRIPTED = ModelSpec(backend="scripted", max_invalid_retries=0)
TOLD = "The agent tells the user which books they have."


def _with_checkpoints(task, *points):
    rubric = task.rubric.model_copy(update={"checkpoints": list(points)})
    return task.model_copy(update={"rubric": rubric})


def _my_loans_dialogue(plan, *points):
    """A finished, correct dialogue for the library's my_loans task, with these checkpoints."""
    task = _with_checkpoints(next(t for t in plan.tasks if t.id == "my_loans"), *points)
    stage = SimulateStage()
    user = UserSimulator(ScriptedBackend(SCRIPTED, "user", [
        {"message": "Which books do I have? I am m2.", "is_task_complete": False},
        {"message": "Thanks", "is_task_complete": True}]), plan.prompts["user_system"], [], "user_oriented")
    agent = Agent(ScriptedBackend(SCRIPTED, "agent", [
        {"tool": "get_member", "arguments": {"member_id": "m2"}}, {"reply": "You have Emma."}]),
        plan.tool_signatures())
    db = open_database(plan).fork()
    d = Dialogue("t", "user_oriented", messages=[{"role": "system", "content": "sys"},
                                                 {"role": "assistant", "content": GREETING}])
    simulate(SimSetup(plan, stage, "user_oriented", user, agent, set()), d, [task], db, Seeds(1))
    return d, db


def _judge(plan, outputs, spec=SCRIPTED):
    return Judge(ScriptedBackend(spec, "judge", outputs), plan.prompts["judge"])


def _checkpoint_items(result):
    return [i.to_json() for i in result.items if i.item in (TOLD, "The agent apologises.")]


def test_a_met_checkpoint_passes_and_the_judge_saw_the_task_and_the_tool_results(example_plan):
    d, db = _my_loans_dialogue(example_plan, Checkpoint(text=TOLD))
    judge = _judge(example_plan, [{"reason": "It says Emma.", "verdict": "met"}])
    result = validate(example_plan, d, db, judge)
    [item] = _checkpoint_items(result)
    assert (item["category"], item["passed"], item["note"]) == ("critical", True, "It says Emma.")
    assert result.valid
    prompt = judge.backend.requests[0]["messages"][0]["content"]
    assert TOLD in prompt and "Agent: You have Emma." in prompt and "Tool result:" in prompt
    assert "sys" not in prompt.split("Conversation:")[1]  # the agent's system prompt is not the task


def test_a_failed_critical_checkpoint_rejects_the_dialogue_and_a_noncritical_one_does_not(example_plan):
    points = (Checkpoint(text=TOLD), Checkpoint(text="The agent apologises.", severity="noncritical"))
    d, db = _my_loans_dialogue(example_plan, *points)
    judge = _judge(example_plan, [{"reason": "ok", "verdict": "met"}, {"reason": "no", "verdict": "not_met"}])
    assert validate(example_plan, d, db, judge).valid
    judge = _judge(example_plan, [{"reason": "no", "verdict": "not_met"}, {"reason": "ok", "verdict": "met"}])
    assert not validate(example_plan, d, db, judge).valid


def test_an_invalid_rubric_item_is_set_apart_and_never_rejects(example_plan):
    d, db = _my_loans_dialogue(example_plan, Checkpoint(text=TOLD))
    result = validate(example_plan, d, db, _judge(example_plan, [{"reason": "n/a", "verdict": "invalid_rubric"}]))
    [item] = _checkpoint_items(result)
    assert item["category"] == "invalid_rubric" and result.valid


def test_a_judge_that_keeps_answering_garbage_fails_the_item_but_not_the_run(example_plan):
    d, db = _my_loans_dialogue(example_plan, Checkpoint(text=TOLD))
    result = validate(example_plan, d, db, _judge(example_plan, [{"verdict": "maybe"}]))
    [item] = _checkpoint_items(result)
    assert not item["passed"] and item["note"].startswith("judge failed:")
    assert not result.valid and d.fault is None


def test_a_judge_server_that_is_down_fails_the_item_and_marks_the_fault(example_plan):
    d, db = _my_loans_dialogue(example_plan, Checkpoint(text=TOLD))
    down = ModelSpec(backend="openai", base_url="http://127.0.0.1:9/v1", model="x", max_retries=0, timeout_s=2)
    result = validate(example_plan, d, db, Judge(OpenAICompatBackend(down, "judge"), example_plan.prompts["judge"]))
    assert not _checkpoint_items(result)[0]["passed"]
    assert d.fault is not None and "127.0.0.1:9" in str(d.fault)  # the runner stops after saving


def test_without_a_judge_checkpoints_are_recorded_unjudged(example_plan):
    d, db = _my_loans_dialogue(example_plan, Checkpoint(text=TOLD))
    result = validate(example_plan, d, db, None)
    assert _checkpoint_items(result)[0]["category"] == "unjudged" and result.valid


def test_transcript_shows_calls_and_cuts_long_outputs():
    text = transcript([{"role": "user", "content": "hi"},
                       {"role": "assistant", "content": None, "tool_calls": [
                           {"function": {"name": "f", "arguments": "{\"a\": 1}"}}]},
                       {"role": "tool", "content": "x" * 1000}])
    assert "Customer: hi" in text and 'Agent calls f({"a": 1})' in text and text.endswith("…(cut)")


@pytest.mark.model
def test_the_embedded_judge_gives_a_verdict(example_plan):
    from dslgen.backends import make_backend

    d, _ = _my_loans_dialogue(example_plan)
    judge = Judge(make_backend(example_plan.models["judge"], "judge"), example_plan.prompts["judge"])
    verdict, reason = judge.verdict("You want to know your loans.", TOLD, d.messages[2:], "t|0|0")
    assert verdict in VERDICTS and reason


def test_a_dialogue_that_already_failed_a_critical_item_is_not_judged(example_plan):
    d, db = _my_loans_dialogue(example_plan, Checkpoint(text=TOLD))
    d.termination = Termination.BACKEND_ERROR  # as if the model had failed mid-dialogue
    judge = _judge(example_plan, [{"reason": "ok", "verdict": "met"}])
    [item] = _checkpoint_items(validate(example_plan, d, db, judge))
    assert item["category"] == "unjudged" and "already failed" in item["note"]
    assert judge.backend.requests == []


def test_a_judge_made_on_first_use_loads_its_model_only_when_asked(example_plan):
    made = []

    def make():
        made.append(ScriptedBackend(SCRIPTED, "judge", [{"reason": "ok", "verdict": "met"}]))
        return made[-1]

    judge = Judge.on_first_use(make, example_plan.prompts["judge"])
    d, db = _my_loans_dialogue(example_plan, Checkpoint(text=TOLD))
    d.termination = Termination.BACKEND_ERROR
    validate(example_plan, d, db, judge)  # failed already: no judging, no model
    assert made == []
    d.termination = Termination.USER_STOP
    validate(example_plan, d, db, judge)
    assert len(made) == 1 and len(made[0].requests) == 1
