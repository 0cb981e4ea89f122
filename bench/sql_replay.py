"""Replay throughput and per-dialogue copy cost of the SQL tools, on SQLite and PostgreSQL.

Usage: python bench/sql_replay.py [EPISODES.jsonl] [--rounds N] [--engines sqlite,postgresql]
PostgreSQL runs on a throwaway local server (dslgen.sql.pg_local), skipped if absent.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from dslgen import api
from dslgen.replay import read_episodes, replay_all
from dslgen.sim.database import open_database
from dslgen.sql import Database, pg_local

ROOT = Path(__file__).resolve().parents[1]
EPISODES = ROOT / "tests" / "data" / "tau-bench-retail" / "replay_train.jsonl"


def fork_cost(db: Database, n: int) -> tuple[float, float]:
    """Median milliseconds to make a fresh copy, and to make one and throw it away."""
    make, total = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        s = db.fork()
        t1 = time.perf_counter()
        s.close()
        make.append((t1 - t0) * 1e3)
        total.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(make), statistics.median(total)


def bench_engine(plan, engine: str, url: str | None, episodes: list[dict], rounds: int) -> dict:
    tools = {t.name: t for t in plan.tools}
    t0 = time.perf_counter()
    db = open_database(plan, engine, url)
    master = time.perf_counter() - t0
    runs = [replay_all(tools, db, episodes) for _ in range(rounds)]
    best = min(runs, key=lambda r: r.seconds)
    make, total = fork_cost(db, 50 if engine == "sqlite" else 20)
    return {"engine": engine, "master_s": master, "episodes": best.episodes, "steps": best.steps,
            "seconds": best.seconds, "eps_per_s": best.episodes / best.seconds,
            "steps_per_s": best.steps / best.seconds, "match": f"{best.matched}/{best.compared}",
            "fork_ms": make, "fork_close_ms": total}


def report(row: dict) -> str:
    return (f"{row['engine']:<11} master {row['master_s']:.2f} s | {row['episodes']} episodes, {row['steps']} steps "
            f"in {row['seconds']:.2f} s = {row['eps_per_s']:.0f} episodes/s, {row['steps_per_s']:.0f} calls/s "
            f"| match {row['match']} | fresh copy {row['fork_ms']:.2f} ms (+close {row['fork_close_ms']:.2f} ms)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("episodes", nargs="?", default=str(EPISODES))
    ap.add_argument("--rounds", type=int, default=3, help="replays per engine; the best is reported")
    ap.add_argument("--engines", default="sqlite,postgresql")
    args = ap.parse_args()
    plan = api.compile_file(ROOT / "specs" / "retail.yaml")
    episodes = list(read_episodes(args.episodes))
    for engine in args.engines.split(","):
        if engine == "postgresql":
            if pg_local.find_bindir() is None:
                print("postgresql: binaries not found, skipped (scripts/ensure_postgres.sh)")
                continue
            with pg_local.LocalPostgres() as server:
                print(report(bench_engine(plan, engine, server.url, episodes, args.rounds)))
        else:
            print(report(bench_engine(plan, engine, None, episodes, args.rounds)))


if __name__ == "__main__":
    main()
