"""PostgreSQL: tool SQL rewritten so it computes what SQLite computes; a master database per
domain content, and a fork per dialogue as a private schema of unlogged copies.

The master is named after the content (schema + seed), so every process, and every
`Database` in one process, shares one master and nobody drops a database another is using.
It is loaded under a temporary name and renamed when complete: a crash mid-load leaves no
half-seeded master behind under the real name. A fork's connection comes from a SQLAlchemy
pool on the master and runs as the role `dslgen_dialogue` (no superuser, no file or program
access), with rights on its own schema only; concurrent forks never wait on each other.
"""
from __future__ import annotations

import hashlib
import re
import uuid

import sqlglot
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool, QueuePool
from sqlglot import exp

from dslgen.errors import RunError
from dslgen.redact import redact
from dslgen.sql.engines.loading import load
from dslgen.sql.params import ListTable
from dslgen.sql.types import kind

NAME = "postgresql"
_PG_TYPES = {"string": "TEXT", "integer": "BIGINT", "number": "DOUBLE PRECISION", "decimal": "NUMERIC",
             "boolean": "BOOLEAN"}
_INTEGERS = {exp.DataType.Type.INT, exp.DataType.Type.BIGINT, exp.DataType.Type.SMALLINT, exp.DataType.Type.TINYINT}
_MARK = "__dslgen_p_{}__"
_MARK_RE = re.compile(r"__dslgen_p_(\w+?)__")
# C collation: ORDER BY on text sorts by code point, as SQLite (and τ-bench's Python) does
_CREATE = "CREATE DATABASE \"{}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
_LAYOUT = "2"  # bumped when what a master holds changes (2: set_config revoked for the dialogue role)
DIALOGUE_ROLE = "dslgen_dialogue"
_CREATE_ROLE = (f"DO $$BEGIN CREATE ROLE {DIALOGUE_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END$$")
_FILE_ROLES = ("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program")


# --- SQL text ------------------------------------------------------------------------------

def render(tree: exp.Expression, types: dict[str, str]) -> str:
    """`types`: :name → kind (integer, number, decimal, string, boolean), for typed
    placeholders (PostgreSQL cannot infer the type of a bare parameter everywhere)."""
    tree = tree.transform(_rewrite, copy=False)
    text = tree.transform(_mark).sql(dialect="postgres")
    text = text.replace("%", "%%")  # psycopg paramstyle: a literal % is written %%
    return _MARK_RE.sub(lambda m: _placeholder(m.group(1), types), text)


def _rewrite(node: exp.Expression) -> exp.Expression:
    """What makes PostgreSQL compute what SQLite computes (see dslgen/sql/portable.py)."""
    if isinstance(node, exp.Round):
        # SQLite rounds half away from zero and gives a float; PostgreSQL's round(double)
        # rounds half to even, and round(x, n) takes a numeric only
        node.set("this", exp.cast(node.this, "NUMERIC"))
        return exp.cast(node, "DOUBLE PRECISION")
    if isinstance(node, exp.Literal) and not node.is_string and "." in node.this:
        # 1.5 is a double in SQLite, an exact numeric in PostgreSQL: compute with doubles
        return exp.cast(node.copy(), "DOUBLE PRECISION")
    if isinstance(node, exp.Like):
        # SQLite's LIKE ignores ASCII case and has no escape character
        return exp.Escape(this=exp.ILike(this=node.this, expression=node.expression), expression=exp.Literal.string(""))
    if isinstance(node, exp.Mod):
        # x % 0 is NULL in SQLite, an error in PostgreSQL
        node.set("expression", exp.Nullif(this=node.expression, expression=exp.Literal.number(0)))
        return node
    if isinstance(node, exp.Cast) and node.to.this in _INTEGERS:
        # SQLite truncates a number cast to an integer; PostgreSQL rounds it
        return exp.cast(exp.Anonymous(this="TRUNC", expressions=[exp.cast(node.this, "NUMERIC")]), "BIGINT")
    return node


def _mark(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Placeholder) and node.name:
        return exp.var(_MARK.format(node.name))
    return node


