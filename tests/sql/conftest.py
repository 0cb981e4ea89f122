from sql.fixtures import postgres_url, retail_db, retail_schema, retail_tools  # noqa: F401 — shared fixtures
