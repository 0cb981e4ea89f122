"""Database engines, one module each, on SQLAlchemy (URLs, connections, pooling, reflection).

An engine module provides:
- `render(tree, types)`: a tool statement (reference dialect, lists already inlined) as the
  text this engine runs; `list_body(table)`: the SELECT that unpacks a list bound as JSON;
  `schema_statements(statements)`: schema.sql's declarations for this engine;
- `Master(schema, seed, statements, url, name)`: the master database filled with the schema's
  statements (from `schema_statements`) and the seed rows; its `fork()` returns a connection
  (`rows`, `begin`, `end`, `close`) to a private copy for one dialogue.

Adding an engine is adding a module here and its name to ENGINES.
"""
from __future__ import annotations

from types import ModuleType

from dslgen.errors import RunError
from dslgen.sql.engines import postgresql, sqlite

ENGINES: dict[str, ModuleType] = {"sqlite": sqlite, "postgresql": postgresql}


def engine(name: str) -> ModuleType:
    if name not in ENGINES:
        raise RunError(f"unknown engine {name!r}", hint=f"use one of {', '.join(ENGINES)}")
    return ENGINES[name]


def is_engine_error(e: Exception) -> bool:
    """An error raised by a database driver (a tool call's fault, not dslgen's)."""
    import sqlite3

    return isinstance(e, sqlite3.Error) or type(e).__module__.startswith("psycopg")
