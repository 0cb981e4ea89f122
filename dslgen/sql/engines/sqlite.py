"""SQLite: the reference dialect. The master is an in-memory database; a fork is a private
in-memory copy made with SQLite's online backup API (page by page, in C).

Every connection comes from a SQLAlchemy engine whose `connect` event installs an
authorizer: no ATTACH/DETACH, no PRAGMA but our own `query_only`, no virtual tables, no
extension loading or file functions, and (once the schema is loaded) no DDL.
"""
from __future__ import annotations

import sqlite3
import threading

import sqlglot
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.pool import NullPool, StaticPool
from sqlglot import exp
from sqlglot.dialects.sqlite import SQLite

from dslgen.sql.engines.loading import load
from dslgen.sql.params import ListTable
from dslgen.sql.types import kind

NAME = "sqlite"
_CASTS = {"integer": "INTEGER", "number": "REAL", "decimal": "NUMERIC"}
_FILE_FUNCTIONS = frozenset({"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer", "zipfile",
                             "lsdir", "sqlar_compress", "sqlar_uncompress"})
_ALWAYS_DENIED = frozenset({sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH, sqlite3.SQLITE_CREATE_VTABLE,
                            sqlite3.SQLITE_DROP_VTABLE})
_DDL = frozenset(getattr(sqlite3, name) for name in dir(sqlite3)
                 if name.startswith(("SQLITE_CREATE_", "SQLITE_DROP_"))) | {
    sqlite3.SQLITE_ALTER_TABLE, sqlite3.SQLITE_REINDEX, sqlite3.SQLITE_ANALYZE}


class SQLiteReference(SQLite):
    """SQLite as written: NUMERIC and DECIMAL keep their names (sqlglot would write REAL,
    which changes how SQLite stores and returns the numbers)."""

    class Generator(SQLite.Generator):
        TYPE_MAPPING = {**SQLite.Generator.TYPE_MAPPING, exp.DataType.Type.DECIMAL: "NUMERIC"}


# --- SQL text ------------------------------------------------------------------------------

def render(tree: exp.Expression, types: dict[str, str]) -> str:
    return tree.sql(dialect=SQLiteReference)


def list_body(table: ListTable) -> exp.Expression:
    cols = []
    for name, schema in table.columns:
        if name == "pos":
            cols.append("CAST(key AS INTEGER) AS pos")
            continue
        value = f"json_extract(value, '$.{name}')" if table.objects else "value"
        cast = _CASTS.get(kind(schema) or "")
        cols.append(f"CAST({value} AS {cast}) AS {name}" if cast else f"{value} AS {name}")
    return sqlglot.parse_one(f"SELECT {', '.join(cols)} FROM json_each(:{table.name})", read="sqlite")


def schema_statements(statements) -> list[str]:
    """schema.sql's statements as written: SQLite reads its own dialect."""
    return [st.text for st in statements]


# --- connections ---------------------------------------------------------------------------

def _authorizer(allow_ddl: bool):
    def authorize(action: int, arg1, arg2, _db, _trigger) -> int:
        denied = (action in _ALWAYS_DENIED
                  or (action == sqlite3.SQLITE_PRAGMA and arg1 != "query_only")
                  or (action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _FILE_FUNCTIONS)
                  or (not allow_ddl and action in _DDL))
        return sqlite3.SQLITE_DENY if denied else sqlite3.SQLITE_OK
    return authorize


def _memory_engine(pool, allow_ddl: bool):
    engine = create_engine("sqlite://", poolclass=pool, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", lambda conn, _record: conn.set_authorizer(_authorizer(allow_ddl)))
    return engine


_FORKS = _memory_engine(NullPool, allow_ddl=False)  # each connection: a new, empty, private database


class Conn:
    """One dialogue's connection; a call runs in a savepoint, read-only calls with `query_only`."""

    engine = NAME

    def __init__(self, dbapi: sqlite3.Connection, close=None):
        self.conn, self._close = dbapi, close or dbapi.close
        self.conn.isolation_level = None  # we issue SAVEPOINT / RELEASE ourselves

    def rows(self, sql: str, params: dict) -> list[dict]:
        cur = self.conn.execute(sql, params)
        if cur.description is None:
            return []
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

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
        self._close()


class Master:
    """The seeded in-memory master; `url` is not used (SQLite needs no server)."""

    def __init__(self, schema, seed: dict[str, list[tuple]], statements: list[str], url: str | None = None,
                 name: str = "domain"):
        self._lock = threading.Lock()
        loader = _memory_engine(StaticPool, allow_ddl=True)
        self._raw = loader.raw_connection()
        self._raw.driver_connection.isolation_level = None  # autocommit: the load is complete when done
        load(self._raw.driver_connection, schema, seed, statements, "?")
        self.tables = inspect(loader).get_table_names()  # reflection: what the load created
        self._raw.driver_connection.set_authorizer(_authorizer(False))  # sealed: no DDL from now on

    def fork(self) -> Conn:
        proxy = _FORKS.raw_connection()
        with self._lock:  # dialogues may start from several threads; the master is shared
            self._raw.driver_connection.backup(proxy.driver_connection)
        return Conn(proxy.driver_connection, proxy.close)
