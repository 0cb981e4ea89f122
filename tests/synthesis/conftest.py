"""The retail domain, compiled, and its seed database: what every synthesis test runs on."""
from pathlib import Path

import pytest

from dslgen import api
from dslgen.sim.database import open_database

ROOT = Path(__file__).resolve().parents[2]
RETAIL_SPEC = ROOT / "specs" / "retail.yaml"
EPISODES = ROOT / "tests" / "data" / "tau-bench-retail" / "replay_train.jsonl"


@pytest.fixture(scope="session")
def retail_plan():
    return api.compile_file(RETAIL_SPEC)


@pytest.fixture(scope="session")
def seed_db(retail_plan):
    return open_database(retail_plan)
