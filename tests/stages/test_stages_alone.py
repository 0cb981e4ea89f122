"""Stages run alone (--stages) from the files of an earlier run, or from files a person
edited (--from); scripted models, real SQL."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from dslgen import api
from dslgen.backends import clear_backends
from dslgen.errors import RunError
from scripted import LIBRARY, SPEC, accepted, dataset, lines, variant


@pytest.fixture(autouse=True)
def fresh_backends():
    clear_backends()
    yield
    clear_backends()


@pytest.fixture
def earlier(tmp_path) -> Path:
    """The output folder of a full run of the scripted spec (2 dialogues, both accepted)."""
    api.run_spec(SPEC, out=tmp_path / "out", progress=False)
    clear_backends()
    return tmp_path / "out"


def _ids(folder: Path, name: str = "dialogues.jsonl") -> list[str]:
    return [r["id"] for r in lines(folder / name)]


def test_validate_runs_alone_from_the_dialogues_of_an_earlier_run(earlier):
    dialogues = (earlier / "dialogues.jsonl").read_bytes()
    before = [r["id"] for r in accepted(earlier)]
    for name in ("validated.jsonl", "rejected.jsonl", "report.json"):
        (earlier / name).unlink()
    result = api.run_spec(SPEC, out=earlier, stages=["validate"], progress=False)
    assert [r.kind for r in result.stages] == ["validate"]
    assert [r["id"] for r in accepted(earlier)] == before and len(before) == 2
    assert (earlier / "report.json").exists()
    assert (earlier / "dialogues.jsonl").read_bytes() == dialogues  # nothing simulated


def test_export_runs_alone(earlier):
    shutil.rmtree(earlier / "openai")
    result = api.run_spec(SPEC, out=earlier, stages=["export"], progress=False)
    assert [r.kind for r in result.stages] == ["export"] and result.kept == 2
    assert [r["id"] for r in dataset(earlier)] == [r["id"] for r in accepted(earlier)]


def test_a_stage_whose_input_is_missing_says_which_stage_makes_it(tmp_path):
    with pytest.raises(RunError, match="stage 'simulate' reads tasks.jsonl, which is not in") as exc:
        api.run_spec(SPEC, out=tmp_path / "empty", stages=["simulate"], progress=False)
    assert "--stages generate_tasks,simulate" in exc.value.hint
    with pytest.raises(RunError, match="the plan has no stage 'return_schemas'"):
        api.run_spec(SPEC, out=tmp_path / "empty", stages=["return_schemas"], progress=False)


def test_a_rubric_edit_revalidates_the_same_dialogues(tmp_path):
    domain = tmp_path / "domain"
    shutil.copytree(LIBRARY, domain)
    spec = variant(tmp_path, domain=domain)
    out = tmp_path / "out"
    api.run_spec(spec, out=out, progress=False)
    dialogues = (out / "dialogues.jsonl").read_bytes()
    assert len(accepted(out)) == 2
    tasks = yaml.safe_load((domain / "tasks.yaml").read_text())
    tasks["tasks"][0]["rubric"]["final_state"][0]["expect"] = "m2"  # now Dune must be lent to m2
    tasks["tasks"][0]["rubric"]["expected_calls"][1]["arguments"]["member_id"] = "m2"  # (else not admitted)
    (domain / "tasks.yaml").write_text(yaml.safe_dump(tasks))
    with pytest.raises(RunError, match="tasks.jsonl is out of date") as exc:
        api.run_spec(spec, out=out, stages=["validate"], progress=False)
    assert "--stages generate_tasks,validate" in exc.value.hint
    api.run_spec(spec, out=out, stages=["generate_tasks", "validate", "export"], progress=False)
    assert (out / "dialogues.jsonl").read_bytes() == dialogues  # the same dialogues, re-checked
    [rejected] = lines(out / "rejected.jsonl")
    assert "final_state" in rejected["validation"]["reasons"] and rejected["id"] == _ids(out)[0]
    assert [r["id"] for r in dataset(out)] == _ids(out)[1:]
    with pytest.raises(RunError, match="tasks.jsonl differ"):  # simulating more would mix two task sets
        api.run_spec(spec, out=out, progress=False)


def test_a_run_from_an_edited_tasks_file(earlier, tmp_path):
    edited = tmp_path / "edited"
    edited.mkdir()
    tasks = lines(earlier / "tasks.jsonl")
    tasks[1]["goal"] = "You want to know which books you have on loan, and you are in a hurry."
    (edited / "tasks.jsonl").write_text("".join(json.dumps(t) + "\n" for t in tasks))
    result = api.run_spec(SPEC, out=tmp_path / "b", from_dir=edited, progress=False)
    assert [r.kind for r in result.stages] == ["simulate", "validate", "export"]  # no generate_tasks
    assert lines(tmp_path / "b" / "tasks.jsonl") == tasks
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["files"]["tasks.jsonl"]["made_by"] == "edited"
    # what is made from an edited file derives its ids from the file's content
    assert _ids(tmp_path / "b") != _ids(earlier)
    unedited = tmp_path / "unedited"
    unedited.mkdir()
    for name in ("tasks.jsonl", "manifest.json"):
        shutil.copyfile(earlier / name, unedited / name)
    clear_backends()
    api.run_spec(SPEC, out=tmp_path / "c", from_dir=unedited, progress=False)
    assert _ids(tmp_path / "c") == _ids(earlier)  # an unedited copy keeps its lineage, and the ids


def test_a_file_edited_in_place_is_never_overwritten(earlier):
    path = earlier / "tasks.jsonl"
    path.write_text(path.read_text().replace("Dune", "Dune Messiah"))
    with pytest.raises(RunError, match="was changed since dslgen wrote it") as exc:
        api.run_spec(SPEC, out=earlier, progress=False)
    assert f"--from {earlier}" in exc.value.hint
    assert "Dune Messiah" in path.read_text()


def test_given_files_never_replace_different_ones_in_the_output_folder(earlier, tmp_path):
    edited = tmp_path / "edited"
    edited.mkdir()
    (edited / "tasks.jsonl").write_text((earlier / "tasks.jsonl").read_text().replace("Dune", "Emma"))
    before = (earlier / "tasks.jsonl").read_bytes()
    with pytest.raises(RunError, match="is there already and differs from"):
        api.run_spec(SPEC, out=earlier, from_dir=edited, progress=False)
    assert (earlier / "tasks.jsonl").read_bytes() == before
