"""One connection per dialogue, the same small interface on SQLite and PostgreSQL.

A call runs in one transaction (SQLite: a savepoint): committed when the tool succeeds,
rolled back when a guard or a statement fails, so a tool's writes are all or nothing. Read
tools run with writes forbidden by the engine itself (SQLite `query_only`, PostgreSQL
`BEGIN READ ONLY`).
"""
from __future__ import annotations

import sqlite3
import uuid
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
    """A fork is a private schema holding unlogged copies of the master's tables, first on
    the connection's search_path (~20 ms for retail). Unlike one never-committed transaction
    per dialogue, concurrent forks never wait on each other's row locks."""

    engine = "postgresql"

    def __init__(self, conn: Any, schema: str | None = None):
        self.conn, self.schema = conn, schema

    @classmethod
    def connect(cls, url: str) -> "PostgresConn":
        import psycopg

        return cls(psycopg.connect(url, autocommit=True))

    @classmethod
    def fork(cls, url: str, tables: list[tuple[str, tuple[str, ...]]]) -> "PostgresConn":
        """A new connection working on a fresh copy of the `public` tables ((name, primary key))."""
        name = f"fork_{uuid.uuid4().hex[:16]}"
        conn = cls.connect(url)
        script = ["BEGIN", f"CREATE SCHEMA {name}"]
        for table, pk in tables:
            # the key is built after the bulk copy: ~40% cheaper than copying into an indexed table
            script += [f"CREATE UNLOGGED TABLE {name}.{table} "
                       f"(LIKE public.{table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
                       f"INSERT INTO {name}.{table} SELECT * FROM public.{table}"]
            if pk:
                script.append(f"ALTER TABLE {name}.{table} ADD PRIMARY KEY ({', '.join(pk)})")
        script += ["COMMIT", f"SET search_path TO {name}"]
        conn.conn.execute(";".join(script).encode())  # one round trip, no parameters
        conn.schema = name
        return conn

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
        self.conn.execute("BEGIN READ ONLY" if read_only else "BEGIN")

    def end(self, commit: bool, read_only: bool) -> None:
        self.conn.execute("COMMIT" if commit and not read_only else "ROLLBACK")

    def close(self) -> None:
        if self.schema is not None:
            self.conn.execute(f"DROP SCHEMA {self.schema} CASCADE")
        self.conn.close()
