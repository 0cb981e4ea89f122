"""The command line: exit codes, messages, no tracebacks for user mistakes."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from dslgen.backends import clear_backends
from dslgen.cli import main

ROOT = Path(__file__).resolve().parents[1]
RETAIL = str(ROOT / "specs" / "retail.yaml")
SCRIPTED = str(ROOT / "tests" / "fixtures" / "scripted" / "spec.yaml")


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_check_clean_specs_exits_0():
    result = invoke("check", RETAIL, str(ROOT / "examples" / "minimal" / "spec.yaml"))
    assert result.exit_code == 0, result.output


def test_check_reports_every_problem_with_position_caret_and_hint(tmp_path):
    spec = tmp_path / "specs" / "retail.yaml"
    spec.parent.mkdir()
    shutil.copytree(ROOT / "domains" / "retail", tmp_path / "domains" / "retail")
    (tmp_path / "dslgen.toml").touch()  # the project root, so ../domains is inside it
    spec.write_text(Path(RETAIL).read_text()
                    .replace("seed: 0", "seeed: 0").replace("max_turns: 6", "max_turns: six"))
    result = invoke("check", str(spec))
    assert result.exit_code == 1
    assert "error[DSL100]: unknown field 'seeed'" in result.output
    assert "hint: did you mean 'seed'?" in result.output
    assert "max_turns" in result.output and "^" in result.output
    assert "Traceback" not in result.output


def test_compile_prints_the_plan():
    result = invoke("compile", RETAIL)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    stages = {s["stage"]: s for s in plan["stages"]}
    assert list(stages) == ["generate_tasks", "return_schemas", "simulate", "validate", "export"]
    assert (stages["simulate"]["inputs"], stages["simulate"]["outputs"]) == (["tasks.jsonl"], ["dialogues.jsonl"])
    assert stages["validate"]["outputs"] == ["validated.jsonl", "rejected.jsonl", "report.json", "stats.json"]
    assert stages["export"]["inputs"] == ["validated.jsonl"]
    assert stages["export"]["outputs"] == ["openai/", "hf/", "sharegpt/", "README.md", "export.json",
                                           "LICENSE-tau-bench"]
    seed = plan["domain"]["seed_data"]
    assert seed["rows"]["users"] > 0 and len(seed["digest"]) == 64 and "seed" in seed["location"]
    assert "MIT" in plan["domain"]["notices"]["LICENSE-tau-bench"] and "CREATE TABLE" in plan["domain"]["schema"]
    assert set(plan["templates"]) >= {"agent_system", "user_system", "judge"} and plan["domain"]["policy"]
    tool = next(t for t in plan["tools"] if t["name"] == "cancel_pending_order")
    assert tool["parameters"]["properties"]["reason"]["enum"] == ["no longer needed", "ordered by mistake"]
    assert tool["writes"] is True and tool["return_schema"]["type"] == "object"
    assert "UPDATE" in json.dumps(tool).upper()
    assert all("api_key" not in m for m in plan["models"].values())


def test_schema_validates_the_shipped_specs(tmp_path):
    result = invoke("schema", "-o", str(tmp_path / "schema.json"))
    assert result.exit_code == 0
    schema = json.loads((tmp_path / "schema.json").read_text())
    for spec in (RETAIL, SCRIPTED, str(ROOT / "examples" / "minimal" / "spec.yaml")):
        jsonschema.validate(yaml.safe_load(Path(spec).read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"dslgen": 1, "name": "x", "domain": "d", "pipeline": [{"stage": "nope"}]}, schema)


def test_run_with_scripted_models(tmp_path):
    clear_backends()
    result = invoke("run", SCRIPTED, "--out", str(tmp_path), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "2 new dialogue(s)" in result.output and (tmp_path / "openai" / "train.jsonl").exists()


def test_an_edited_run_folder_is_one_line_exit_3_for_every_command(tmp_path):
    clear_backends()
    assert invoke("run", SCRIPTED, "--out", str(tmp_path), "--no-progress").exit_code == 0
    with (tmp_path / "validated.jsonl").open("a") as f:
        f.write('{"id": "hand-made"}\n')
    with (tmp_path / "dialogues.jsonl").open("a") as f:
        f.write('["not", "a", "record"]\n')
    for command in (["export", str(tmp_path), "-o", str(tmp_path / "again")], ["report", str(tmp_path)]):
        result = invoke(*command)
        assert result.exit_code == 3 and "Traceback" not in result.output, (command, result.output)
        assert "validated.jsonl:3: not a dslgen record" in result.output and "edited or damaged" in result.output
    (tmp_path / "validated.jsonl").unlink()  # the run makes it again, after reading dialogues.jsonl
    clear_backends()
    result = invoke("run", SCRIPTED, "--out", str(tmp_path), "--no-progress")
    assert result.exit_code == 3 and "dialogues.jsonl:3: not a JSON object" in result.output


def test_run_rejects_a_bad_limit():
    result = invoke("run", SCRIPTED, "--limit", "0")
    assert result.exit_code == 2 and "--limit" in result.output


def test_run_error_exits_3_without_traceback(tmp_path):
    data = yaml.safe_load(Path(SCRIPTED).read_text())
    shutil.copytree(ROOT / "examples" / "minimal" / "domain", tmp_path / "domain")  # inside the spec's project
    data["domain"] = "domain"
    data["models"]["agent"] = {"backend": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m",
                               "max_retries": 0, "timeout_s": 2}
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(data))
    clear_backends()
    result = invoke("run", str(spec), "--out", str(tmp_path / "out"), "--no-progress")
    assert result.exit_code == 3
    assert "127.0.0.1:9" in result.output and "Traceback" not in result.output


def test_schema_for_tools_and_tasks_validates_the_retail_domain(tmp_path):
    for kind in ("tools", "tasks"):
        result = invoke("schema", "--for", kind, "-o", str(tmp_path / f"{kind}.json"))
        assert result.exit_code == 0, result.output
        schema = json.loads((tmp_path / f"{kind}.json").read_text())
        jsonschema.validate(yaml.safe_load((ROOT / "domains" / "retail" / f"{kind}.yaml").read_text()), schema)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({kind: [{"nme": "x"}]}, schema)


def test_explain_prints_a_code_and_lists_them_all():
    result = invoke("explain", "dsl303")
    assert result.exit_code == 0 and result.output.startswith("DSL303: unknown persona")
    assert "Example:" in result.output
    listing = invoke("explain")
    assert listing.exit_code == 0 and "DSL114  file outside the project root" in listing.output
    unknown = invoke("explain", "DSL999")
    assert unknown.exit_code == 2 and "no diagnostic code" in unknown.output


def test_an_unexpected_exception_is_one_line_exit_70(monkeypatch):
    def broken(path):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("dslgen.api.check_spec", broken)
    result = invoke("check", RETAIL)
    assert result.exit_code == 70
    assert result.output.startswith("internal error: ZeroDivisionError: division by zero")
    assert "--debug" in result.output and "Traceback" not in result.output
    assert isinstance(invoke("--debug", "check", RETAIL).exception, ZeroDivisionError)


def test_ctrl_c_is_one_line_exit_130(monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("dslgen.api.run_spec", interrupted)
    result = invoke("run", SCRIPTED, "--no-progress")
    assert result.exit_code == 130
    assert result.output.startswith("interrupted:") and "Traceback" not in result.output


def test_an_os_error_is_a_run_error_not_a_bug(monkeypatch):
    def unwritable(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/out/dialogues.jsonl")

    monkeypatch.setattr("dslgen.api.run_spec", unwritable)
    result = invoke("run", SCRIPTED, "--no-progress")
    assert result.exit_code == 3 and result.output.strip() == "error: Permission denied: /out/dialogues.jsonl"
