"""Every task of the league, clinic booking and school domains, and of the project `dslgen
init` writes with no source (examples/spec-repo, tested to be that), played through `dslgen run`
with scripted models: the agent makes the task's expected calls, answers, and the user says
the task is done. Each dialogue must pass validation (expected calls, final state) and
reach the exported training file, so each domain is shown to run end to end, not only to
compile."""
from __future__ import annotations

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
from scripted import dataset, lines

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "examples" / "spec-repo"
# name → (spec, domain folder)
DOMAINS = {name: (ROOT / "specs" / f"{name}.yaml", ROOT / "domains" / name)
           for name in ("league", "clinic_booking", "school")}
DOMAINS["helpdesk"] = (STARTER / "specs" / "helpdesk.yaml", STARTER / "domains" / "helpdesk")


def _tasks(name: str) -> list[dict]:
    return yaml.safe_load((DOMAINS[name][1] / "tasks.yaml").read_text())["tasks"]


CASES = [(name, task["id"]) for name in DOMAINS for task in _tasks(name)]


@pytest.fixture(scope="module")
def seeds() -> dict:
    """Per domain: its plan and its seed rows (for arguments a rubric leaves open)."""
    out = {}
    for name in DOMAINS:
        plan = api.compile_file(DOMAINS[name][0])
        with open_database(plan).fork() as s:
            out[name] = plan, s.dump()
    return out


def scripted_spec(folder: Path, name: str, task: dict, agent_turn: list[dict]) -> Path:
    """The shipped spec on a copy of its domain that holds only `task`, with canned models."""
    spec_path, shipped = DOMAINS[name]
    domain = folder / "domain"
    shutil.copytree(shipped, domain)
    (domain / "tasks.yaml").write_text(yaml.safe_dump({"tasks": [task]}, allow_unicode=True))
    spec = yaml.safe_load(spec_path.read_text())
    spec["domain"] = str(domain)
    spec["models"] = {
        "default": {"backend": "scripted"},
        "agent": {"backend": "scripted", "outputs": agent_turn},
        "user": {"backend": "scripted", "outputs": [{"message": "That is all, thanks.", "is_task_complete": True}]},
    }
    spec["pipeline"] = [
        {"stage": "simulate", "mode": "task_oriented", "dialogues": 1, "max_turns": 2,
         "max_steps": len(agent_turn) + 1},
        {"stage": "validate", "keep": "valid", "judge": False},
        {"stage": "export", "format": "openai"},
    ]
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True))
    return path


@pytest.mark.parametrize("name,task_id", CASES)
def test_a_scripted_dialogue_solves_the_task_and_is_exported(name, task_id, seeds, tmp_path):
    plan, seed = seeds[name]
    task = next(t for t in _tasks(name) if t["id"] == task_id)
    agent_turn = []
    for expected in task["rubric"].get("expected_calls", []):
        tool = plan.tool(expected["tool"])
        arguments = {**seed_arguments(tool.parameters_schema, [s.sql for s in tool.statements], seed),
                     **expected.get("arguments", {})}
        agent_turn.append({"tool": expected["tool"], "arguments": arguments})
    agent_turn.append({"reply": "Done: that is taken care of."})
    spec = scripted_spec(tmp_path, name, task, agent_turn)
    clear_backends()
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(tmp_path / "out"), "--no-progress"])
    assert result.exit_code == 0, result.output
    [record] = lines(tmp_path / "out" / "validated.jsonl")
    assert record["validation"]["valid"], record["validation"]
    assert [c["name"] for c in record["run"]["calls"]] == [c["tool"] for c in agent_turn[:-1]]
    assert not any(c["is_error"] for c in record["run"]["calls"]), record["run"]["calls"]
    [row] = dataset(tmp_path / "out")
    assert row["messages"][-1] == {"role": "assistant", "content": "Done: that is taken care of."}
