"""How many distinct verified tasks the retail task templates make, and how fast, no model.

Usage: PYTHONPATH=. python bench/task_templates.py [SPEC] [--rounds N]
Times the spec's compile; then making every template's tasks from the seed data and admitting
each one (its calls replayed on a fresh copy, its checks false before and true after), best of
N rounds; then the whole `generate_tasks` stage as `dslgen run SPEC --stages generate_tasks`
runs it (compile, admission, tasks.jsonl, manifest), best of N rounds.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

from dslgen import api
from dslgen.sim.database import open_database
from dslgen.synthesis.task_templates import tasks_from_templates

ROOT = Path(__file__).resolve().parents[1]


def best_of(rounds: int, work) -> tuple[float, object]:
    best, result = None, None
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = work()
        took = time.perf_counter() - t0
        best = took if best is None else min(best, took)
    return best, result


def stage_run(spec: str) -> int:
    """`dslgen run SPEC --stages generate_tasks` into a fresh folder: how many tasks it wrote."""
    with tempfile.TemporaryDirectory() as out:
        api.run_spec(spec, out=out, stages=["generate_tasks"], progress=False)
        return sum(1 for _ in (Path(out) / "tasks.jsonl").open())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("spec", nargs="?", default=str(ROOT / "specs" / "retail-templates.yaml"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    compiled, plan = best_of(1, lambda: api.compile_file(args.spec))
    db = open_database(plan)
    made, result = best_of(args.rounds, lambda: tasks_from_templates(plan.task_templates, plan.tools, db, plan.seed))
    distinct = len({json.dumps(t.model_dump(mode="json", exclude={"id"}), sort_keys=True) for t in result.admitted})
    print(f"compile: {compiled:.2f} s")
    print(f"{len(plan.task_templates)} templates → {result.summary('tasks')}; {distinct} distinct")
    print(f"templates → admitted tasks: {made:.2f} s (best of {args.rounds}), {len(result.admitted) / made:.0f} tasks/s")
    for kind, n in Counter(t.id.rsplit("-", 1)[0] for t in result.admitted).items():
        print(f"  {kind}: {n}")
    staged, written = best_of(args.rounds, lambda: stage_run(args.spec))
    print(f"dslgen run --stages generate_tasks: {written} tasks in tasks.jsonl, {staged:.2f} s (best of {args.rounds})")


if __name__ == "__main__":
    main()
