"""The synthesis stages in a run: generate_tasks from several sources, expand_tools and
predicted return schemas, with scripted generators and real SQL; every proposal ends in the
stage's output or in its rejected file, with a reason, and both are in the manifest."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from dslgen import api
from dslgen.backends import clear_backends
from dslgen.cli import main
from dslgen.errors import RunError, SpecError
from dslgen.spec.tools import ToolsFile
from scripted import ROOT, lines, variant

CLINIC = ROOT / "examples" / "clinic"


@pytest.fixture(autouse=True)
def fresh_backends():
    clear_backends()
    yield
    clear_backends()


def generator(outputs: list) -> dict:
    return {"backend": "scripted", "max_invalid_retries": 0, "outputs": outputs}


def _task(goal, calls, checks):
    return {"difficulty": "easy", "goal": goal, "known": [], "unknown": [], "checkpoints": [],
            "expected_calls": [{"tool": t, "arguments": a} for t, a in calls],
            "final_state": [{"sql": s, "expect": e} for s, e in checks]}


LEND_ULYSSES = _task("You want to borrow Ulysses as member m2.", [("borrow_book", {"member_id": "m2", "book_id": "b3"})],
                     [("SELECT on_loan_to FROM books WHERE book_id = 'b3'", "m2")])
LEND_EMMA = _task("You want Emma.", [("borrow_book", {"member_id": "m1", "book_id": "b2"})],  # Emma is out
                  [("SELECT on_loan_to FROM books WHERE book_id = 'b2'", "m1")])


def _generated_tasks(data):
    data["models"]["generator"] = generator([LEND_ULYSSES, LEND_EMMA])
    data["pipeline"].insert(0, {"stage": "generate_tasks", "source": ["hand_written", "generated"],
                                "generated": {"proposals": 2, "rows_per_table": 1}})


def test_generate_tasks_takes_several_sources_and_keeps_every_rejection(tmp_path):
    spec = variant(tmp_path, _generated_tasks)
    result = api.run_spec(spec, out=tmp_path / "out", stages=["generate_tasks"], progress=False)
    out = tmp_path / "out"
    tasks = lines(out / "tasks.jsonl")
    assert [t["id"] for t in tasks][:2] == ["borrow_dune", "my_loans"]  # hand-written first
    [made] = tasks[2:]
    assert made["goal"] == LEND_ULYSSES["goal"] and made["id"].startswith("generated-")
    [rejected] = lines(out / "tasks.rejected.jsonl")
    assert (rejected["source"], rejected["reason"]) == ("generated", "call_failed")
    assert "book not available" in rejected["detail"]
    counts = result.result("generate_tasks").counts
    assert counts["tasks"] == 3 and counts["rejected_by_reason"] == {"call_failed": 1}
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"tasks.jsonl", "tasks.rejected.jsonl"} <= set(manifest["files"])


def _scripted_retail(tmp_path: Path, name: str) -> Path:
    """A shipped retail spec with scripted user and agent (the embedded model is slow for a
    test) and no judge, in a copy of its project (specs/, domains/retail, dslgen.toml), so its
    relative paths hold and stay inside the project root."""
    shutil.copytree(ROOT / "domains" / "retail", tmp_path / "domains" / "retail", dirs_exist_ok=True)
    (tmp_path / "specs").mkdir(exist_ok=True)
    (tmp_path / "dslgen.toml").touch()
    data = yaml.safe_load((ROOT / "specs" / name).read_text())
    for stage in data["pipeline"]:
        if stage["stage"] == "validate":
            stage["judge"] = False
    data["models"] = {
        "user": {"backend": "scripted", "outputs": [{"message": "Hello, I need help with an order.",
                                                     "is_task_complete": False},
                                                    {"message": "Thanks!", "is_task_complete": True}] * 10},
        "agent": {"backend": "scripted", "outputs": [{"reply": "Could you give me your email?"}] * 20}}
    path = tmp_path / "specs" / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def _ran_to_the_end(result, out: Path, dialogues: int) -> list[dict]:
    assert [r.kind for r in result.stages] == ["generate_tasks", "simulate", "validate", "export"]
    tasks = {t["id"]: t for t in lines(out / "tasks.jsonl")}
    played = [t for d in lines(out / "dialogues.jsonl") for t in d["task"]]
    assert len(played) == dialogues and all(tasks[t["id"]] == t for t in played)
    assert len(lines(out / "validated.jsonl")) == dialogues and (out / "README.md").exists()
    return list(tasks.values())


def test_the_templates_spec_makes_hundreds_of_verified_tasks_and_runs(tmp_path):
    spec = _scripted_retail(tmp_path, "retail-templates.yaml")
    result = api.run_spec(spec, out=tmp_path / "out", limit=2, progress=False)
    tasks = _ran_to_the_end(result, tmp_path / "out", 2)
    assert len(tasks) >= 200 and lines(tmp_path / "out" / "tasks.rejected.jsonl") == []
    assert len({json.dumps({**t, "id": None}, sort_keys=True) for t in tasks}) == len(tasks)


def test_the_tau_spec_runs_the_imported_tasks(tmp_path):
    spec = _scripted_retail(tmp_path, "retail-tau.yaml")
    result = api.run_spec(spec, out=tmp_path / "out", limit=2, progress=False)
    tasks = _ran_to_the_end(result, tmp_path / "out", 2)
    assert len(tasks) >= 0.95 * 520 and all(t["id"].startswith("tau-retail-") for t in tasks)


def test_a_source_with_nothing_to_read_is_a_spec_error(tmp_path):
    spec = variant(tmp_path, lambda d: d["pipeline"].insert(0, {"stage": "generate_tasks", "source": "templates"}))
    with pytest.raises(SpecError) as exc:
        api.compile_file(spec)
    assert [d.code for d in exc.value.diagnostics] == ["DSL312"]


OK_TOOL = {"name": "books_by_author", "description": "Books of an author.", "sql":
           "SELECT book_id, title FROM books WHERE author = :author ORDER BY book_id",
           "parameters": [{"name": "author", "type": "string", "description": "The author."}]}
BAD_TOOL = {**OK_TOOL, "name": "books_by_writer", "sql": "SELECT book_id FROM books WHERE writer = :author"}


def test_expand_tools_writes_a_fragment_to_review_and_the_rejected_proposals(tmp_path):
    def expand(data):
        data["models"]["generator"] = generator([OK_TOOL, BAD_TOOL])
        data["pipeline"].insert(0, {"stage": "expand_tools", "proposals": 2})
    api.run_spec(variant(tmp_path, expand), out=tmp_path / "out", stages=["expand_tools"], progress=False)
    fragment = (tmp_path / "out" / "proposed_tools.yaml").read_text()
    assert fragment.startswith("# Tools proposed by the generator model for the domain domain")
    assert [t.name for t in ToolsFile.model_validate(yaml.safe_load(fragment)).tools] == ["books_by_author"]
    [rejected] = lines(tmp_path / "out" / "proposed_tools.rejected.jsonl")
    assert rejected["reason"] == "diagnostics" and "DSL401" in rejected["detail"]


def _clinic_without_coverage_schema(tmp_path: Path, pipeline_has_stage: bool) -> Path:
    domain = tmp_path / "domain"
    shutil.copytree(CLINIC / "domain", domain)
    tools = yaml.safe_load((domain / "tools.yaml").read_text())
    coverage = next(t for t in tools["tools"] if t["name"] == "check_coverage")
    del coverage["simulated"]["output_schema"]
    (domain / "tools.yaml").write_text(yaml.safe_dump(tools, sort_keys=False))
    data = yaml.safe_load((CLINIC / "spec.yaml").read_text())
    data["domain"] = str(domain)
    data.setdefault("models", {})["generator"] = generator(
        [{"fields": [{"name": "patient_id", "type": "integer", "description": ""}]},
         {"fields": [{"name": "covered", "type": "boolean", "description": ""},
                     {"name": "copay_usd", "type": "number", "description": "What the patient pays."}]}])
    if pipeline_has_stage:
        data["pipeline"].insert(0, {"stage": "return_schemas"})
    else:
        data["pipeline"] = [s for s in data["pipeline"] if s["stage"] != "return_schemas"]
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return tmp_path / "spec.yaml"


def test_a_simulated_tool_without_a_schema_gets_a_predicted_one(tmp_path):
    spec = _clinic_without_coverage_schema(tmp_path, pipeline_has_stage=True)
    plan = api.compile_file(spec, tmp_path / "out")
    assert plan.tool("check_coverage").return_schema is None
    assert all("return_schemas.json" in s.inputs for s in plan.stages if s.kind in ("simulate", "validate"))
    api.run_spec(spec, out=tmp_path / "out", stages=["return_schemas"], progress=False)
    schemas = json.loads((tmp_path / "out" / "return_schemas.json").read_text())
    assert schemas["check_coverage"]["origin"] == "predicted by the generator"
    assert schemas["check_coverage"]["schema"]["properties"]["copay_usd"] == {"type": "number",
                                                                               "description": "What the patient pays."}
    [rejected] = lines(tmp_path / "out" / "return_schemas.rejected.jsonl")
    assert rejected["reason"] == "entity_type"  # patient_id is a string in the other tools


def test_a_simulated_tool_without_a_schema_needs_the_stage(tmp_path):
    spec = _clinic_without_coverage_schema(tmp_path, pipeline_has_stage=False)
    with pytest.raises(SpecError) as exc:
        api.compile_file(spec)
    assert [d.code for d in exc.value.diagnostics] == ["DSL309"]


def _full_run_of_generated_tasks(data):
    _generated_tasks(data)
    data["pipeline"][1]["dialogues"] = 3
    data["models"]["user"]["outputs"] += [{"message": "Thanks!", "is_task_complete": True}] * 20
    data["models"]["agent"]["outputs"] += [{"reply": "Done."}] * 20


def test_simulate_runs_on_the_admitted_tasks_only(tmp_path):
    result = api.run_spec(variant(tmp_path, _full_run_of_generated_tasks), out=tmp_path / "out", progress=False)
    out = tmp_path / "out"
    assert [r.kind for r in result.stages] == ["generate_tasks", "simulate", "validate", "export"]
    admitted = {t["id"]: t for t in lines(out / "tasks.jsonl")}
    [rejected] = lines(out / "tasks.rejected.jsonl")
    dialogues = lines(out / "dialogues.jsonl")
    played = [t for d in dialogues for t in d["task"]]
    assert len(dialogues) == 3 and all(admitted[t["id"]] == t for t in played)
    assert rejected["proposal"]["goal"] not in {t["goal"] for t in played}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]["dialogues.jsonl"]["made_by"] == "simulate"


def test_a_run_from_edited_generated_tasks(tmp_path):
    spec = variant(tmp_path, _full_run_of_generated_tasks)
    api.run_spec(spec, out=tmp_path / "a", stages=["generate_tasks"], progress=False)
    edited = tmp_path / "edited"
    edited.mkdir()
    [task] = [t for t in lines(tmp_path / "a" / "tasks.jsonl") if t["id"].startswith("generated-")]
    task["goal"] = "You want Ulysses, and you are in a hurry."
    (edited / "tasks.jsonl").write_text(json.dumps(task) + "\n")  # only the generated task is kept
    clear_backends()
    result = api.run_spec(spec, out=tmp_path / "b", from_dir=edited, progress=False)
    assert [r.kind for r in result.stages] == ["simulate", "validate", "export"]
    assert {t["goal"] for d in lines(tmp_path / "b" / "dialogues.jsonl") for t in d["task"]} == {task["goal"]}
    assert not (tmp_path / "b" / "tasks.rejected.jsonl").exists()  # a report, not an input: not asked for


def test_the_cli_runs_generate_tasks_alone(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(ROOT / "specs" / "retail-templates.yaml"), "--out", str(out),
                                       "--stages", "generate_tasks"])
    assert result.exit_code == 0, result.output
    assert "generate_tasks: templates: " in result.output and "tasks admitted" in result.output
    assert {p.name for p in out.iterdir()} - {".dslgen.lock"} == {"manifest.json", "tasks.jsonl", "tasks.rejected.jsonl"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert list(manifest["stages"]) == ["generate_tasks"]


def test_when_every_task_is_rejected_simulate_says_where_they_went(tmp_path):
    def only_emma(data):
        data["models"]["generator"] = generator([LEND_EMMA])
        data["pipeline"].insert(0, {"stage": "generate_tasks", "source": "generated", "generated": {"proposals": 1}})
    with pytest.raises(RunError, match="every proposed task was rejected, see .*tasks.rejected.jsonl"):
        api.run_spec(variant(tmp_path, only_emma), out=tmp_path / "out", progress=False)
    assert lines(tmp_path / "out" / "tasks.rejected.jsonl")[0]["reason"] == "call_failed"
