from sql.fixtures import postgres_url  # noqa: F401 — shared fixture
