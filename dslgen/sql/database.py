"""Per-dialogue database state: a seeded master per domain, and cheap isolated forks."""
from __future__ import annotations

import threading
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from dslgen.errors import RunError
from dslgen.sql import analysis as an
from dslgen.sql import state
from dslgen.sql.dialects import render, schema_sql
from dslgen.sql.engines import engine as engine_module
from dslgen.sql.executor import ToolResult, call
from dslgen.sql.footprint import tables_written
from dslgen.sql.schema import DbSchema, parse_schema
from dslgen.sql.seed import read_seed


class Session:
    """One dialogue's copy of the database. Writes go through `call`, which notes the
    tables they may have changed (`touched`): `digest` reads only those again."""

    def __init__(self, conn, schema: DbSchema, master: "_MasterDigests | None" = None):
        self.conn, self.schema = conn, schema
        self._master = master
        self.touched: set[str] = set()

    @property
    def engine(self) -> str:
        return self.conn.engine

    def call(self, tool, arguments: Any) -> ToolResult:
        result = call(self.conn, tool, arguments)
        if tool.writes and not result.is_error:  # a failed call was rolled back
            self.touched |= tables_written(tool, self.schema)
        return result

    def apply_calls(self, calls: Iterable[tuple[Any, dict]]) -> list[ToolResult]:
        """Bring the state forward: seed plus these calls, in order (start from any state)."""
        return [self.call(tool, args) for tool, args in calls]

    def query(self, sql: str, params: dict | None = None) -> list[dict]:
        """A read-only SELECT in the reference dialect, e.g. for a final-state rubric check."""
        types = tuple(sorted((k, _json_type(v)) for k, v in (params or {}).items()))
        text = _query_text(sql, self.engine, types)
        self.conn.begin(True)
        try:
            rows = self.conn.rows(text, dict(params or {}))
            return [{k: float(v) if isinstance(v, Decimal) else v for k, v in r.items()} for r in rows]
        finally:
            self.conn.end(False, True)

    def dump(self, tables: set[str] | None = None) -> dict[str, list[dict]]:
        """Every table's rows (or only `tables`'), normalized (the same on every engine)."""
        out = {}
        for t in self.schema.tables:
            if tables is not None and t.name not in tables:
                continue
            order = ", ".join(t.primary_key or t.column_names)
            rows = self.query(f"SELECT * FROM {t.name} ORDER BY {order}")
            out[t.name] = state.normalized_rows(self.schema, t.name, rows)
        return out

    def digest(self) -> str:
        """The state's digest; tables no write touched are not read again (a fork of a
        master: they hold what it holds)."""
        known = self._master.tables() if self._master is not None else {}
        fresh = {t.name: self.table_digest(t) for t in self.schema.tables
                 if t.name in self.touched or t.name not in known}
        return state.combined(self.schema, {**known, **fresh})

    def first_digest(self) -> str:
        """The state's digest as dialogues recorded it before it went per table."""
        return state.first_digest(self.schema, self.dump())

    def table_digest(self, table) -> str:
        """One table's digest, its rows read as the engine gives them (no per-value work
        beyond the typed columns' normalization)."""
        order = ", ".join(table.primary_key or table.column_names)
        text = _query_text(f"SELECT * FROM {table.name} ORDER BY {order}", self.engine, ())
        self.conn.begin(True)
        try:
            return state.table_digest(table, self.conn.rows(text, {}))
        finally:
            self.conn.end(False, True)

    def diff(self, other: "Session") -> list[state.RowChange]:
        """Rows that differ from `other` (before = other, after = self)."""
        return state.diff(self.schema, other.dump(), self.dump())

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@lru_cache(maxsize=1024)
def _query_text(sql: str, engine: str, types: tuple) -> str:
    ast = an.parse(sql)
    if isinstance(ast, an.Problem) or an.kind(ast) != "select":
        raise RunError(f"query must be one SELECT: {sql!r}")
    return render(ast, engine, {}, dict(types))


def _json_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    return {int: "integer", float: "number", str: "string"}.get(type(value))


class Database:
    """The seeded master of a domain on one engine; `fork()` gives each dialogue its copy."""

    def __init__(self, schema: DbSchema, seed: dict[str, list[tuple]], engine: str = "sqlite",
                 url: str | None = None, name: str = "domain"):
        self.schema, self.engine = schema, engine
        self._master = engine_module(engine).Master(schema, seed, schema_sql(schema.sql, engine), url, name)
        self._digests = _MasterDigests(self)

    @classmethod
    def from_domain(cls, domain_path: str | Path, engine: str = "sqlite", url: str | None = None) -> "Database":
        path = Path(domain_path)
        schema = parse_schema((path / "schema.sql").read_text(encoding="utf-8"))
        return cls(schema, read_seed(path / "seed", schema), engine, url, name=path.name)

    def fork(self) -> Session:
        return Session(self._master.fork(), self.schema, self._digests)

    def digest(self) -> str:
        with self.fork() as s:
            return s.digest()


class _MasterDigests:
    """Each table's digest in the master, worked out once, on first use, from a copy."""

    def __init__(self, database: Database):
        self._database, self._tables = database, None
        self._lock = threading.Lock()

    def tables(self) -> dict[str, str]:
        with self._lock:
            if self._tables is None:
                with Session(self._database._master.fork(), self._database.schema) as copy:
                    self._tables = {t.name: copy.table_digest(t) for t in copy.schema.tables}
            return self._tables
