"""--shard i/n splits the dialogues between machines; `dslgen merge` joins the folders into
exactly what one machine running the whole writes."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dslgen import api
from dslgen.backends import clear_backends
from dslgen.cli import main
from dslgen.errors import RunError
from dslgen.execute.shard import Shard
from llm_server import RequestServer, served_spec
from scripted import lines

N = 11
SAME = ("dialogues.jsonl", "validated.jsonl", "rejected.jsonl", "report.json", "stats.json", "tasks.jsonl",
        "openai/train.jsonl", "export.json")


@pytest.fixture
def server():
    clear_backends()
    with RequestServer() as s:
        yield s
    clear_backends()


def _run(spec, out, **kw):
    clear_backends()
    return api.run_spec(spec, out=out, progress=False, **kw)


def test_two_shards_merged_equal_one_run(tmp_path, server):
    spec = served_spec(tmp_path, server.url, N)
    _run(spec, tmp_path / "whole")
    _run(spec, tmp_path / "a", shard="1/2", concurrency=3)
    _run(spec, tmp_path / "b", shard="2/2")
    assert [r["provenance"]["index"] for r in lines(tmp_path / "a" / "dialogues.jsonl")] == [0, 2, 4, 6, 8, 10]
    assert [r["provenance"]["index"] for r in lines(tmp_path / "b" / "dialogues.jsonl")] == [1, 3, 5, 7, 9]

    result = CliRunner().invoke(main, ["merge", str(tmp_path / "b"), str(tmp_path / "a"),
                                       "--out", str(tmp_path / "merged")])
    assert result.exit_code == 0, result.output
    for name in SAME:
        assert (tmp_path / "merged" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    manifest = json.loads((tmp_path / "merged" / "manifest.json").read_text())
    whole = json.loads((tmp_path / "whole" / "manifest.json").read_text())
    assert {k: v["digest"] for k, v in manifest["stages"].items()} == {k: v["digest"] for k, v in whole["stages"].items()}
    # the merged folder is a run folder like any other: a rerun there has nothing left to do
    again = _run(spec, tmp_path / "merged")
    assert (again.new, again.skipped) == (0, N)


def test_merge_refuses_what_is_not_the_shards_of_one_run(tmp_path, server):
    spec = served_spec(tmp_path, server.url, 4)
    _run(spec, tmp_path / "a", shard="1/2", stages=["generate_tasks", "simulate"])
    with pytest.raises(RunError, match="not the shards 1..n of one run"):
        api.merge_shards([tmp_path / "a"], tmp_path / "m1")
    other = served_spec(tmp_path / "other", server.url, 4, max_steps=2)
    _run(other, tmp_path / "b", shard="2/2", stages=["generate_tasks", "simulate"])
    with pytest.raises(RunError, match="stage 'simulate' was made from other inputs.*settings"):
        api.merge_shards([tmp_path / "a", tmp_path / "b"], tmp_path / "m2")
    _run(spec, tmp_path / "c", shard="2/2", stages=["generate_tasks", "simulate"])
    (tmp_path / "m3").mkdir()
    (tmp_path / "m3" / "keep.txt").write_text("mine")
    with pytest.raises(RunError, match="is not empty"):
        api.merge_shards([tmp_path / "a", tmp_path / "c"], tmp_path / "m3")
    merged = api.merge_shards([tmp_path / "a", tmp_path / "c"], tmp_path / "m4")
    assert "4 record(s)" in merged.summary()


def test_shard_arguments():
    assert list(Shard.parse("3/4").indices(10)) == [2, 6]
    for bad in ("0/2", "3/2", "1", "a/b", "1/0"):
        with pytest.raises(RunError, match="is not i/n"):
            Shard.parse(bad)


def test_scripted_models_cannot_be_sharded(tmp_path):
    from scripted import SPEC

    with pytest.raises(RunError, match="one sequence for the whole run"):
        _run(SPEC, tmp_path / "out", shard="1/2")
