"""The retail tools reproduce τ-bench's outputs on all 520 reference episodes, on both engines."""
from pathlib import Path

import pytest

from dslgen import api
from dslgen.replay import read_episodes, replay_all
from dslgen.sim.database import open_database

ROOT = Path(__file__).resolve().parents[2]
EPISODES = ROOT / "tests" / "data" / "tau-bench-retail" / "replay_train.jsonl"
MIN_RATE = 1.0


@pytest.fixture(scope="module")
def plan():
    return api.compile_file(ROOT / "specs" / "retail.yaml")


def _conformance(plan, engine: str, url: str | None = None):
    tools = {t.name: t for t in plan.tools}
    db = open_database(plan, engine, url)
    summary = replay_all(tools, db, read_episodes(EPISODES))
    print(f"\n{engine}: {summary.matched}/{summary.compared} outputs match "
          f"({summary.match_rate:.2%}), {summary.episodes} episodes in {summary.seconds:.1f}s")
    for m in summary.mismatches:
        print(f"  {m.episode} step {m.step} {m.tool}\n    expected: {m.expected[:300]}\n    got:      {m.got[:300]}")
    assert summary.episodes == 520
    assert summary.compared == 2020
    assert summary.match_rate >= MIN_RATE


def test_conformance_sqlite(plan):
    _conformance(plan, "sqlite")


@pytest.mark.postgres
def test_conformance_postgresql(plan, postgres_url):
    _conformance(plan, "postgresql", postgres_url)


@pytest.mark.postgres
def test_final_states_have_the_same_digest_on_both_engines(plan, postgres_url):
    """Every 13th episode (40, gift-card refunds and item swaps among them), reference steps only."""
    tools = {t.name: t for t in plan.tools}
    dbs = [open_database(plan, "sqlite"), open_database(plan, "postgresql", postgres_url)]
    for ep in list(read_episodes(EPISODES))[::13]:
        calls = [(tools[s["tool"]], s["arguments"]) for s in ep["steps"] if not s.get("probe")]
        digests = []
        for db in dbs:
            with db.fork() as session:
                session.apply_calls(calls)
                digests.append(session.digest())
        assert digests[0] == digests[1], ep["id"]
