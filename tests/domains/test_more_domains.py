"""The league, clinic booking and school domains: each checks clean, every tool runs on its
seed without an engine error, each task's expected calls succeed in order on a fresh copy
and its final-state checks then hold, and a run on the embedded model finishes (league)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from dslgen import api
from dslgen.authoring.sample_calls import seed_arguments
from dslgen.backends import clear_backends
from dslgen.cli import main
from dslgen.sim.database import open_database
from dslgen.sim.stop_guard import state_check_holds

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = ("league", "clinic_booking", "school")
ENGINE_FAULT = re.compile(r"^Error: \w+ failed \(")


@pytest.fixture(scope="module", params=DOMAINS)
def domain(request):
    plan = api.compile_file(ROOT / "specs" / f"{request.param}.yaml")
    db = open_database(plan)
    with db.fork() as s:
        seed = s.dump()
    return plan, db, seed


def test_the_spec_checks_clean(domain):
    plan, _, _ = domain
    assert api.check_spec(plan.spec_path) == []


def test_every_tool_runs_on_the_seed(domain):
    plan, db, seed = domain
    succeeded = 0
    for tool in plan.tools:
        args = seed_arguments(tool.parameters_schema, [s.sql for s in tool.statements], seed)
        with db.fork() as s:
            result = s.call(tool, args)
        assert not ENGINE_FAULT.match(result.output), (tool.name, args, result.output)
        assert "invalid arguments" not in result.output, (tool.name, args, result.output)
        succeeded += not result.is_error
    assert succeeded >= len(plan.tools) * 0.6, "most tools should succeed with arguments from the seed"


def test_expected_calls_succeed_in_order_and_final_state_holds(domain):
    plan, db, seed = domain
    for task in plan.tasks:
        with db.fork() as s:
            for call in task.rubric.expected_calls:
                tool = plan.tool(call.tool)
                args = {**seed_arguments(tool.parameters_schema, [st.sql for st in tool.statements], seed),
                        **call.arguments}
                result = s.call(tool, args)
                assert not result.is_error, (task.id, call.tool, args, result.output)
            for check in task.rubric.final_state:
                assert state_check_holds(check, s), (task.id, check.sql)


def test_the_final_state_checks_do_not_hold_on_the_seed(domain):
    """Each write task's checks test what the task changes, not what is already true."""
    plan, db, _ = domain
    with db.fork() as s:
        for task in plan.tasks:
            if task.rubric.final_state and any(plan.tool(c.tool).writes for c in task.rubric.expected_calls):
                assert not all(state_check_holds(c, s) for c in task.rubric.final_state), task.id


@pytest.mark.model
@pytest.mark.parametrize("name", ["league"])
def test_a_run_on_the_embedded_model_finishes(name, tmp_path):
    """The shipped spec with shorter dialogues (2 turns, 1 task), to keep the suite fast. One
    domain is enough to show the path on the default model: tests/authoring/test_init.py runs
    school, and test_domain_dialogues.py plays every task of every domain with scripted models."""
    spec = yaml.safe_load((ROOT / "specs" / f"{name}.yaml").read_text())
    shutil.copytree(ROOT / "domains" / name, tmp_path / "domain")  # inside the spec's project root
    spec["domain"] = "domain"
    spec["pipeline"][0].update(max_turns=2, tasks_per_dialogue=1)
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    clear_backends()
    result = CliRunner().invoke(main, ["run", str(tmp_path / "spec.yaml"), "--limit", "1", "--out",
                                       str(tmp_path / "out"), "--no-progress"])
    assert result.exit_code == 0, result.output
    dialogue = json.loads((tmp_path / "out" / "dialogues.jsonl").read_text().splitlines()[0])
    assert dialogue["messages"] and dialogue["termination"]["reason"]
