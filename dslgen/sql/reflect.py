"""Read an existing database through SQLAlchemy's inspector: tables, columns typed in the tool
language's terms, keys, foreign keys, unique columns and enumerations, and a sample of rows
that keeps foreign keys consistent (parents first, then children whose parents are kept).

Names that are reserved words (or not plain identifiers) get a safe spelling, so the SQL
the domain is written in runs on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

import datetime
import decimal
import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlglot

from dslgen.errors import RunError

# reserved in PostgreSQL (a fact of its grammar) or SQLite; such names are spelled `name_`
RESERVED = frozenset("""
all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate
collation column concurrently constraint create cross current_catalog current_date current_role
current_schema current_time current_timestamp current_user default deferrable desc distinct do else end
except false fetch for foreign freeze from full grant group having ilike in index initially inner
intersect into is isnull join lateral leading left like limit localtime localtimestamp natural not notnull
null offset on only or order outer overlaps placing primary references returning right select
session_user similar some symmetric system_user table tablesample then to trailing true union unique user
using values variadic verbose when where window with
""".split())

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# a CHECK constraint that lists a column's values: status IN ('a', 'b')
_IN_LIST = re.compile(r"^\(?\s*[\"`\[]?(\w+)[\"`\]]?\s+IN\s*\(([^()]*)\)\s*\)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    name: str  # as the domain spells it
    source: str  # as the source database spells it
    type: str  # INTEGER | DOUBLE PRECISION | BOOLEAN | TEXT
    nullable: bool
    enum: tuple[str, ...] = ()  # allowed values, from an ENUM type or a CHECK (col IN (...))

    @property
    def json_type(self) -> str:
        return {"INTEGER": "integer", "DOUBLE PRECISION": "number", "BOOLEAN": "boolean"}.get(self.type, "string")


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str  # the referenced table
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    source: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    unique: tuple[tuple[str, ...], ...]  # unique column sets other than the primary key
    skipped: tuple[str, ...] = ()  # columns left out (binary data)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Reflected:
    tables: tuple[Table, ...]  # parents before children
    rows: dict[str, list[dict]]  # table → sampled rows, values as JSON values
    url: str  # the source URL with any password written as ${VAR}
    name: str  # a name for the project: the database's


def safe_name(name: str) -> str:
    """A lower-case identifier both engines read as a plain name."""
    out = re.sub(r"[^a-z0-9_]", "_", name.lower()).strip("_") or "x"
    out = "_" + out if out[0].isdigit() else out
    return out + "_" if out in RESERVED or not _parses(out) else out


def _parses(name: str) -> bool:
    try:
        tree = sqlglot.parse_one(f"SELECT {name} FROM {name}", read="sqlite")
    except sqlglot.errors.ParseError:
        return False
    return tree.selects[0].name == name and tree.find(sqlglot.exp.Table).name == name


def _parsed(url: str) -> sa.engine.URL:
    """A URL; a bare path is a SQLite file."""
    try:
        return sa.engine.make_url(url if "://" in url else f"sqlite:///{url}")
    except sa.exc.ArgumentError:
        raise RunError(f"'{url}' is not a database URL",
                       hint="sqlite:///path.db, a path to a SQLite file, or postgresql://user@host:port/db") from None


def public_url(url: str, password_var: str = "PGPASSWORD") -> str:
    """The URL as the project may record it: a password becomes ${VAR}."""
    parsed = _parsed(url)
    if parsed.password is None or _ENV.fullmatch(str(parsed.password)):
        return parsed.render_as_string() if parsed.password is None else _restore_env(parsed)
    shown = parsed.set(password="PASSWORD_PLACEHOLDER").render_as_string(hide_password=False)
    return shown.replace("PASSWORD_PLACEHOLDER", "${" + password_var + "}")


def _restore_env(parsed: sa.engine.URL) -> str:
    var = str(parsed.password)
    return parsed.set(password="PASSWORD_PLACEHOLDER").render_as_string(hide_password=False).replace(
        "PASSWORD_PLACEHOLDER", var)


def engine_for(url: str) -> sa.engine.Engine:
    """An engine for a SQLite file (opened read-only) or a PostgreSQL URL; ${VAR} from the environment."""
    missing = [v for v in _ENV.findall(url) if v not in os.environ]
    if missing:
        raise RunError(f"environment variable {missing[0]} is not set", hint=f"export {missing[0]}=... first")
    parsed = _parsed(_ENV.sub(lambda m: os.environ[m.group(1)], url))
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(parsed.set(drivername="postgresql+psycopg"))
    raise RunError(f"cannot read a '{parsed.get_backend_name()}' database",
                   hint="use a SQLite file (sqlite:///path.db) or a PostgreSQL URL (postgresql://user@host/db)")


def _sqlite_engine(parsed: sa.engine.URL) -> sa.engine.Engine:
    path = Path(parsed.database or "")
    if not path.is_file():
        raise RunError(f"no SQLite database at {path}", hint="sqlite:///relative/path.db or sqlite:////absolute/path.db")
    return sa.create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")


def reflect(url: str, rows_per_table: int = 50, only: tuple[str, ...] = ()) -> Reflected:
    """Tables (parents first) and a foreign-key-consistent sample of their rows."""
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            tables = _tables(sa.inspect(conn), only)
            rows = _sample(conn, tables, rows_per_table)
    except sa.exc.DBAPIError as e:  # a server down, a refused login, a file that is not a database
        sqlite = engine.dialect.name == "sqlite"
        raise RunError(f"cannot read the database: {str(e.orig).strip()}",
                       hint="is it a SQLite database file?" if sqlite else "is the server running and the URL right?"
                       ) from None
    finally:
        engine.dispose()
    database = _parsed(url).database or "db"
    return Reflected(tables, rows, public_url(url), safe_name(Path(database).stem))


def _tables(insp, only: tuple[str, ...]) -> tuple[Table, ...]:
    names = [n for n in insp.get_table_names() if not only or n in only]
    unknown = set(only) - set(names)
    if unknown:
        raise RunError(f"no table(s) {', '.join(sorted(unknown))} in the database",
                       hint=f"tables: {', '.join(insp.get_table_names())}")
    spelled = {n: safe_name(n) for n in names}
    tables = [_table(insp, n, spelled) for n in names]
    return tuple(_parents_first(tables))


def _table(insp, name: str, spelled: dict[str, str]) -> Table:
    enums = _check_enums(insp, name)
    columns, skipped = [], []
    for c in insp.get_columns(name):
        kind = _type(c["type"])
        if kind is None:
            skipped.append(c["name"])
            continue
        values = tuple(getattr(c["type"], "enums", None) or enums.get(c["name"].lower(), ()))
        columns.append(Column(safe_name(c["name"]), c["name"], kind, bool(c["nullable"]), values))
    by_source = {c.source: c.name for c in columns}
    pk = tuple(by_source[c] for c in insp.get_pk_constraint(name)["constrained_columns"] if c in by_source)
    fks = tuple(ForeignKey(tuple(by_source[c] for c in fk["constrained_columns"]), spelled[fk["referred_table"]],
                           tuple(safe_name(c) for c in fk["referred_columns"]))
                for fk in insp.get_foreign_keys(name)
                if fk["referred_table"] in spelled and all(c in by_source for c in fk["constrained_columns"]))
    unique = _unique_sets(insp, name, by_source, pk)
    columns = [Column(c.name, c.source, c.type, c.nullable and c.name not in pk, c.enum) for c in columns]
    return Table(spelled[name], name, tuple(columns), pk, fks, unique, tuple(skipped))


def _type(t: sa.types.TypeEngine) -> str | None:
    """The tool language's column type for a SQLAlchemy type; None for binary data."""
    if isinstance(t, sa.Boolean):
        return "BOOLEAN"
    if isinstance(t, sa.Integer):
        return "INTEGER"
    if isinstance(t, (sa.Float, sa.Numeric)):
        return "DOUBLE PRECISION"
    if isinstance(t, sa.LargeBinary):
        return None
    return "TEXT"  # text, dates and times (ISO strings), JSON (as text), anything else


