"""--executor ray: the same plan's dialogues as calls on Ray actors, on a local Ray instance
(one CPU, a small object store), against a model server on loopback: the same files as the
local executor writes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import ray

from dslgen import api
from dslgen.backends import clear_backends
from llm_server import served_spec
from scripted import lines

N = 6
FILES = ("dialogues.jsonl", "validated.jsonl", "report.json", "openai/train.jsonl")


def test_the_cli_starts_ray_on_this_machine_and_stops_it(tmp_path, server):
    """No Ray running: `dslgen run --executor ray` starts a small local instance, runs the
    dialogues on its actors, writes them in order and shuts it down."""
    spec = served_spec(tmp_path, server.url, 3)
    exe = Path(sys.executable).parent / "dslgen"
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    run = subprocess.run([str(exe), "run", str(spec), "--out", str(tmp_path / "out"), "--executor", "ray",
                          "--concurrency", "2", "--log-format", "json"],
                         capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in run.stderr.splitlines() if line.startswith("{")]
    assert [e["done"] for e in events if e["event"] == "dialogue"] == [1, 2, 3]
    summary = next(e for e in events if e["event"] == "summary")
    assert summary["stages"]["simulate"]["new"] == 3
    assert [r["provenance"]["index"] for r in lines(tmp_path / "out" / "dialogues.jsonl")] == [0, 1, 2]


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=1, object_store_memory=80 << 20, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_actors_make_the_same_dialogues_as_local_threads(tmp_path, server, local_ray):
    spec = served_spec(tmp_path, server.url, N)
    api.run_spec(spec, out=tmp_path / "local", progress=False, concurrency=3)
    clear_backends()
    result = api.run_spec(spec, out=tmp_path / "ray", progress=False, concurrency=3, executor="ray")
    assert "3 in flight (ray)" in result.summary()
    for name in FILES:
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    assert ray.is_initialized()  # a Ray instance the caller started is left running
