"""How many distinct verified tasks the retail task templates make, and how fast, no model.

Usage: PYTHONPATH=. python bench/task_templates.py [SPEC] [--rounds N]
Times the spec's compile, then making every template's tasks from the seed data and
admitting each one (its calls replayed on a fresh copy, its checks false before and true
after); best of N rounds.
"""
from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from dslgen import api
from dslgen.spec import loader
from dslgen.sim.database import open_database
from dslgen.synthesis.task_templates import tasks_from_templates

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("spec", nargs="?", default=str(ROOT / "specs" / "retail.yaml"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    t0 = time.perf_counter()
    plan = api.compile_file(args.spec)
    templates = loader.from_file(args.spec).spec.domain.task_templates
    compiled = time.perf_counter() - t0
    db = open_database(plan)
    best, result = None, None
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        result = tasks_from_templates(templates, plan.tools, db, plan.seed)
        took = time.perf_counter() - t0
        best = took if best is None else min(best, took)
    distinct = len({t.model_dump_json(exclude={"id"}) for t in result.admitted})
    print(f"compile: {compiled:.2f} s")
    print(f"{len(templates)} templates → {result.summary('tasks')}; {distinct} distinct")
    print(f"templates → admitted tasks: {best:.2f} s (best of {args.rounds}), "
          f"{len(result.admitted) / best:.0f} tasks/s")
    for kind, n in Counter(t.id.rsplit("-", 1)[0] for t in result.admitted).items():
        print(f"  {kind}: {n}")


if __name__ == "__main__":
    main()