def _check_enums(insp, name: str) -> dict[str, tuple[str, ...]]:
    out = {}
    try:
        checks = insp.get_check_constraints(name)
    except NotImplementedError:
        return out
    for check in checks:
        m = _IN_LIST.match(check.get("sqltext", "").strip())
        if m:
            values = re.findall(r"'((?:[^']|'')*)'", m.group(2))
            if values:
                out[m.group(1).lower()] = tuple(v.replace("''", "'") for v in values)
    return out


def _unique_sets(insp, name: str, by_source: dict[str, str], pk: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    found = [u["column_names"] for u in insp.get_unique_constraints(name)]
    found += [i["column_names"] for i in insp.get_indexes(name) if i.get("unique")]
    out: list[tuple[str, ...]] = []
    for cols in found:
        names = tuple(by_source.get(c) for c in cols)
        if None not in names and names != pk and names not in out:
            out.append(names)
    return tuple(out)


def _parents_first(tables: list[Table]) -> list[Table]:
    """Topological order by foreign keys; a cycle (or a self-reference) keeps source order."""
    by_name = {t.name: t for t in tables}
    done: list[Table] = []
    seen: set[str] = set()

    def visit(t: Table, path: set[str]) -> None:
        if t.name in seen or t.name in path:
            return
        for fk in t.foreign_keys:
            if fk.table != t.name and fk.table in by_name:
                visit(by_name[fk.table], path | {t.name})
        seen.add(t.name)
        done.append(t)

    for t in tables:
        visit(t, set())
    return done


def _sample(conn, tables: tuple[Table, ...], limit: int) -> dict[str, list[dict]]:
    meta = sa.MetaData()
    rows: dict[str, list[dict]] = {}
    for t in tables:
        source = sa.Table(t.source, meta, autoload_with=conn)
        rows[t.name] = _first_rows(conn, source, t, rows, limit)
    _drop_orphans(tables, rows)
    return rows


def _first_rows(conn, source: sa.Table, t: Table, kept: dict[str, list[dict]], limit: int) -> list[dict]:
    """The first rows in key order whose parents (already sampled) are kept."""
    order = [source.c[t.column(c).source] for c in t.primary_key] or list(source.c)
    query = sa.select(*[source.c[c.source] for c in t.columns]).order_by(*order)
    parents = [(fk, _keys(kept.get(fk.table, []), fk.ref_columns)) for fk in t.foreign_keys if fk.table in kept]
    out = []
    for record in conn.execution_options(stream_results=True).execute(query):
        row = {c.name: _json_value(v) for c, v in zip(t.columns, record)}
        if all(_refers(row, fk, keys) for fk, keys in parents):
            out.append(row)
            if len(out) == limit:
                break
    return out


def _keys(rows: list[dict], columns: tuple[str, ...]) -> set[tuple]:
    return {tuple(r.get(c) for c in columns) for r in rows}


def _refers(row: dict, fk: ForeignKey, keys: set[tuple]) -> bool:
    value = tuple(row[c] for c in fk.columns)
    return any(v is None for v in value) or value in keys


def _drop_orphans(tables: tuple[Table, ...], rows: dict[str, list[dict]]) -> None:
    """Self-references and cycles: a reference to a row left out becomes NULL (or drops its row)."""
    changed = True
    while changed:
        changed = False
        for t in tables:
            for fk in t.foreign_keys:
                keys = _keys(rows[fk.table], fk.ref_columns)
                nullable = all(t.column(c).nullable for c in fk.columns)
                kept = []
                for row in rows[t.name]:
                    if not _refers(row, fk, keys):
                        changed = True
                        if not nullable:
                            continue
                        row.update({c: None for c in fk.columns})
                    kept.append(row)
                rows[t.name] = kept


def _json_value(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value
