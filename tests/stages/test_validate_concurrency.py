"""The validate stage judges several dialogues at once when the judge is a model server,
and writes the same results, in the same order, as judging them one at a time."""
from __future__ import annotations

import json
import shutil

from dslgen import api
from dslgen.backends import clear_backends
from llm_server import RequestServer
from scripted import variant

N = 12


def _spec(tmp_path, url):
    """The scripted library spec, N dialogues that pass every checked item; the judge on `url`."""
    def change(data):
        for role, turns in (("user", 4), ("agent", 5)):  # the canned turns of the first two dialogues
            data["models"][role]["outputs"] = data["models"][role]["outputs"][:turns] * (N // 2)
        data["models"]["judge"] = {"backend": "openai", "base_url": url, "model": "m", "max_invalid_retries": 1}
        data["pipeline"][0]["dialogues"] = N

    return variant(tmp_path, change)


def _with_checkpoints(folder):
    tasks = [json.loads(line) for line in (folder / "tasks.jsonl").read_text().splitlines()]
    for task in tasks:
        task["rubric"]["checkpoints"] = [{"text": "The agent tells the user what it did."}]
    (folder / "tasks.jsonl").write_text("".join(json.dumps(t) + "\n" for t in tasks))


def test_judge_calls_of_many_dialogues_in_flight_give_the_same_results(tmp_path):
    with RequestServer(latency=0.05) as server:
        spec = _spec(tmp_path, server.url)
        api.run_spec(spec, out=tmp_path / "one", progress=False, stages=["generate_tasks", "simulate"])
        _with_checkpoints(tmp_path / "one")
        shutil.copytree(tmp_path / "one", tmp_path / "many")
        seen = {}
        for name, concurrency in (("one", 1), ("many", 8)):
            clear_backends()
            server.reset()
            api.run_spec(spec, out=tmp_path / name, progress=False, stages=["validate"],
                         from_dir=tmp_path / name, concurrency=concurrency)
            seen[name] = server.stats()
    assert seen["one"]["requests"] == seen["many"]["requests"] >= N  # a verdict per dialogue, or more
    assert seen["one"]["max_in_flight"] == 1 and seen["many"]["max_in_flight"] > 1
    assert (tmp_path / "one" / "validated.jsonl").read_bytes() == (tmp_path / "many" / "validated.jsonl").read_bytes()
