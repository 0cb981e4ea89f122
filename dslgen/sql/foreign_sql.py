"""SQL written for other tools (e.g. MCP Toolbox): query placeholders `?`, `?3`, `$3`
(positional) and `:name`, `@name`, `$name` (named), found outside string literals, quoted
names and comments, rewritten to dslgen's `:name` and back; PostgreSQL statements
translated to the reference dialect (SQLite) and back."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import sqlglot

# skipped whole: quoted text and comments; `::` is a PostgreSQL cast, not a placeholder
_SKIP = r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|\[[^\]]*\]|--[^\n]*|/\*.*?\*/|::"
_MARK = r"\?\d*|\$\d+|[:@$][A-Za-z_][A-Za-z0-9_]*"
_TOKEN = re.compile(f"({_SKIP})|({_MARK})", re.DOTALL)


@dataclass(frozen=True)
class Placeholder:
    start: int  # offset in the text
    text: str  # as written, e.g. '?', '$2', ':user_id'

    @property
    def position(self) -> int | None:
        """1-based position of a numbered placeholder (`?2`, `$2`); None otherwise."""
        digits = self.text[1:]
        return int(digits) if digits.isdigit() else None

    @property
    def name(self) -> str | None:
        """The name of a named placeholder (`:x`, `@x`, `$x`); None otherwise."""
        rest = self.text[1:]
        return rest if rest and not rest.isdigit() else None


def placeholders(sql: str) -> list[Placeholder]:
    return [Placeholder(m.start(2), m.group(2)) for m in _TOKEN.finditer(sql) if m.group(2)]


def rewrite(sql: str, replace: Callable[[int, Placeholder], str]) -> str:
    """The text with each placeholder replaced by `replace(index, placeholder)`."""
    out, last = [], 0
    for i, p in enumerate(placeholders(sql)):
        out += [sql[last:p.start], replace(i, p)]
        last = p.start + len(p.text)
    return "".join(out) + sql[last:]


def to_named(sql: str, params: list[str]) -> tuple[str, str | None]:
    """Positional or named placeholders → `:name`; (text, problem or None). `?` binds the
    parameters in order, `?N`/`$N` the N-th, a named one the parameter of that name."""
    found = placeholders(sql)
    problem = _positional_problem(found, params)
    if problem:
        return sql, problem

    def named(i: int, p: Placeholder) -> str:
        if p.text == "?":
            return f":{params[i]}"
        return f":{params[p.position - 1]}" if p.position is not None else f":{p.name}"
    return rewrite(sql, named), None


def _positional_problem(found: list[Placeholder], params: list[str]) -> str | None:
    bare = sum(1 for p in found if p.text == "?")
    if bare and bare != len(found):
        return "the statement mixes `?` with other placeholders"
    if bare and bare != len(params):
        return f"the statement has {bare} `?` placeholder(s) for {len(params)} parameter(s)"
    for p in found:
        if p.position is not None and not 1 <= p.position <= len(params):
            return f"{p.text} has no parameter (there are {len(params)})"
        if p.name is not None and p.name not in params:
            return f"{p.text} is not a parameter"
    return None


def to_positional(sql: str, params: list[str], style: str) -> str:
    """`:name` → placeholders in `style` ('?' for SQLite, '$' for PostgreSQL), binding the
    parameters in their declared order. SQLite gets plain `?` when every parameter is read
    once, in that order; otherwise numbered placeholders (`?2`, `$2`)."""
    names = [p.name for p in placeholders(sql) if p.text.startswith(":")]
    if style == "?" and names == params:
        return rewrite(sql, lambda i, p: "?" if p.text.startswith(":") else p.text)
    return rewrite(sql, lambda i, p: f"{style}{params.index(p.name) + 1}"
                   if p.text.startswith(":") and p.name in params else p.text)


# a name in a statement: quoted ("x", `x`, [x]) or bare (not a function call or a
# placeholder); quoted text and comments are matched first so that they stay as they are
_NAME = re.compile(r"('(?:[^']|'')*'|--[^\n]*|/\*.*?\*/)|\"((?:[^\"]|\"\")*)\"|`([^`]*)`|\[([^\]]*)\]"
                   r"|(?<![:@$\w])([A-Za-z_]\w*)(?!\w|\s*\()", re.DOTALL)


def unquote_names(sql: str, names: dict[str, str]) -> str:
    """Quoted names the domain spells otherwise (`"order"` → `order_`) in its spelling."""
    def swap(m: re.Match) -> str:
        quoted = next((g for g in m.group(2, 3, 4) if g is not None), None)
        if quoted is None:
            return m.group(0)
        return names.get(quoted.replace('""', '"') if m.group(2) is not None else quoted, m.group(0))
    return _NAME.sub(swap, sql)


def quote_names(sql: str, names: dict[str, str]) -> str:
    """Bare names of the domain (`order_`) as the source database spells them, quoted (`"order"`)."""
    def swap(m: re.Match) -> str:
        word = m.group(5)
        return '"' + names[word].replace('"', '""') + '"' if word in names else m.group(0)
    return _NAME.sub(swap, sql)


_PSYCOPG_MARK = re.compile(r"%\((\w+)\)s")


def from_postgres(sql: str) -> str:
    """A PostgreSQL statement with `:name` placeholders in the reference dialect."""
    return sqlglot.transpile(sql, read="postgres", write="sqlite")[0]


def to_postgres(sql: str) -> str:
    """A reference-dialect statement with `:name` placeholders as PostgreSQL (still `:name`)."""
    return _PSYCOPG_MARK.sub(r":\1", sqlglot.transpile(sql, read="sqlite", write="postgres")[0])
