"""The seeded master database of a domain on a PostgreSQL server.

Named after the content (schema + seed), so every process, and every `Database` in one
process, shares one master and nobody drops a database another is using. It is loaded
under a temporary name and renamed when complete: a crash mid-load leaves no half-seeded
master behind under the real name.
"""
from __future__ import annotations

import hashlib
import re
import uuid

from dslgen.sql.engines import PostgresConn
from dslgen.sql.schema import DbSchema

# C collation: ORDER BY on text sorts by code point, as the reference implementation (Python) does
_CREATE = "CREATE DATABASE \"{}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"


def master_name(schema: DbSchema, seed: dict, domain: str) -> str:
    content = hashlib.sha256((schema.sql + repr(sorted(seed.items()))).encode()).hexdigest()[:12]
    return f"dslgen_{re.sub(r'[^a-z0-9_]', '_', domain.lower())[:30]}_{content}"


def ensure_master(url: str, schema: DbSchema, seed: dict, domain: str, load) -> str:
    """The master's URL; `load(conn)` fills a fresh database (schema and seed rows)."""
    from psycopg import errors
    from psycopg.conninfo import make_conninfo

    name = master_name(schema, seed, domain)
    admin = PostgresConn.connect(url)
    try:
        if not admin.rows("SELECT 1 FROM pg_database WHERE datname = %(n)s", {"n": name}):
            temp = f"{name}_{uuid.uuid4().hex[:8]}"
            admin.run_script([_CREATE.format(temp)])
            _fill(make_conninfo(url, dbname=temp), load)
            try:
                admin.run_script([f'ALTER DATABASE "{temp}" RENAME TO "{name}"'])
            except errors.DuplicateDatabase:  # another process finished first: use theirs
                admin.run_script([f'DROP DATABASE "{temp}"'])
    finally:
        admin.conn.close()
    return make_conninfo(url, dbname=name)


def _fill(url: str, load) -> None:
    conn = PostgresConn.connect(url)
    try:
        with conn.conn.transaction():
            load(conn)
    finally:
        conn.conn.close()
