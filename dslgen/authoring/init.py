"""`dslgen init`: a new project from an existing database (SQLite file or PostgreSQL URL),
or, with no source, the smallest runnable project (a help desk with customers and tickets)."""
from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from dslgen.authoring.project import Project, write_project
from dslgen.errors import RunError
from dslgen.sql.reflect import reflect, safe_name

# the smallest useful domain: what `dslgen init DIR` starts from
STARTER_SQL = """
CREATE TABLE customers (
  customer_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE
);
CREATE TABLE tickets (
  ticket_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (customer_id),
  subject TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'waiting', 'closed'))
);
INSERT INTO customers VALUES
  ('c1', 'Ada Lovelace', 'ada@example.com'),
  ('c2', 'Alan Turing', 'alan@example.com'),
  ('c3', 'Grace Hopper', 'grace@example.com');
INSERT INTO tickets VALUES
  ('t1', 'c1', 'Cannot log in', 'open'),
  ('t2', 'c1', 'Invoice shows the wrong address', 'waiting'),
  ('t3', 'c2', 'Password reset mail never arrives', 'closed'),
  ('t4', 'c3', 'Export to CSV fails', 'open');
"""


def init_project(root: str | Path, url: str | None = None, name: str | None = None,
                 rows_per_table: int = 50, tables: tuple[str, ...] = ()) -> Project:
    root = Path(root)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise RunError(f"{root} is not an empty folder", hint="give a new folder (or an empty one)")
    if url is None:
        return _starter(root, name)
    db = reflect(url, rows_per_table, tables)
    if not db.tables:
        raise RunError("the database has no tables", hint="check the URL (and the schema, for PostgreSQL)")
    return write_project(root, safe_name(name) if name else db.name, db, f"`{db.url}`")


def _starter(root: Path, name: str | None) -> Project:
    with tempfile.TemporaryDirectory(prefix="dslgen-init-") as tmp:
        path = Path(tmp) / "starter.db"
        with sqlite3.connect(path) as conn:
            conn.executescript(STARTER_SQL)
        conn.close()
        db = reflect(str(path))
    return write_project(root, safe_name(name or root.resolve().name), db, "the help-desk starter")
