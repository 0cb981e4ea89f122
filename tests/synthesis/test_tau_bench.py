"""τ-bench episodes → admitted retail tasks, on the 520 episodes in tests/data."""
import json

import pytest
from click.testing import CliRunner

from dslgen.cli import main
from dslgen.replay import read_episodes
from dslgen.spec.source_map import load_yaml
from dslgen.spec.tasks import TasksFile
from dslgen.synthesis.admission import TaskOracle
from dslgen.synthesis.tau_bench import import_episodes, known_facts
from synthesis.conftest import EPISODES, RETAIL_SPEC


@pytest.fixture(scope="module")
def imported(retail_plan, seed_db):
    return import_episodes(read_episodes(EPISODES), retail_plan.tools, seed_db)


def test_at_least_95_percent_of_the_episodes_become_admitted_tasks(imported):
    assert imported.proposed == 520
    assert len(imported.admitted) >= 0.95 * 520
    # the rest are kept with a reason: here, calls τ-bench itself answers with an error
    assert imported.by_reason().keys() <= {"call_failed", "unverifiable"}
    failed = [r for r in imported.rejected if r.reason == "call_failed"]
    assert all("insufficient gift card balance" in r.detail for r in failed)


def test_derived_checks_are_false_on_the_seed_and_true_after_the_calls(imported, retail_plan, seed_db):
    sample = imported.admitted[::50]
    oracle = TaskOracle(retail_plan.tools, seed_db)
    assert all(t.rubric.final_state for t in sample)
    assert all(oracle.verdict(t) is None for t in sample)
    # a check that expects a different value is caught: the checks really read the state
    data = sample[0].model_dump()
    data["rubric"]["final_state"][0]["expect"] = [["nothing like this"]]
    broken = type(sample[0]).model_validate(data)
    assert oracle.verdict(broken)[0] == "not_reached"


def test_the_goal_is_the_instruction_and_known_facts_come_from_it(imported):
    task = next(t for t in imported.admitted if t.id == "tau-retail-train-0")
    assert task.goal.startswith("Your name is Omar Anderson and your zip code is 19031.")
    assert task.known == {"first_name": "Omar", "last_name": "Anderson", "zip": "19031", "order_id": "#W6067464"}
    assert [c.tool for c in task.rubric.expected_calls] == ["return_delivered_order_items"]
    assert known_facts("Your name is Ava Lopez and your email is ava.lopez3569@example.com. For #W1, #W2.") == {
        "first_name": "Ava", "last_name": "Lopez", "email": "ava.lopez3569@example.com", "order_ids": ["#W1", "#W2"]}


def test_the_command_writes_loadable_tasks_and_keeps_rejected_episodes(tmp_path):
    lines = EPISODES.read_text().splitlines()
    failing = next(line for line in lines if json.loads(line)["id"] == "retail-train-24")
    episodes = tmp_path / "episodes.jsonl"
    episodes.write_text("\n".join(lines[:3] + [failing, '{"id": "broken"}']) + "\n")
    out = tmp_path / "tasks.yaml"
    result = CliRunner().invoke(main, ["import", "tau-bench", str(episodes), "-o", str(out), "--spec", str(RETAIL_SPEC)])
    assert result.exit_code == 0, result.output
    assert "3 of 5 episodes admitted" in result.output
    data, _, problems = load_yaml(out.read_text(), str(out))
    assert problems == [] and len(TasksFile.model_validate(data).tasks) == 3
    rejected = [json.loads(line) for line in (tmp_path / "tasks.rejected.jsonl").read_text().splitlines()]
    assert {r["name"]: r["reason"] for r in rejected} == {"broken": "invalid", "tau-retail-train-24": "call_failed"}


def test_a_missing_episodes_file_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["import", "tau-bench", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "t.yaml")])
    assert result.exit_code == 2 and "does not exist" in result.output
