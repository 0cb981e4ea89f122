"""The runner end to end with scripted models and real SQL: files, resume, filtering."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from dslgen import api
from dslgen.backends import clear_backends
from dslgen.errors import RunError
from sql.fixtures import postgres_url  # noqa: F401 — the PostgreSQL server fixture

SPEC = Path(__file__).parent / "fixtures" / "scripted" / "spec.yaml"


@pytest.fixture(autouse=True)
def fresh_backends():
    clear_backends()  # scripted backends hold their remaining canned outputs
    yield
    clear_backends()


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_run_writes_dialogues_dataset_and_stats(tmp_path):
    result = api.run_spec(SPEC, out=tmp_path, progress=False)
    records = _lines(tmp_path / "dialogues.jsonl")
    assert [r["termination"]["reason"] for r in records] == ["user_stop", "user_stop"]
    assert all(r["validation"]["valid"] for r in records)
    first = records[0]
    assert first["id"].startswith("scripted-library-user_oriented-00000-")
    assert {t["function"]["name"] for t in first["tools"]} == {"find_book", "get_member", "borrow_book"}
    assert first["provenance"]["state_digest"] != records[1]["provenance"]["state_digest"]
    tools = {t["function"]["name"]: t["function"]["parameters"] for t in first["tools"]}
    for r in records:
        for m in r["messages"]:
            for call in m.get("tool_calls") or []:
                jsonschema.validate(json.loads(call["function"]["arguments"]), tools[call["function"]["name"]])
    assert len(_lines(tmp_path / "dataset.jsonl")) == 2 and result.kept == 2
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


def api_records(folder: Path) -> list[dict]:
    from dslgen.export.openai import read_jsonl

    return read_jsonl(folder / "dialogues.jsonl")


def test_invalid_dialogues_stay_in_the_log_but_not_in_the_dataset(tmp_path):
    def wrong_book(data):  # the agent lends the wrong book: the rubric's critical write is not matched
        data["models"]["agent"]["outputs"][1]["arguments"]["book_id"] = "b3"

    api.run_spec(_variant(tmp_path, wrong_book), out=tmp_path / "out", limit=1, progress=False)
    records = api_records(tmp_path / "out")
    assert records[0]["validation"]["valid"] is False
    assert records[0]["stats"]["guard_holds"] >= 1  # the user was not allowed to stop early
    failed = [i for i in records[0]["validation"]["items"] if not i["passed"]]
    assert any(i["category"] == "critical" and "borrow_book" in i["item"] for i in failed)
    kept = [r["id"] for r in records if r["validation"]["valid"]]
    assert [r["id"] for r in _lines(tmp_path / "out" / "dataset.jsonl")] == kept


def _variant(tmp_path: Path, change) -> Path:
    """A copy of the scripted spec with `change` applied to its data."""
    data = yaml.safe_load(SPEC.read_text())
    data["domain"] = str(Path(__file__).parents[1] / "examples" / "minimal" / "domain")
    change(data)
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


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
    assert all(r["validation"]["valid"] for r in pg)
    assert {r["provenance"]["database"] for r in pg} == {"postgresql"}
    assert postgres_url not in (tmp_path / "pg" / "out" / "dialogues.jsonl").read_text()


def test_a_postgresql_server_that_is_down_stops_the_run_with_a_clear_error(tmp_path):
    def server_down(data):
        data["database"] = {"engine": "postgresql", "url": "postgresql://me@127.0.0.1:9/none"}

    with pytest.raises(RunError, match="cannot use the PostgreSQL server at"):
        api.run_spec(_variant(tmp_path, server_down), out=tmp_path / "out", progress=False)
