"""Static analysis of one SQL text: parse, classify, names used, positions. Pure functions;
`dslgen.sql.compile` runs them once per statement of a tool.

`extra` tables are the tool's own: its lists, `rows` lets and `with` fragments, each with
its column names (name → columns)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from dslgen.sql.problems import Problem, did_you_mean, line_col
from dslgen.sql.schema import DbSchema

_KINDS = {exp.Select: "select", exp.Union: "select", exp.Intersect: "select", exp.Except: "select",
          exp.Insert: "insert", exp.Update: "update", exp.Delete: "delete"}
# where a statement sits decides what it may be
ROLE_KINDS = {"with": {"select"}, "let": {"select"}, "require": {"select"}, "reject": {"select"},
              "doc": {"select"}, "write": {"insert", "update", "delete"},
              "sql": {"select", "insert", "update", "delete"}}
ROLE_HINTS = {"write": "a write is an INSERT, UPDATE or DELETE",
              "sql": "a tool runs SELECT, INSERT, UPDATE or DELETE"}


@dataclass(frozen=True)
class Snippet:
    path: tuple  # where the text sits under the tool, e.g. ("guards", 0, "require")
    text: str
    role: str  # a key of ROLE_KINDS


@lru_cache(maxsize=4096)
def parse(text: str) -> exp.Expression | Problem:
    """One statement in the reference dialect, or the syntax problem at its position.
    Cached: callers must not modify the tree (rendering works on a copy)."""
    try:
        statements = [s for s in sqlglot.parse(text, read="sqlite") if s is not None]
    except ParseError as e:
        err = e.errors[0] if e.errors else {}
        hl = err.get("highlight") or " "
        line, col = err.get("line") or 1, err.get("col") or 1
        return Problem("DSL403", f"SQL does not parse: {err.get('description') or e}",
                       line, max(1, col - len(hl) + 1), len(hl))
    except TokenError as e:
        return Problem("DSL403", f"SQL does not parse: {e}")
    if len(statements) != 1:
        return Problem("DSL403", f"expected one SQL statement, found {len(statements)}")
    if isinstance(statements[0], exp.Command):
        return _command(text)
    return statements[0]


def _command(text: str) -> Problem:
    """sqlglot gave up on a statement: say which, and what to write instead."""
    words = text.split()
    first = " ".join(words[:2]).upper() if words else ""
    if first.startswith("REPLACE") or first.startswith("INSERT OR"):
        return Problem("DSL415", f"'{first}' does not translate to PostgreSQL", 1, 1, len(first),
                       "write two statements: an UPDATE of the row, then an INSERT … SELECT … "
                       "WHERE NOT EXISTS (…) for a row that is not there yet")
    return Problem("DSL403", f"SQL does not parse: unknown statement '{first}'", 1, 1, len(first),
                   "a tool runs SELECT, INSERT, UPDATE or DELETE")


def kind(ast: exp.Expression) -> str | None:
    """select/insert/update/delete, or None for anything a tool may not run."""
    return next((k for cls, k in _KINDS.items() if isinstance(ast, cls)), None)


def placeholders(ast: exp.Expression) -> list[str]:
    """Names of the :params a statement reads, in order of first use."""
    seen: dict[str, None] = {}
    for p in ast.find_all(exp.Placeholder):
        if p.name:
            seen.setdefault(p.name, None)
    return list(seen)


def placeholder_position(text: str, name: str) -> tuple[int, int, int]:
    m = re.search(rf":{re.escape(name)}\b", text)
    return (*line_col(text, m.start()), len(name) + 1) if m else (1, 1, 1)


def cte_names(ast: exp.Expression) -> set[str]:
    return {c.alias_or_name.lower() for c in ast.find_all(exp.CTE)}


def table_refs(ast: exp.Expression) -> list[exp.Table]:
    """Tables read or written, CTE names excluded."""
    ctes = cte_names(ast)
    return [t for t in ast.find_all(exp.Table) if t.name and t.name.lower() not in ctes]


def node_position(text: str, node: exp.Expression) -> tuple[int, int, int]:
    meta = getattr(node.this, "meta", None) if isinstance(node.this, exp.Expression) else None
    if meta and "start" in meta:
        return (*line_col(text, meta["start"]), meta["end"] - meta["start"] + 1)
    return 1, 1, 1


def unknown_tables(text: str, ast: exp.Expression, schema: DbSchema, extra: dict[str, list[str]]) -> list[Problem]:
    known = set(schema.table_names) | set(extra)
    out = []
    for t in table_refs(ast):
        if t.db or t.catalog:
            out.append(Problem("DSL402", f"'{t.sql('sqlite')}' names another schema", *node_position(text, t),
                               hint="read the domain's own tables, without a schema prefix"))
        elif t.name.lower() not in known:
            out.append(Problem("DSL402", f"unknown table '{t.name}'", *node_position(text, t),
                               hint=did_you_mean(t.name.lower(), known)))
    return out


def unknown_columns(text: str, ast: exp.Expression, schema: DbSchema, extra: dict[str, list[str]]) -> list[Problem]:
    """Columns that no table in scope has (qualified: the named table; bare: any table)."""
    tables = _alias_map(ast, schema, extra)
    if tables is None:  # an unknown table is reported by its own check
        return []
    every = {c for cols in tables.values() for c in cols} | _output_aliases(ast)
    out = []
    for col in ast.find_all(exp.Column):
        if isinstance(col.this, exp.Star) or not col.name:
            continue
        q = col.table.lower()
        choices = tables.get(q) if q else every
        if choices is None or col.name.lower() in choices:
            continue
        where = f"{q}." if q else ""
        out.append(Problem("DSL401", f"unknown column '{where}{col.name}'", *node_position(text, col),
                           hint=did_you_mean(col.name.lower(), choices)))
    return out


def _alias_map(ast, schema: DbSchema, extra: dict[str, list[str]]) -> dict[str, set[str]] | None:
    """alias or table name → its column names, for every table in the statement."""
    out: dict[str, set[str]] = {}
    for t in ast.find_all(exp.Table):
        name = t.name.lower()
        if name in cte_names(ast):
            cols = _cte_columns(ast, name)
        elif name in extra:
            cols = set(extra[name])
        elif schema.table(name) is not None:
            cols = set(schema.table(name).column_names)
        else:
            return None
        out[name] = cols
        if t.alias:
            out[t.alias.lower()] = cols
    for sub in ast.find_all(exp.Subquery):
        if sub.alias:
            out[sub.alias.lower()] = {s.alias_or_name.lower() for s in sub.this.selects} if isinstance(sub.this, exp.Query) else set()
    return out


def _cte_columns(ast, name: str) -> set[str]:
    for cte in ast.find_all(exp.CTE):
        if cte.alias_or_name.lower() == name and isinstance(cte.this, exp.Query):
            cols = cte.args["alias"].columns if cte.args.get("alias") else []
            return {c.name.lower() for c in cols} or {s.alias_or_name.lower() for s in cte.this.selects}
    return set()


def _output_aliases(ast) -> set[str]:
    return {a.alias.lower() for a in ast.find_all(exp.Alias) if a.alias}


def normalized(ast: exp.Expression) -> str:
    return ast.sql(dialect="sqlite", pretty=False)


def query_problems(text: str, schema: DbSchema) -> list[Problem]:
    """Problems of a stand-alone read-only query (a task's final-state check): one SELECT,
    known tables and columns, no :parameters (nothing binds them)."""
    ast = parse(text)
    if isinstance(ast, Problem):
        return [ast]
    if kind(ast) != "select":
        what = (kind(ast) or type(ast).__name__).upper()
        return [Problem("DSL406", f"{what} is not allowed in a final-state check", 1, 1,
                        len(text.split("\n")[0]), "a final-state check reads the database: use one SELECT")]
    out = unknown_tables(text, ast, schema, {}) or unknown_columns(text, ast, schema, {})
    for name in placeholders(ast):
        out.append(Problem("DSL404", f"':{name}' has no value in a final-state check",
                           *placeholder_position(text, name), "write the value into the query"))
    return out


def written_table(ast: exp.Expression) -> str | None:
    """The table an INSERT, UPDATE or DELETE changes (None for a SELECT)."""
    if kind(ast) not in ("insert", "update", "delete"):
        return None
    target = ast.this.this if isinstance(ast.this, exp.Schema) else ast.this
    return target.name.lower() if isinstance(target, exp.Table) else None
