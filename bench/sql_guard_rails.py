"""Cost of SQLite's guard rails: the 520 τ-bench retail episodes replayed with the
authorizer every connection gets, then with an allow-all authorizer, in one process (so
both run under the same load). Usage: PYTHONPATH=. .venv/bin/python bench/sql_guard_rails.py
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from dslgen import api
from dslgen.replay import read_episodes, replay_all
from dslgen.sql import Database
from dslgen.sql.engines import sqlite as engine

ROOT = Path(__file__).resolve().parents[1]


def best_of(plan, tools, episodes, rounds: int = 3) -> tuple[float, str]:
    db = Database.from_domain(plan.domain_path)
    runs = [replay_all(tools, db, episodes) for _ in range(rounds)]
    best = min(runs, key=lambda r: r.seconds)
    return best.seconds, f"{best.matched}/{best.compared}"


def main() -> None:
    plan = api.compile_file(ROOT / "specs" / "retail.yaml")
    tools = {t.name: t for t in plan.tools}
    episodes = list(read_episodes(ROOT / "tests" / "data" / "tau-bench-retail" / "replay_train.jsonl"))
    on, match = best_of(plan, tools, episodes)
    engine._authorizer = lambda allow_ddl: (lambda *args: sqlite3.SQLITE_OK)
    engine._FORKS = engine._memory_engine(engine.NullPool, allow_ddl=False)
    off, _ = best_of(plan, tools, episodes)
    print(f"520 episodes, best of 3: authorizer on {on:.2f} s, off {off:.2f} s "
          f"({(on / off - 1) * 100:+.1f}%), outputs matching {match}")


if __name__ == "__main__":
    main()
