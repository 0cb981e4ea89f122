"""Authoring costs: mapping the τ-bench retail JSON documents to rows (parse_seed, with the
same checks as seed files) and `dslgen init --from-db` on the test school database.

Usage: python bench/authoring.py        (prints one line per figure; best of 3 runs)
"""
from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

from dslgen.authoring.init import init_project
from dslgen.sql import parse_schema
from dslgen.sql.seed import parse_seed

ROOT = Path(__file__).resolve().parents[1]
TAU = ROOT / "tests" / "data" / "tau-bench-retail"


def best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def tau_mapping() -> None:
    schema = parse_schema((ROOT / "domains" / "retail" / "schema.sql").read_text())
    files = {name: (TAU / name).read_text() for name in ("mapping.yaml", "users.json", "orders.json",
                                                         "products.json")}
    parsed = parse_seed(files, schema)
    assert not parsed.problems and len(parsed.rows["orders"]) == 1000


def retail_jsonl() -> None:
    """The same rows from the shipped seed/*.jsonl files: the baseline for the mapping."""
    seed = ROOT / "domains" / "retail" / "seed"
    schema = parse_schema((ROOT / "domains" / "retail" / "schema.sql").read_text())
    parsed = parse_seed({p.name: p.read_text() for p in sorted(seed.glob("*.jsonl"))}, schema)
    assert not parsed.problems and len(parsed.rows["orders"]) == 1000


def school_init() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "school.db"
        with sqlite3.connect(db) as conn:
            conn.executescript((ROOT / "tests" / "data" / "school" / "school.sql").read_text())
        conn.close()
        init_project(Path(tmp) / "project", f"sqlite:///{db}")


if __name__ == "__main__":
    print(f"tau-bench retail documents → 12 tables through mapping.yaml: {best_of(3, tau_mapping) * 1000:.0f} ms")
    print(f"the same rows from the retail seed/*.jsonl files (baseline): {best_of(3, retail_jsonl) * 1000:.0f} ms")
    print(f"dslgen init --from-db on the school database (7 tables, 208 seed rows): "
          f"{best_of(3, school_init) * 1000:.0f} ms")
