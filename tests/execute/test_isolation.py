"""A dialogue is a pure function of (plan, index): the same records, byte for byte, made
one at a time, in another order, or many at once. The model server answers from the whole
request, so a dialogue that saw anything of another (a note, a message, a row) would differ."""
from __future__ import annotations

import json
import random

from dslgen import api
from dslgen.backends import clear_backends
from dslgen.execute import outcomes
from dslgen.execute.local import LocalExecutor
from dslgen.execute.work import DialogueMaker, Job
from dslgen.output.jsonl import dumps
from llm_server import served_spec

N = 16


def _job(tmp_path, url) -> Job:
    plan = api.compile_file(served_spec(tmp_path, url, N), tmp_path / "out")
    simulate = next(s for s in plan.stages if s.kind == "simulate")
    return Job(plan, simulate, tuple(plan.tasks), "digest-of-the-test")


def _one_at_a_time(job: Job, order: list[int]) -> dict[int, bytes]:
    clear_backends()  # fresh role objects and backends, as in another process
    maker = DialogueMaker(job)
    return {i: dumps(maker.make(i).record) for i in order}


def _concurrently(job: Job, order: list[int], concurrency: int) -> dict[int, bytes]:
    clear_backends()
    return {o.index: dumps(o.record) for o in outcomes(LocalExecutor(concurrency), job, order)}


def test_records_do_not_depend_on_order_or_company(tmp_path, server):
    job = _job(tmp_path, server.url)
    forward = _one_at_a_time(job, list(range(N)))
    backward = _one_at_a_time(job, list(reversed(range(N))))
    shuffled = list(range(N))
    random.Random(7).shuffle(shuffled)
    together = _concurrently(job, shuffled, concurrency=8)
    assert forward == backward == together
    # and the test has teeth: dialogues differ, the stop guard left notes, some writes happened
    records = [json.loads(r) for r in forward.values()]
    assert len({json.dumps(r["messages"]) for r in records}) == N
    assert any(r["stats"]["guard_holds"] for r in records)
    assert len({r["provenance"]["state_digest"] for r in records}) > 1

def test_a_concurrent_run_writes_the_same_files_as_a_serial_one(tmp_path, server):
    files = {}
    for concurrency in (1, 8):
        clear_backends()
        spec = served_spec(tmp_path / f"c{concurrency}", server.url, N, concurrency=concurrency)
        api.run_spec(spec, out=tmp_path / f"c{concurrency}" / "out", progress=False)
        out = tmp_path / f"c{concurrency}" / "out"
        files[concurrency] = [(out / name).read_bytes() for name in ("dialogues.jsonl", "validated.jsonl",
                                                                      "rejected.jsonl", "report.json")]
    assert files[1] == files[8]
    assert files[1][0].count(b"\n") == N
