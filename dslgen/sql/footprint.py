"""Which tables a tool call may change: what makes a state digest cheap.

A dialogue's final state is digested table by table; a table no successful write touched
still holds what the master holds, whose digest is known. The tables a tool writes are
the targets of its INSERT, UPDATE and DELETE statements. A schema with triggers or
foreign keys that act on delete or update can change other tables too: there, any write
counts as touching every table (correct, only not cheaper).
"""
from __future__ import annotations

import re
from functools import lru_cache

from sqlglot import exp

from dslgen.sql import analysis as an
from dslgen.sql.schema import DbSchema

# writes that reach further than their target table
_SPREADING = re.compile(r"\bCREATE\s+(TEMP\w*\s+)?TRIGGER\b|\bON\s+(DELETE|UPDATE)\s+(CASCADE|SET\b)", re.I)


def tables_written(tool, schema: DbSchema) -> frozenset[str]:
    """The tables a successful call of `tool` may have changed (all of them when unsure)."""
    every = frozenset(schema.table_names)
    if _spreads(schema.sql):
        return every
    out: set[str] = set()
    for stmt in tool.statements:
        if stmt.kind != "select":
            targets = _targets(stmt.sql)
            if targets is None:
                return every
            out |= targets
    return frozenset(out & every) if out <= every else every


@lru_cache(maxsize=64)
def _spreads(schema_sql: str) -> bool:
    return bool(_SPREADING.search(schema_sql))


@lru_cache(maxsize=4096)
def _targets(sql: str) -> frozenset[str] | None:
    """Target tables of every write in a statement; None when one cannot be named."""
    ast = an.parse(sql)
    if not isinstance(ast, exp.Expression):
        return None
    names = set()
    for node in ast.find_all(exp.Insert, exp.Update, exp.Delete):
        target = node.this.this if isinstance(node.this, exp.Schema) else node.this
        if not isinstance(target, exp.Table) or not target.name:
            return None
        names.add(target.name.lower())
    return frozenset(names)
