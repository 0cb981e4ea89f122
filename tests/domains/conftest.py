from sql.pg import postgres_url  # noqa: F401 — the shared PostgreSQL server fixture
