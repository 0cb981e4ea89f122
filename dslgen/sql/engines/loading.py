"""Filling a fresh master database: schema.sql's declarations, then the seed rows."""
from __future__ import annotations

from dslgen.sql.schema import DbSchema, Table


def load(dbapi, schema: DbSchema, seed: dict[str, list[tuple]], statements: list[str], mark: str) -> None:
    """`dbapi`: a DB-API connection; `statements`: the schema for its engine; `mark`: its
    parameter marker (`?` or `%s`)."""
    cur = dbapi.cursor()
    for statement in statements:
        cur.execute(statement)
    for table in schema.tables:
        if seed.get(table.name):
            cur.executemany(insert_sql(table, mark), seed[table.name])


def insert_sql(table: Table, mark: str) -> str:
    cols = ", ".join(table.column_names)
    return f"INSERT INTO {table.name} ({cols}) VALUES ({', '.join(mark for _ in table.columns)})"
