"""Fixtures shared by tests/sql and tests/domains: the PostgreSQL server and the retail domain."""
from pathlib import Path

import pytest
import yaml

from dslgen.spec.tools import ToolsFile
from dslgen.sql import Database, compile_tool, parse_schema, pg_local

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "domains" / "retail"
MISSING = "PostgreSQL binaries not found: `make test` installs them (scripts/ensure_postgres.sh)"


@pytest.fixture(scope="session")
def postgres_url():
    if pg_local.find_bindir() is None:  # a missing server is a failure, never a skip
        pytest.fail(MISSING)
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
