from sql.fixtures import RETAIL, postgres_url, retail_db, retail_schema, retail_tools  # noqa: F401
