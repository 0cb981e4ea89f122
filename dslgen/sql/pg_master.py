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
_LAYOUT = "2"  # bumped when what a master holds changes (2: set_config revoked for the dialogue role)

# The role dialogues run as: no superuser, no file or program access, no login of its own.
DIALOGUE_ROLE = "dslgen_dialogue"
_CREATE_ROLE = (f"DO $$BEGIN CREATE ROLE {DIALOGUE_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END$$")
_FILE_ROLES = ("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program")


def master_name(schema: DbSchema, seed: dict, domain: str) -> str:
    content = hashlib.sha256((_LAYOUT + schema.sql + repr(sorted(seed.items()))).encode()).hexdigest()[:12]
    return f"dslgen_{re.sub(r'[^a-z0-9_]', '_', domain.lower())[:30]}_{content}"


def ensure_master(url: str, schema: DbSchema, seed: dict, domain: str, load) -> tuple[str, str | None]:
    """The master's URL and the role dialogues run as (None: the URL's user is already
    unprivileged); `load(conn)` fills a fresh database (schema and seed rows)."""
    from psycopg import errors
    from psycopg.conninfo import make_conninfo

    name = master_name(schema, seed, domain)
    admin = PostgresConn.connect(url)
    try:
        role, superuser = dialogue_role(admin)
        if not admin.rows("SELECT 1 FROM pg_database WHERE datname = %(n)s", {"n": name}):
            temp = f"{name}_{uuid.uuid4().hex[:8]}"
            admin.run_script([_CREATE.format(temp)])
            _fill(make_conninfo(url, dbname=temp), load, superuser)
            try:
                admin.run_script([f'ALTER DATABASE "{temp}" RENAME TO "{name}"'])
            except errors.DuplicateDatabase:  # another process finished first: use theirs
                admin.run_script([f'DROP DATABASE "{temp}"'])
    finally:
        admin.conn.close()
    return make_conninfo(url, dbname=name), role


def dialogue_role(admin: PostgresConn) -> tuple[str | None, bool]:
    """(the role dialogues switch to, whether the URL's user is a superuser). A user with file
    access gets the unprivileged role; one without any needs none."""
    from dslgen.errors import RunError
    from psycopg import errors

    row = admin.rows("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user", {})[0]
    risky = row["rolsuper"] or any(admin.rows("SELECT pg_has_role(current_user, %(r)s, 'MEMBER') AS m",
                                              {"r": r})[0]["m"] for r in _FILE_ROLES)
    if not risky:
        return None, False
    try:
        admin.run_script([_CREATE_ROLE, f"GRANT {DIALOGUE_ROLE} TO current_user"])
    except errors.InsufficientPrivilege:
        raise RunError("the PostgreSQL user can read server files but cannot create the unprivileged "
                       f"role '{DIALOGUE_ROLE}' dialogues run as",
                       hint="connect as a user without file access, or one with CREATEROLE") from None
    return DIALOGUE_ROLE, bool(row["rolsuper"])


def _fill(url: str, load, superuser: bool) -> None:
    conn = PostgresConn.connect(url)
    try:
        with conn.conn.transaction():
            load(conn)
            if superuser:  # so the dialogue role cannot switch back (set_config('role', …))
                conn.run_script(["REVOKE EXECUTE ON FUNCTION pg_catalog.set_config(text, text, boolean) FROM PUBLIC"])
    finally:
        conn.conn.close()
