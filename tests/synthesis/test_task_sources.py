"""The task sources of a generate_tasks stage, as `dslgen check` sees them: each has something
to read, and an imported tasks file is read (and checked) when the spec is loaded, so the plan
carries its tasks and no stage reads a file of the domain."""
from pathlib import Path

import yaml

from dslgen import api
from dslgen.runner import run_plan
from scripted import lines, variant


def _codes(spec: Path) -> list[tuple[str, str, int]]:
    return [(d.code, Path(d.span.file).name, d.span.line) for d in api.check_spec(spec)]


def _importing(files: list[str]):
    def change(data):
        data["pipeline"].insert(0, {"stage": "generate_tasks", "source": "imported", "imported": files})
    return change


def test_a_missing_imported_file_is_reported_at_its_line(tmp_path):
    spec = variant(tmp_path, _importing(["nowhere.yaml"]))
    [(code, file, line)] = _codes(spec)
    assert (code, file) == ("DSL110", "spec.yaml")
    assert "nowhere.yaml" in spec.read_text().splitlines()[line - 1]


def test_an_imported_task_is_checked_in_its_own_file(tmp_path):
    task = {"id": "t1", "goal": "Borrow Dune.", "rubric": {"expected_calls": [{"tool": "borrow_book"}]}}
    (tmp_path / "imported.yaml").write_text(yaml.safe_dump({"tasks": [task, {"id": "t2"}]}, sort_keys=False))
    assert _codes(variant(tmp_path, _importing(["imported.yaml"]))) == [("DSL101", "imported.yaml", 7)]


BORROW = {"id": "t1", "goal": "You want to borrow Dune as member m1.",
          "rubric": {"expected_calls": [{"tool": "borrow_book", "arguments": {"member_id": "m1", "book_id": "b1"}}]}}
UNKNOWN = {"id": "t2", "goal": "You want a coffee.", "rubric": {"expected_calls": [{"tool": "brew_coffee"}]}}


def test_imported_tasks_travel_in_the_plan_and_face_the_oracle(tmp_path):
    (tmp_path / "imported.yaml").write_text(yaml.safe_dump({"tasks": [BORROW, UNKNOWN]}))
    plan = api.compile_file(variant(tmp_path, _importing(["imported.yaml"])), tmp_path / "out")
    [(file, carried)] = plan.imported_tasks
    assert file == "imported.yaml" and [t.id for t in carried] == ["t1", "t2"]
    (tmp_path / "imported.yaml").unlink()  # the stage reads the plan, not the file
    run_plan(plan, stages=["generate_tasks"], progress=False)
    assert [t["id"] for t in lines(tmp_path / "out" / "tasks.jsonl")] == ["t1"]
    [rejected] = lines(tmp_path / "out" / "tasks.rejected.jsonl")
    assert (rejected["source"], rejected["name"], rejected["reason"]) == ("imported", "t2", "unknown_tool")


def test_the_imported_source_needs_its_files(tmp_path):
    spec = variant(tmp_path, lambda d: d["pipeline"].insert(0, {"stage": "generate_tasks", "source": "imported"}))
    [diagnostic] = api.check_spec(spec)
    assert "imported" in diagnostic.message


def test_a_task_id_taken_by_an_earlier_source_is_rejected(tmp_path):
    again = {**BORROW, "id": "borrow_dune", "goal": "You want Dune, as member m1."}  # a hand-written id
    (tmp_path / "imported.yaml").write_text(yaml.safe_dump({"tasks": [again]}))

    def both(data):
        data["pipeline"].insert(0, {"stage": "generate_tasks", "source": ["hand_written", "imported"],
                                    "imported": ["imported.yaml"]})
    result = api.run_spec(variant(tmp_path, both), out=tmp_path / "out", stages=["generate_tasks"], progress=False)
    assert [t["id"] for t in lines(tmp_path / "out" / "tasks.jsonl")] == ["borrow_dune", "my_loans"]
    [rejected] = lines(tmp_path / "out" / "tasks.rejected.jsonl")
    assert (rejected["source"], rejected["reason"]) == ("imported", "duplicate")
    assert result.result("generate_tasks").lines[1] == (
        "generate_tasks: imported: 0 of 1 tasks admitted; rejected: duplicate 1 (the same task (or tool name) "
        "was already admitted)")
