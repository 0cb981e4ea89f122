"""The PostgreSQL server fixture, shared by tests/sql and tests/domains."""
import os

import pytest

from dslgen.sql import pg_local

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
