"""Fixtures shared by tests/sql and tests/domains: the PostgreSQL server and the retail domain."""
import os
from pathlib import Path

import pytest
import yaml

from dslgen.spec.tools import ToolsFile
from dslgen.sql import Database, compile_tool, parse_schema, pg_local

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "domains" / "retail"
SKIP_REASON = ("PostgreSQL binaries not found (scripts/ensure_postgres.sh installs postgresql-15); "
               "set DSLGEN_REQUIRE_PG=1 to fail instead of skipping")


@pytest.fixture(scope="session")
def postgres_url():
    if pg_local.find_bindir() is None:
        if os.environ.get("DSLGEN_REQUIRE_PG"):
            pytest.fail("DSLGEN_REQUIRE_PG is set but the PostgreSQL binaries are missing")
        pytest.skip(SKIP_REASON)
    server = pg_local.acquire()
    yield server.url
    pg_local.release()


@pytest.fixture(scope="session")
def retail_schema():
    return parse_schema((RETAIL / "schema.sql").read_text())


@pytest.fixture(scope="session")
def retail_tools(retail_schema):
    spec = ToolsFile.model_validate(yaml.safe_load((RETAIL / "tools.yaml").read_text()))
    return {t.name: compile_tool(t, retail_schema) for t in spec.tools}


@pytest.fixture(scope="session")
def retail_db():
    return Database.from_domain(RETAIL)