def _placeholder(name: str, types: dict[str, str]) -> str:
    pg = _PG_TYPES.get(types.get(name) or "")
    return f"CAST(%({name})s AS {pg})" if pg else f"%({name})s"


def list_body(table: ListTable) -> exp.Expression:
    cols = ["CAST(t.ordinality - 1 AS INTEGER) AS pos"]
    for name, schema in table.columns[1:]:
        value = f"t.value ->> '{name}'" if table.objects else "t.value"
        cols.append(f"CAST({value} AS {_PG_TYPES.get(kind(schema) or '', 'TEXT')}) AS {name}")
    fn = "jsonb_array_elements" if table.objects else "jsonb_array_elements_text"
    body = (f"SELECT {', '.join(cols)} FROM {fn}(CAST(:{table.name} AS JSONB)) "
            "WITH ORDINALITY AS t(value, ordinality)")
    return sqlglot.parse_one(body, read="postgres")


def schema_statements(statements) -> list[str]:
    return [_typed(st.ast).sql(dialect="postgres") for st in statements]


def _typed(ast: exp.Expression) -> exp.Expression:
    """A column declared without a type (SQLite allows it) is TEXT here."""
    ast = ast.copy()
    for col in ast.find_all(exp.ColumnDef):
        if col.args.get("kind") is None:
            col.set("kind", exp.DataType.build("TEXT"))
    schema = ast.this if isinstance(ast, exp.Create) else None
    if isinstance(schema, exp.Schema):
        schema.set("expressions", [exp.ColumnDef(this=e.copy(), kind=exp.DataType.build("TEXT"))
                                   if isinstance(e, exp.Identifier) else e for e in schema.expressions])
    return ast


# --- connections ---------------------------------------------------------------------------

def _engine(url, pool=NullPool, **kw):
    return create_engine(url.set(drivername="postgresql+psycopg"), poolclass=pool, isolation_level="AUTOCOMMIT", **kw)


