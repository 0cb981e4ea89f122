"""The runner end to end with scripted models and real SQL: files, resume, filtering."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from dslgen import api
from dslgen.backends import clear_backends
from dslgen.errors import RunError
from dslgen.output.jsonl import iter_jsonl
from scripted import LIBRARY, SPEC, accepted, dataset, lines, variant
from sql.fixtures import postgres_url  # noqa: F401 — the PostgreSQL server fixture


@pytest.fixture(autouse=True)
def fresh_backends():
    clear_backends()  # scripted backends hold their remaining canned outputs
    yield
    clear_backends()


_lines = lines


def test_run_writes_dialogues_dataset_and_stats(tmp_path):
    result = api.run_spec(SPEC, out=tmp_path, progress=False)
    records = _lines(tmp_path / "dialogues.jsonl")
    assert [r["termination"]["reason"] for r in records] == ["user_stop", "user_stop"]
    kept = accepted(tmp_path)
    assert [r["id"] for r in kept] == [r["id"] for r in records] and _lines(tmp_path / "rejected.jsonl") == []
    assert all(r["validation"]["reasons"] == [] for r in kept)
    first = records[0]
    assert first["id"].startswith("scripted-library-user_oriented-00000-")
    assert {t["function"]["name"] for t in first["tools"]} == {"find_book", "get_member", "borrow_book"}
    assert first["provenance"]["state_digest"] != records[1]["provenance"]["state_digest"]
    tools = {t["function"]["name"]: t["function"]["parameters"] for t in first["tools"]}
    for r in records:
        for m in r["messages"]:
            for call in m.get("tool_calls") or []:
                jsonschema.validate(json.loads(call["function"]["arguments"]), tools[call["function"]["name"]])
    assert len(dataset(tmp_path)) == 2 and result.kept == 2
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["user_oriented"]["dialogues"] == 2
    assert stats["user_oriented"]["steps"]["max"] == 2  # find_book + borrow_book in one turn
    assert "user_oriented" in result.table()


def test_a_rerun_skips_dialogues_already_written_and_survives_a_torn_line(tmp_path):
    api.run_spec(SPEC, out=tmp_path, limit=1, progress=False)
    with (tmp_path / "dialogues.jsonl").open("a") as f:
        f.write('{"id": "torn')  # a run killed mid-write
    clear_backends()
    result = api.run_spec(SPEC, out=tmp_path, progress=False)
    assert (result.new, result.skipped) == (1, 1)
    ids = [r["id"] for r in api_records(tmp_path)]
    assert len(ids) == 2 and len(set(ids)) == 2


def api_records(folder: Path, name: str = "dialogues.jsonl") -> list[dict]:
    return list(iter_jsonl(folder / name))


def test_invalid_dialogues_stay_in_the_log_but_not_in_the_dataset(tmp_path):
    def wrong_book(data):  # the agent lends the wrong book: the rubric's critical write is not matched
        data["models"]["agent"]["outputs"][1]["arguments"]["book_id"] = "b3"

    api.run_spec(_variant(tmp_path, wrong_book), out=tmp_path / "out", limit=1, progress=False)
    records = api_records(tmp_path / "out")
    [rejected] = api_records(tmp_path / "out", "rejected.jsonl")
    assert rejected["id"] == records[0]["id"] and rejected["validation"]["valid"] is False
    assert "critical_failed:expected_call:borrow_book" in rejected["validation"]["reasons"]
    assert records[0]["stats"]["guard_holds"] >= 1  # the user was not allowed to stop early
    failed = [i for i in rejected["validation"]["items"] if not i["passed"]]
    assert any(i["category"] == "critical" and "borrow_book" in i["item"] for i in failed)
    kept = [r["id"] for r in accepted(tmp_path / "out")]
    assert [r["id"] for r in dataset(tmp_path / "out")] == kept == []


def _variant(tmp_path: Path, change) -> Path:
    return variant(tmp_path, change)


def test_a_model_server_that_is_down_stops_the_run_with_a_clear_error(tmp_path):
    def server_down(data):
        data["models"]["user"] = {"backend": "openai", "base_url": "http://127.0.0.1:9/v1",
                                  "model": "x", "max_retries": 0, "timeout_s": 2}

    with pytest.raises(RunError, match="127.0.0.1:9"):
        api.run_spec(_variant(tmp_path, server_down), out=tmp_path / "out", progress=False)
    assert not (tmp_path / "out" / "dialogues.jsonl").exists()


@pytest.mark.postgres
def test_a_run_on_postgresql_gives_the_same_dialogues_and_states_as_on_sqlite(tmp_path, postgres_url, monkeypatch):
    monkeypatch.setenv("DSLGEN_TEST_PG_URL", postgres_url)

    def on_postgres(data):
        data["database"] = {"engine": "postgresql", "url": "${DSLGEN_TEST_PG_URL}"}

    api.run_spec(_variant(tmp_path / "lite", lambda data: None), out=tmp_path / "lite" / "out", progress=False)
    clear_backends()
    api.run_spec(_variant(tmp_path / "pg", on_postgres), out=tmp_path / "pg" / "out", progress=False)
    lite, pg = api_records(tmp_path / "lite" / "out"), api_records(tmp_path / "pg" / "out")
    assert [r["messages"] for r in pg] == [r["messages"] for r in lite]
    assert [r["provenance"]["state_digest"] for r in pg] == [r["provenance"]["state_digest"] for r in lite]
    assert len(accepted(tmp_path / "pg" / "out")) == len(pg) == 2
    assert {r["provenance"]["database"] for r in pg} == {"postgresql"}
    assert postgres_url not in (tmp_path / "pg" / "out" / "dialogues.jsonl").read_text()


def test_a_postgresql_server_that_is_down_stops_the_run_with_a_clear_error(tmp_path):
    def server_down(data):
        data["database"] = {"engine": "postgresql", "url": "postgresql://me@127.0.0.1:9/none"}

    with pytest.raises(RunError, match="cannot use the PostgreSQL server at"):
        api.run_spec(_variant(tmp_path, server_down), out=tmp_path / "out", progress=False)


def _domain_copy(tmp_path: Path) -> Path:
    domain = tmp_path / "domain"
    shutil.copytree(LIBRARY, domain)
    return domain


def _ids(folder: Path) -> list[str]:
    return [r["id"] for r in lines(folder / "dialogues.jsonl")]


def test_every_declared_stage_leaves_its_files_and_a_manifest(tmp_path):
    result = api.run_spec(SPEC, out=tmp_path, progress=False)
    for name in ("tasks.jsonl", "dialogues.jsonl", "validated.jsonl", "rejected.jsonl", "report.json",
                 "stats.json", "openai/train.jsonl", "README.md", "export.json", "manifest.json"):
        assert (tmp_path / name).exists(), name
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["spec"] == "scripted-library"
    assert list(manifest["stages"]) == ["generate_tasks", "simulate", "validate", "export"]
    assert all(s["status"] == "done" for s in manifest["stages"].values())
    simulate = manifest["stages"]["simulate"]
    assert {"policy", "seed_data", "schema", "templates", "models", "settings", "tasks.jsonl"} <= set(simulate["parts"])
    assert manifest["files"]["tasks.jsonl"]["digest"] == simulate["parts"]["tasks.jsonl"]
    assert all(r["provenance"]["stage_digest"] == simulate["digest"] for r in lines(tmp_path / "dialogues.jsonl"))
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["generated"] == report["accepted"] + report["rejected"] == 2
    assert report["difficulty"]["accepted"] == {"medium": 2}
    assert report["tool_usage"]["borrow_book"] == {"calls": 1, "errors": 0, "in_accepted": 1}
    assert "validate: 2 dialogue(s): 2 accepted, 0 rejected" in result.summary()


def test_editing_the_policy_changes_the_dialogue_ids_and_is_refused_in_the_same_folder(tmp_path):
    domain = _domain_copy(tmp_path)
    spec = variant(tmp_path, domain=domain)
    api.run_spec(spec, out=tmp_path / "a", limit=1, progress=False)
    clear_backends()
    api.run_spec(spec, out=tmp_path / "again", limit=1, progress=False)
    assert _ids(tmp_path / "again") == _ids(tmp_path / "a")  # same inputs, same ids
    (domain / "policy.md").write_text("Members may borrow two books at most.\n")
    clear_backends()
    api.run_spec(spec, out=tmp_path / "b", limit=1, progress=False)
    [old], [new] = _ids(tmp_path / "a"), _ids(tmp_path / "b")
    assert old != new and old.rsplit("-", 1)[0] == new.rsplit("-", 1)[0]  # same index, new digest
    clear_backends()
    with pytest.raises(RunError, match="made from other inputs than this run's: policy differ") as exc:
        api.run_spec(spec, out=tmp_path / "a", progress=False)
    assert "--out" in exc.value.hint
    assert _ids(tmp_path / "a") == [old]  # nothing was mixed in


def test_a_seed_row_edit_is_refused_in_the_same_folder(tmp_path):
    domain = _domain_copy(tmp_path)
    spec = variant(tmp_path, domain=domain)
    api.run_spec(spec, out=tmp_path / "out", limit=1, progress=False)
    books = domain / "seed" / "books.jsonl"
    books.write_text(books.read_text().replace("Dune", "Dune Messiah"))
    clear_backends()
    # tasks.jsonl too: the tasks were admitted by running them on the seed data
    with pytest.raises(RunError, match="seed_data, tasks.jsonl differ"):
        api.run_spec(spec, out=tmp_path / "out", progress=False)


def test_a_second_spec_into_the_same_folder_is_refused(tmp_path):
    api.run_spec(SPEC, out=tmp_path / "out", limit=1, progress=False)
    other = variant(tmp_path, lambda data: data.update(name="another-spec"))
    with pytest.raises(RunError, match="holds the output of spec 'scripted-library', not 'another-spec'"):
        api.run_spec(other, out=tmp_path / "out", progress=False)
    assert {r["provenance"]["spec"] for r in lines(tmp_path / "out" / "dialogues.jsonl")} == {"scripted-library"}


def test_more_dialogues_extend_a_run_with_the_same_ids(tmp_path):
    api.run_spec(SPEC, out=tmp_path, limit=1, progress=False)
    first = _ids(tmp_path)
    clear_backends()
    result = api.run_spec(SPEC, out=tmp_path, progress=False)
    assert (result.new, result.skipped) == (1, 1) and _ids(tmp_path)[:1] == first
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["generated"] == 2 and report["accepted"] + report["rejected"] == 2
