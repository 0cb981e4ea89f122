"""kill -9 in the middle of a run, then `--resume`: exactly the expected dialogues, no
duplicate, no torn line, and the same dataset, record for record, as a run never stopped."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dslgen import api
from dslgen.backends import clear_backends
from llm_server import RequestServer, served_spec
from scripted import lines

ROOT = Path(__file__).resolve().parents[1]
N = 40
DATA = ("dialogues.jsonl", "validated.jsonl", "rejected.jsonl", "report.json", "stats.json", "openai/train.jsonl")


@pytest.fixture
def server():
    clear_backends()
    with RequestServer(latency=0.03) as s:
        yield s
    clear_backends()


def _dslgen(*args: str) -> subprocess.Popen:
    exe = Path(sys.executable).parent / "dslgen"  # the console script of this environment
    return subprocess.Popen([str(exe), *args, "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)


def _written(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _kill_when(run: subprocess.Popen, path: Path, at_least: int) -> None:
    deadline = time.monotonic() + 120
    while _written(path) < at_least:
        assert run.poll() is None, run.communicate()[1]
        assert time.monotonic() < deadline, "the run wrote too little"
        time.sleep(0.02)
    run.send_signal(signal.SIGKILL)
    run.wait()


def test_a_run_killed_mid_way_resumes_to_the_same_dataset(tmp_path, server):
    spec = served_spec(tmp_path, server.url, N, concurrency=4)
    api.run_spec(spec, out=tmp_path / "whole", progress=False, concurrency=8)  # never stopped

    out = tmp_path / "killed"
    _kill_when(_dslgen("run", str(spec), "--out", str(out)), out / "dialogues.jsonl", at_least=8)
    kept = lines(out / "dialogues.jsonl")
    assert 8 <= len(kept) < N
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stages"]["simulate"]["status"] == "running"
    with (out / "dialogues.jsonl").open("ab") as f:
        f.write(b'{"id": "scripted-library-user_orie')  # as a kill in the middle of a write leaves it

    resumed = _dslgen("run", str(spec), "--out", str(out), "--resume")
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert f"{N - len(kept)} new dialogue(s), {len(kept)} already there" in err

    raw = (out / "dialogues.jsonl").read_bytes()
    assert raw.endswith(b"\n") and raw.count(b"\n") == N  # no torn line left
    records = lines(out / "dialogues.jsonl")
    assert [r["provenance"]["index"] for r in records] == list(range(N))  # each once, in order
    assert {r["id"] for r in kept} <= {r["id"] for r in records}
    for name in DATA:
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stages"]["simulate"]["status"] == "done"
    assert manifest["stages"]["simulate"]["progress"]["done"] == N


def test_resume_finishes_the_shard_the_run_was_started_with(tmp_path, server):
    spec = served_spec(tmp_path, server.url, 12, concurrency=2)
    out = tmp_path / "part"
    _kill_when(_dslgen("run", str(spec), "--out", str(out), "--shard", "2/3"), out / "dialogues.jsonl", 1)
    resumed = _dslgen("run", str(spec), "--out", str(out), "--resume")
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert [r["provenance"]["index"] for r in lines(out / "dialogues.jsonl")] == [1, 4, 7, 10]


def test_resume_with_no_run_in_the_folder_says_so(tmp_path, server):
    spec = served_spec(tmp_path, server.url, 2)
    run = _dslgen("run", str(spec), "--out", str(tmp_path / "empty"), "--resume")
    _, err = run.communicate(timeout=120)
    assert run.returncode == 3 and "holds no run to resume" in err and "Traceback" not in err