class Conn:
    """One dialogue's connection, working on its own schema; a call is one transaction."""

    engine = NAME

    def __init__(self, proxy, schema: str, role: str | None):
        self._proxy, self.conn, self.schema, self.role = proxy, proxy.driver_connection, schema, role

    def rows(self, sql: str, params: dict) -> list[dict]:
        with self.conn.cursor() as cur:
            cur.execute(sql, params or None)
            if cur.description is None:
                return []
            names = [d.name for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def begin(self, read_only: bool) -> None:
        self.conn.execute("BEGIN READ ONLY" if read_only else "BEGIN")

    def end(self, commit: bool, read_only: bool) -> None:
        self.conn.execute("COMMIT" if commit and not read_only else "ROLLBACK")

    def close(self) -> None:
        """Drop the fork and hand the connection back to the pool, as it was."""
        if self.role:
            self.conn.execute("RESET ROLE")
        self.conn.execute(f"DROP SCHEMA {self.schema} CASCADE")
        self.conn.execute("RESET search_path")
        self._proxy.close()


class Master:
    def __init__(self, schema, seed: dict[str, list[tuple]], statements: list[str], url: str | None = None,
                 name: str = "domain"):
        if not url:
            raise RunError("the postgresql engine needs a URL", hint="e.g. postgresql://user@127.0.0.1:5432/postgres")
        self.url = make_url(url)
        self.tables = [(t.name, t.primary_key) for t in schema.tables]
        db, self.role = _guarded(lambda: _ensure_master(self.url, schema, seed, statements, name), self.url)
        self._pool = _engine(self.url.set(database=db), QueuePool, pool_size=4, max_overflow=32, pool_pre_ping=True)
        missing = {t for t, _ in self.tables} - set(inspect(self._pool).get_table_names(schema="public"))
        if missing:  # reflection: a master that lacks tables would fail every call
            raise RunError(f"the master database {db} lacks tables {sorted(missing)}",
                           hint="drop it; the next run builds it again")

    def fork(self) -> Conn:
        """A fresh copy of the `public` tables in a new schema, first on the search path."""
        name = f"fork_{uuid.uuid4().hex[:16]}"
        proxy = _guarded(self._pool.raw_connection, self.url)
        script = ["BEGIN", f"CREATE SCHEMA {name}"]
        for table, pk in self.tables:
            # the key is built after the bulk copy: ~40% cheaper than copying into an indexed table
            script += [f"CREATE UNLOGGED TABLE {name}.{table} (LIKE public.{table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
                       f"INSERT INTO {name}.{table} SELECT * FROM public.{table}"]
            if pk:
                script.append(f"ALTER TABLE {name}.{table} ADD PRIMARY KEY ({', '.join(pk)})")
        if self.role:
            script += [f"GRANT USAGE ON SCHEMA {name} TO {self.role}",
                       f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {name} TO {self.role}"]
        script += ["COMMIT", f"SET search_path TO {name}"] + ([f"SET ROLE {self.role}"] if self.role else [])
        proxy.driver_connection.execute(";".join(script).encode())  # one round trip, no parameters
        return Conn(proxy, name, self.role)


def master_name(schema, seed: dict, domain: str) -> str:
    content = hashlib.sha256((_LAYOUT + schema.sql + repr(sorted(seed.items()))).encode()).hexdigest()[:12]
    return f"dslgen_{re.sub(r'[^a-z0-9_]', '_', domain.lower())[:30]}_{content}"


def _ensure_master(url, schema, seed: dict, statements: list[str], domain: str) -> tuple[str, str | None]:
    """The master database's name (created and filled if missing) and the dialogue role."""
    from psycopg import errors

    name = master_name(schema, seed, domain)
    admin = _engine(url).raw_connection()
    try:
        role, superuser = _dialogue_role(admin.driver_connection)
        if not admin.driver_connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            temp = f"{name}_{uuid.uuid4().hex[:8]}"
            admin.driver_connection.execute(_CREATE.format(temp))
            _fill(url.set(database=temp), schema, seed, statements, superuser)
            try:
                admin.driver_connection.execute(f'ALTER DATABASE "{temp}" RENAME TO "{name}"')
            except errors.DuplicateDatabase:  # another process finished first: use theirs
                admin.driver_connection.execute(f'DROP DATABASE "{temp}"')
    finally:
        admin.close()
    return name, role


def _dialogue_role(admin) -> tuple[str | None, bool]:
    """(the role dialogues switch to, whether the URL's user is a superuser). A user with file
    access gets the unprivileged role; one without any needs none."""
    from psycopg import errors

    superuser, = admin.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    risky = superuser or any(admin.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", (r,)).fetchone()[0]
                             for r in _FILE_ROLES)
    if not risky:
        return None, False
    try:
        admin.execute(_CREATE_ROLE)
        admin.execute(f"GRANT {DIALOGUE_ROLE} TO current_user")
    except errors.InsufficientPrivilege:
        raise RunError("the PostgreSQL user can read server files but cannot create the unprivileged "
                       f"role '{DIALOGUE_ROLE}' dialogues run as",
                       hint="connect as a user without file access, or one with CREATEROLE") from None
    return DIALOGUE_ROLE, bool(superuser)


def _fill(url, schema, seed: dict, statements: list[str], superuser: bool) -> None:
    conn = _engine(url).raw_connection()
    try:
        with conn.driver_connection.transaction():
            load(conn.driver_connection, schema, seed, statements, "%s")
            if superuser:  # so the dialogue role cannot switch back (set_config('role', …))
                conn.driver_connection.execute(
                    "REVOKE EXECUTE ON FUNCTION pg_catalog.set_config(text, text, boolean) FROM PUBLIC")
    finally:
        conn.close()


def _guarded(make, url):
    """Connection faults become RunErrors with a hint (the URL's password hidden)."""
    import psycopg
    from sqlalchemy.exc import OperationalError

    try:
        return make()
    except (psycopg.OperationalError, OperationalError) as e:
        reason = str(getattr(e, "orig", e)).strip().splitlines()[0]
        shown = redact(url.render_as_string(hide_password=True))  # a ${VAR} in the user or host too
        raise RunError(f"cannot use the PostgreSQL server at {shown}: {redact(reason)}",
                       hint="is the server running and the URL right (postgresql://user@host:port/db)?") from None
