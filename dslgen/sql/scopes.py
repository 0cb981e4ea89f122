"""Which :names each SQL snippet of a tool may read, and which names each one reads.

Parameters are visible everywhere; a `let` value after its definition; in a returned
document, a child query also sees the columns of every enclosing row.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from dslgen.sql import analysis as an
from dslgen.sql.schema import DbSchema


@dataclass(frozen=True)
class Scoped:
    snippet: an.Snippet
    ast: exp.Expression | None  # None when it does not parse
    visible: frozenset[str] | None  # None: unknown (a `*` without a schema)
    columns: tuple[str, ...] | None  # the enclosing row's columns (documents only)


def scoped_snippets(tool, schema: DbSchema | None) -> list[Scoped]:
    arrays = {n for n, p in tool.parameters.items() if p.type == "array"}
    base = {n for n in tool.parameters if n not in arrays}
    out = []
    if tool.sql is not None:
        out.append(_scoped(an.Snippet(("sql",), tool.sql, "sql"), base))
    for name, text in tool.let.items():
        out.append(_scoped(an.Snippet(("let", name), text, "let"), base))
        base = base | {name}
    for s in an.snippets(tool):
        if s.role in ("require", "reject", "write"):
            out.append(_scoped(s, base))
    if tool.returns is not None:
        out += _doc_scoped(tool.returns, ("returns",), frozenset(base), (), schema, arrays)
    return out


def _scoped(snippet: an.Snippet, visible, columns=None) -> Scoped:
    ast = an.parse(snippet.text)
    return Scoped(snippet, None if isinstance(ast, an.Problem) else ast,
                  None if visible is None else frozenset(visible), columns)


def _doc_scoped(doc, path, visible, columns, schema, arrays) -> list[Scoped]:
    """Walk a document: each query sees `visible`; its children also see its columns."""
    out = []
    src = next((s for s in ("row", "rows", "map", "value") if getattr(doc, s) is not None), None)
    inner_cols = columns
    if src is not None:
        sc = _scoped(an.Snippet(path + (src,), getattr(doc, src), "doc"), visible, columns)
        out.append(sc)
        inner_cols = output_columns(sc.ast, schema, arrays) if sc.ast is not None else None
        if visible is not None:
            visible = None if inner_cols is None else visible | set(inner_cols)
    for key, child in (doc.fields or {}).items():
        if not isinstance(child, str):
            out += _doc_scoped(child, path + ("fields", key), visible, inner_cols, schema, arrays)
    if doc.item is not None and not isinstance(doc.item, str):
        out += _doc_scoped(doc.item, path + ("item",), visible, inner_cols, schema, arrays)
    return out


def output_columns(ast: exp.Expression, schema: DbSchema | None, arrays: set[str]) -> tuple[str, ...] | None:
    """Names a SELECT returns, `*` expanded with the schema; None when that is impossible."""
    if not isinstance(ast, exp.Query):
        return ()
    out: list[str] = []
    for sel in ast.selects:
        star = isinstance(sel, exp.Star) or (isinstance(sel, exp.Column) and isinstance(sel.this, exp.Star))
        if not star:
            out.append(sel.alias_or_name)
            continue
        expanded = _expand_star(ast, sel, schema, arrays)
        if expanded is None:
            return None
        out += expanded
    return tuple(out)


def _expand_star(ast, sel, schema, arrays) -> list[str] | None:
    q = sel.table.lower() if isinstance(sel, exp.Column) else ""
    out = []
    for t in ast.find_all(exp.Table):
        if q and q not in (t.name.lower(), t.alias.lower()):
            continue
        if t.name.lower() in arrays:
            out += list(an.ARRAY_COLUMNS)
        elif schema is not None and schema.table(t.name) is not None:
            out += schema.table(t.name).column_names
        else:
            return None
    return out


def array_tables_used(tool) -> set[str]:
    """Array parameters that some snippet reads as a table."""
    arrays = {n for n, p in tool.parameters.items() if p.type == "array"}
    used = set()
    for s in an.snippets(tool):
        ast = an.parse(s.text)
        if not isinstance(ast, an.Problem):
            used |= {t.name.lower() for t in ast.find_all(exp.Table)} & arrays
    return used
