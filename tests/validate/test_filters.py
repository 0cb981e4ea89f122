"""Each quality filter rejects a scripted dialogue made to trip it, with its reason; the
same dialogues otherwise pass their rubric (real SQL), so the filter is what rejects them."""
from __future__ import annotations

import shutil

import pytest
import yaml

from dslgen import api
from dslgen.backends import clear_backends
from dslgen.sim.dialogue import Dialogue, TaskRun
from dslgen.spec.tasks import TaskSpec
from dslgen.validate.filters import FilterContext, repeated_message, template_leak, user_as_agent
from scripted import BORROW_AGENT, BORROW_USER, LIBRARY, lines, user, variant


@pytest.fixture(autouse=True)
def fresh_backends():
    clear_backends()
    yield
    clear_backends()


def _run(tmp_path, users, agents, **validate) -> dict:
    """Run dialogue 0 (the borrow_dune task) with these canned turns; its validated record."""
    def change(data):
        data["models"]["user"]["outputs"] = users
        data["models"]["agent"]["outputs"] = agents
        data["pipeline"][0]["dialogues"] = 1
        data["pipeline"][1].update(validate)

    out = tmp_path / "out"
    api.run_spec(variant(tmp_path, change), out=out, progress=False)
    records = lines(out / "validated.jsonl")
    assert len(records) == len(lines(out / "dialogues.jsonl")) == 1  # every generated dialogue is decided
    assert len(lines(out / "rejected.jsonl")) == (0 if records[0]["validation"]["valid"] else 1)
    return records[0]


def _reasons(record: dict) -> list[str]:
    return record["validation"]["reasons"]


def test_the_untouched_dialogue_is_accepted(tmp_path):
    assert _reasons(_run(tmp_path, BORROW_USER, BORROW_AGENT)) == []


def test_a_message_repeating_an_earlier_one(tmp_path):
    echo = BORROW_AGENT[:2] + [{"reply": "I'd like to borrow Dune. I am member m1."}]  # the agent parrots the user
    assert _reasons(_run(tmp_path, BORROW_USER, echo)) == ["filter:repeated_message"]


def test_a_user_speaking_as_the_agent(tmp_path):
    users = [user("Hi! How may I assist you? I want to borrow Dune, I am m1."), BORROW_USER[1]]
    assert _reasons(_run(tmp_path, users, BORROW_AGENT)) == ["filter:user_as_agent"]


def test_a_template_placeholder_sent_as_a_message(tmp_path):
    users = [user("<what you say>"), BORROW_USER[1]]
    assert _reasons(_run(tmp_path, users, BORROW_AGENT)) == ["filter:template_leak"]


def test_a_template_sentence_copied_into_a_message(tmp_path):
    users = [user("You are a customer talking to a support agent. Lend me Dune, m1."), BORROW_USER[1]]
    record = _run(tmp_path, users, BORROW_AGENT)
    assert _reasons(record) == ["filter:template_leak"]
    [item] = [i for i in record["validation"]["items"] if i["code"] == "filter:template_leak"]
    assert "you are a customer talking to a support agent" in item["item"]


def test_an_empty_message(tmp_path):
    blank = BORROW_AGENT[:2] + [{"reply": "   "}]
    assert _reasons(_run(tmp_path, BORROW_USER, blank)) == ["filter:empty_message"]


def test_no_tool_call_where_the_task_expects_one(tmp_path):
    users = [user("Lend me Dune, I am m1.")] + [user("Thanks!", done=True)] * 3
    replies = [{"reply": "Sure, it is yours."}, {"reply": "Anything else?"}, {"reply": "Goodbye."},
               {"reply": "Have a nice day."}]
    reasons = _reasons(_run(tmp_path, users, replies))
    assert reasons[0] == "filter:no_tool_call"
    assert "critical_failed:expected_call:borrow_book" in reasons  # the rubric fails it too


def test_filters_are_declared_in_the_validate_stage(tmp_path):
    users = [user("<what you say>"), BORROW_USER[1]]
    assert _reasons(_run(tmp_path, users, BORROW_AGENT, filters=["empty_message"])) == []


def test_a_filtered_dialogue_costs_no_judge_call(tmp_path):
    """Filters run before the judge: a task with a checkpoint, a judge with no answers left
    (any call would stop the stage), and a dialogue the filter rejects."""
    domain = tmp_path / "domain"
    shutil.copytree(LIBRARY, domain)
    tasks = yaml.safe_load((domain / "tasks.yaml").read_text())
    tasks["tasks"][0]["rubric"]["checkpoints"] = [{"text": "The agent confirms the loan."}]
    (domain / "tasks.yaml").write_text(yaml.safe_dump(tasks))

    def change(data):
        data["models"]["user"]["outputs"] = [user("<what you say>"), BORROW_USER[1]]
        data["models"]["agent"]["outputs"] = BORROW_AGENT
        data["models"]["judge"] = {"backend": "scripted", "outputs": []}
        data["pipeline"][0]["dialogues"] = 1

    api.run_spec(variant(tmp_path, change, domain), out=tmp_path / "out", progress=False)
    [record] = lines(tmp_path / "out" / "rejected.jsonl")
    assert record["validation"]["reasons"] == ["filter:template_leak"]
    [point] = [i for i in record["validation"]["items"] if i["code"] == "checkpoint:0"]
    assert point["category"] == "unjudged" and "already failed" in point["note"]


def _dialogue(*texts: tuple[str, str], expects_calls: bool = False) -> Dialogue:
    task = TaskSpec(id="t", goal="g", rubric={"expected_calls": [{"tool": "x"}]} if expects_calls else {})
    messages = [{"role": "system", "content": "sys"}] + [{"role": r, "content": t} for r, t in texts]
    return Dialogue("d", "user_oriented", messages=messages, tasks=[TaskRun(task, 1)], prefix_length=1)


CTX = FilterContext({"user_system": "Say what you want. Answer like <a short reply> please and nothing else."}, set())


def test_short_repeats_and_ordinary_customer_talk_pass():
    d = _dialogue(("user", "Thanks!"), ("assistant", "You're welcome."), ("user", "Thanks!"),
                  ("user", "Can you help me with my order?"))
    assert repeated_message(d, CTX) is None and user_as_agent(d, CTX) is None and template_leak(d, CTX) is None


def test_leak_markers_come_from_the_templates_and_the_runtime_notes():
    assert template_leak(_dialogue(("user", "fine, m1 <- that is me")), CTX) is None
    assert template_leak(_dialogue(("user", "ok <a short reply>")), CTX)
    assert template_leak(_dialogue(("user", "Answer like <a short reply> please and nothing else.")), CTX)
    assert template_leak(_dialogue(("user", "Hi (The agent is waiting for you.)")), CTX)
