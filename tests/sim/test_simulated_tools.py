"""Tools with no SQL: a model simulates their outputs from the tool's output schema.

The clinic example has three SQL tools and two simulated ones (an insurer, an SMS gateway).
Scripted models play the user, the agent and the tools; the SQL is real.
"""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from dslgen import api
from dslgen.backends import clear_backends
from dslgen.backends.scripted import ScriptedBackend
from dslgen.sim.database import open_database
from dslgen.sim.dialogue import Dialogue
from dslgen.sim.loop import GREETING, Seeds, SimSetup, simulate
from dslgen.sim.roles import Agent, UserSimulator
from dslgen.sim.tool_simulator import ToolSimulator
from dslgen.spec.model_settings import ModelSpec
from dslgen.plan import SimulateStage

ROOT = Path(__file__).resolve().parents[2]
SCRIPTED = ModelSpec(backend="scripted")
COVERAGE = {"covered": True, "copay_usd": 20, "note": "Routine checkup."}


@pytest.fixture(scope="module")
def clinic_plan():
    return api.compile_file(ROOT / "examples" / "clinic" / "spec.yaml")


def _setup(plan, user_outputs, agent_outputs, tool_outputs, mode="task_oriented"):
    stage = SimulateStage(mode=mode)
    user = UserSimulator(ScriptedBackend(SCRIPTED, "user", user_outputs), plan.prompts["user_system"], [], mode)
    agent = Agent(ScriptedBackend(SCRIPTED, "agent", agent_outputs), plan.tool_signatures())
    tools = ToolSimulator(ScriptedBackend(SCRIPTED, "tools", tool_outputs), plan.prompts["tool_simulator"],
                          plan.domain, plan.policy)
    return SimSetup(plan, stage, mode, user, agent, {t.name for t in plan.tools if t.writes}, tools)


def _dialogue():
    return Dialogue("t", "task_oriented", messages=[{"role": "system", "content": "sys"},
                                                    {"role": "assistant", "content": GREETING}])


def _task(plan, task_id):
    return next(t for t in plan.tasks if t.id == task_id)


def test_a_simulated_tool_compiles_to_its_output_schema_with_no_sql(clinic_plan):
    tool = clinic_plan.tool("check_coverage")
    assert tool.simulated and not tool.statements and not tool.writes
    assert tool.return_schema["required"] == ["covered", "copay_usd"]
    assert clinic_plan.tool("send_reminder").writes  # declared `writes: true`
    shown = {t["name"]: t for t in clinic_plan.to_json()["tools"]}
    assert shown["check_coverage"]["simulated"] is True and "simulated" not in shown["book_slot"]


def test_a_simulated_output_is_validated_shown_to_the_agent_and_leaves_the_database_alone(clinic_plan):
    db = open_database(clinic_plan).fork()
    before = db.digest()
    setup = _setup(clinic_plan, [{"message": "Thanks", "is_task_complete": True}],
                   [{"tool": "check_coverage", "arguments": {"insurer": "Northwind Health", "visit": "checkup"}},
                    {"reply": "It is covered; you pay $20."}],
                   [{"covered": "yes", "copay_usd": 20}, COVERAGE])  # the first is invalid
    d = simulate(setup, _dialogue(), [_task(clinic_plan, "checkup_with_copay")], db, Seeds(1))
    tool_message = next(m for m in d.messages if m["role"] == "tool")
    assert json.loads(tool_message["content"]) == COVERAGE
    assert setup.tools.backend.stats.invalid_outputs == 1  # re-sampled, never returned
    assert [(c.name, c.simulated, c.call_id) for c in d.calls] == [("check_coverage", True, "call_1")]
    assert db.digest() == before


