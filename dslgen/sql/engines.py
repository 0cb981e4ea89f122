"""One connection per dialogue, the same small interface on SQLite and PostgreSQL.

A call runs inside a savepoint: released when the tool succeeds, rolled back when a guard
or a statement fails, so a tool's writes are all or nothing. Read tools run with writes
forbidden by the engine itself (SQLite `query_only`, PostgreSQL `transaction_read_only`).
"""
from __future__ import annotations

import sqlite3
from typing import Any


class SqliteConn:
    engine = "sqlite"

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    @classmethod
    def memory(cls) -> "SqliteConn":
        return cls(sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False))

    def copy(self) -> "SqliteConn":
        """A private in-memory copy (SQLite's online backup API, page by page in C)."""
        other = SqliteConn.memory()
        self.conn.backup(other.conn)
        return other

    def rows(self, sql: str, params: dict) -> list[dict]:
        cur = self.conn.execute(sql, params)
        if cur.description is None:
            return []
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def run_script(self, statements: list[str]) -> None:
        for s in statements:
            self.conn.execute(s)

    def insert_many(self, sql: str, rows: list[tuple]) -> None:
        self.conn.executemany(sql, rows)

    def begin(self, read_only: bool) -> None:
        self.conn.execute("SAVEPOINT dslgen_call")
        if read_only:
            self.conn.execute("PRAGMA query_only = ON")

    def end(self, commit: bool, read_only: bool) -> None:
        if read_only:
            self.conn.execute("PRAGMA query_only = OFF")
        if not commit:
            self.conn.execute("ROLLBACK TO dslgen_call")
        self.conn.execute("RELEASE dslgen_call")

    def close(self) -> None:
        self.conn.close()


class PostgresConn:
    """A connection whose whole life is one open transaction that is never committed:
    a fork sees the seeded master database and its own changes, nobody else's."""

    engine = "postgresql"

    def __init__(self, conn: Any):
        self.conn = conn

    @classmethod
    def connect(cls, url: str, autocommit: bool = False) -> "PostgresConn":
        import psycopg

        return cls(psycopg.connect(url, autocommit=autocommit))

    def rows(self, sql: str, params: dict) -> list[dict]:
        with self.conn.cursor() as cur:
            cur.execute(sql, params or None)
            if cur.description is None:
                return []
            names = [d.name for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def run_script(self, statements: list[str]) -> None:
        with self.conn.cursor() as cur:
            for s in statements:
                cur.execute(s)

    def insert_many(self, sql: str, rows: list[tuple]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(sql, rows)

    def begin(self, read_only: bool) -> None:
        self.conn.execute("SAVEPOINT dslgen_call")
        if read_only:
            # reverted by the ROLLBACK TO below, so the dialogue's transaction stays writable
            self.conn.execute("SET LOCAL transaction_read_only = on")

    def end(self, commit: bool, read_only: bool) -> None:
        if read_only or not commit:
            self.conn.execute("ROLLBACK TO SAVEPOINT dslgen_call")
        self.conn.execute("RELEASE SAVEPOINT dslgen_call")

    def close(self) -> None:
        self.conn.rollback()
        self.conn.close()