def test_the_tool_model_sees_the_call_and_earlier_outputs_for_consistency(clinic_plan):
    db = open_database(clinic_plan).fork()
    setup = _setup(clinic_plan, [{"message": "Thanks", "is_task_complete": True}],
                   [{"tool": "find_patient", "arguments": {"name": "Ana"}},
                    {"tool": "check_coverage", "arguments": {"insurer": "Northwind Health", "visit": "checkup"}},
                    {"reply": "Covered."}], [COVERAGE])
    simulate(setup, _dialogue(), [_task(clinic_plan, "checkup_with_copay")], db, Seeds(1))
    request = setup.tools.backend.requests[0]
    system, call = request["messages"][0]["content"], request["messages"][1]["content"]
    assert "find_patient" in system and "Northwind Health" in system  # the SQL tool's real output
    assert "usually covered" in system  # the tool's instructions
    assert '"visit": "checkup"' in call
    assert request["schema"] == clinic_plan.tool("check_coverage").return_schema


def test_bad_arguments_to_a_simulated_tool_are_an_error_output_and_no_model_call(clinic_plan):
    backend = ScriptedBackend(SCRIPTED, "tools", [COVERAGE])
    tools = ToolSimulator(backend, clinic_plan.prompts["tool_simulator"], clinic_plan.domain, clinic_plan.policy)
    result = tools.call(clinic_plan.tool("check_coverage"), {"insurer": "X", "visit": "surgery"}, [], seed=1)
    assert result.is_error and "invalid arguments" in result.output
    assert backend.requests == []


def test_the_stop_guard_counts_a_simulated_write(clinic_plan):
    db = open_database(clinic_plan).fork()
    setup = _setup(clinic_plan,
                   [{"message": "OK, bye", "is_task_complete": True},  # too early: no reminder sent
                    {"message": "Please send it, I am p2, slot s1.", "is_task_complete": False},
                    {"message": "Thanks!", "is_task_complete": True}],
                   [{"reply": "Shall I send it?"},
                    {"tool": "send_reminder", "arguments": {"patient_id": "p2", "slot_id": "s1"}},
                    {"reply": "Sent."}],
                   [{"sent": True, "message_id": "sms-0042"}], mode="user_oriented")
    d = simulate(setup, _dialogue(), [_task(clinic_plan, "reminder")], db, Seeds(1))
    assert d.tasks[0].guard_holds == 1 and d.tasks[0].user_completed
    assert d.termination == "user_stop"


def test_a_database_session_refuses_to_execute_a_simulated_tool(clinic_plan):
    db = open_database(clinic_plan).fork()
    result = db.call(clinic_plan.tool("check_coverage"), {"insurer": "X", "visit": "checkup"})
    assert result.is_error and "simulated" in result.output


def test_a_run_records_which_outputs_were_simulated_and_validates_them(tmp_path):
    clear_backends()
    try:
        api.run_spec(ROOT / "tests" / "fixtures" / "scripted" / "clinic.yaml", out=tmp_path, progress=False)
    finally:
        clear_backends()
    [record] = [json.loads(line) for line in (tmp_path / "validated.jsonl").read_text().split("\n") if line]
    assert record["simulated_tool_calls"] == ["call_2"]
    items = {i["item"]: i["passed"] for i in record["validation"]["items"]}
    assert items["every simulated output matches its tool's output schema"]
    assert record["validation"]["valid"], record["validation"]
    tool_outputs = [m["content"] for m in record["messages"] if m["role"] == "tool"]
    jsonschema.validate(json.loads(tool_outputs[1]), {"type": "object", "required": ["copay_usd"],
                                                      "properties": {"copay_usd": {"type": "number"}}})


@pytest.mark.model
def test_the_embedded_model_simulates_outputs_that_match_the_schema(clinic_plan):
    from dslgen.backends import make_backend

    tools = ToolSimulator(make_backend(clinic_plan.models["tools"], "tools"),
                          clinic_plan.prompts["tool_simulator"], clinic_plan.domain, clinic_plan.policy)
    reminder = clinic_plan.tool("send_reminder")
    for seed in range(5):
        result = tools.call(reminder, {"patient_id": "p2", "slot_id": "s1"}, [], seed=seed)
        assert not result.is_error
        jsonschema.validate(json.loads(result.output), reminder.return_schema)  # incl. ^sms-[0-9]{4}$
