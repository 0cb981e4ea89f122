"""The database schema of a domain, read from schema.sql (SQLite is the reference dialect).

schema.sql is split into statements with their offsets, so every problem (a syntax error, a
statement that is not a declaration, a table declared twice) is reported at its place.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from dslgen.sql import quiet  # noqa: F401 — sqlglot warnings we turn into diagnostics
from dslgen.sql.problems import Problem, did_you_mean, line_col

# schema column type → JSON Schema type of its values
_JSON_TYPES = {
    "INT": "integer", "INTEGER": "integer", "BIGINT": "integer", "SMALLINT": "integer", "TINYINT": "integer",
    "BOOLEAN": "boolean",
    "DOUBLE": "number", "FLOAT": "number", "REAL": "number", "DECIMAL": "number", "NUMERIC": "number",
}
UNTYPED = ""  # a column declared without a type (SQLite allows it): any plain value


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # upper-case SQL type name as sqlglot normalizes it (TEXT, INT, DOUBLE…), "" if untyped
    nullable: bool

    @property
    def json_type(self) -> str:
        if self.type == UNTYPED:
            return "any"
        return _JSON_TYPES.get(self.type, "string")

    @property
    def decimal(self) -> bool:
        """An exact amount (NUMERIC, DECIMAL): rendered without a fraction when whole."""
        return self.type in ("DECIMAL", "NUMERIC")

    def json_schema(self) -> dict:
        if self.type == UNTYPED:
            return {}
        out = {"type": [self.json_type, "null"]} if self.nullable else {"type": self.json_type}
        return {**out, "format": "decimal"} if self.decimal else out


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class DbSchema:
    tables: tuple[Table, ...]
    sql: str  # the original text, replayed on each engine

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name.lower()), None)

    @property
    def table_names(self) -> list[str]:
        return [t.name for t in self.tables]

    def mapping(self) -> dict[str, dict[str, str]]:
        """{table: {column: type}} as sqlglot's optimizer expects."""
        return {t.name: {c.name: c.type or "TEXT" for c in t.columns} for t in self.tables}


@dataclass(frozen=True)
class Statement:
    """One statement of schema.sql: its text, where it starts, and its tree (None: it failed)."""

    text: str
    start: int  # offset in the file
    ast: exp.Expression | None
    problem: Problem | None  # a syntax problem, positioned in the file


class SchemaSyntaxError(Exception):
    """schema.sql does not parse; `line`/`col` are 1-based positions in the file."""

    def __init__(self, message: str, line: int, col: int, length: int = 1):
        super().__init__(message)
        self.message, self.line, self.col, self.length = message, line, col, length


def parse_schema(sql_text: str) -> DbSchema:
    """Tables, columns and primary keys in file order (a table declared twice: the first);
    raises SchemaSyntaxError at the first statement that does not parse."""
    tables: dict[str, Table] = {}
    for st in split_statements(sql_text):
        if st.problem is not None:
            p = st.problem
            raise SchemaSyntaxError(p.message, p.line, p.col, p.length)
        if isinstance(st.ast, exp.Create) and st.ast.kind == "TABLE" and isinstance(st.ast.this, exp.Schema):
            table = _table(st.ast)
            tables.setdefault(table.name, table)
    return DbSchema(tuple(tables.values()), sql_text)


def split_statements(sql_text: str) -> list[Statement]:
    """Every statement with its offset; a trigger's body (BEGIN … END) stays in one piece."""
    try:
        tokens = sqlglot.Dialect.get_or_raise("sqlite").tokenize(sql_text)
    except TokenError as e:
        return [Statement(sql_text, 0, None, Problem("DSL400", f"does not parse: {e}", 1, 1))]
    out, start, depth = [], None, 0
    for tok in tokens:
        if start is None:
            start = tok.start
        depth += (tok.token_type == TokenType.BEGIN) - (tok.token_type == TokenType.END and depth > 0)
        if tok.token_type == TokenType.SEMICOLON and depth == 0:
            out.append(_statement(sql_text, start, tok.start))
            start = None
    if start is not None:
        out.append(_statement(sql_text, start, len(sql_text)))
    return [s for s in out if s.text.strip()]


def _statement(sql_text: str, start: int, end: int) -> Statement:
    text = sql_text[start:end]
    line, col = line_col(sql_text, start)
    try:
        ast = sqlglot.parse_one(text, read="sqlite")
    except ParseError as e:
        err = e.errors[0] if e.errors else {}
        hl = err.get("highlight") or " "
        el, ec = err.get("line") or 1, max(1, (err.get("col") or 1) - len(hl) + 1)
        at = (line + el - 1, ec + col - 1 if el == 1 else ec)
        return Statement(text, start, None, Problem("DSL400", f"does not parse: {err.get('description') or e}",
                                                     *at, len(hl)))
    if isinstance(ast, exp.Command):  # sqlglot gave up on it: name the words it could not read
        words = " ".join(text.split()[:2])
        return Statement(text, start, None, Problem(
            "DSL400", f"does not parse: unknown statement '{words}'", line, col, len(words), _command_hint(words)))
    return Statement(text, start, ast, None)


def _command_hint(words: str) -> str:
    first, _, second = words.upper().partition(" ")
    if first == "CREATE":
        close = did_you_mean(second, ["TABLE", "INDEX", "VIEW", "UNIQUE"])
        if close:
            return f"did you mean 'CREATE {close.split(chr(39))[1]}'?"
    return "schema.sql declares tables: CREATE TABLE name (column TYPE, …)"


def _table(create: exp.Create) -> Table:
    schema = create.this
    name = schema.this.name.lower()
    columns, pk = [], []
    for node in schema.expressions:
        if isinstance(node, exp.Identifier):  # `CREATE TABLE t (a, b)`: SQLite's untyped columns
            columns.append(Column(node.name.lower(), UNTYPED, True))
        elif isinstance(node, exp.ColumnDef):
            col, is_pk = _column(node)
            columns.append(col)
            if is_pk:
                pk.append(col.name)
        elif isinstance(node, exp.PrimaryKey):
            pk = [c.name.lower() for c in node.expressions]
    pk_set = set(pk)
    columns = [Column(c.name, c.type, c.nullable and c.name not in pk_set) for c in columns]
    return Table(name, tuple(columns), tuple(pk))


def _column(node: exp.ColumnDef) -> tuple[Column, bool]:
    kinds = [c.args.get("kind") for c in node.args.get("constraints") or []]
    not_null = any(isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null") for k in kinds)
    is_pk = any(isinstance(k, exp.PrimaryKeyColumnConstraint) for k in kinds)
    kind = node.args.get("kind")
    type_name = kind.this.name if kind is not None else UNTYPED
    return Column(node.name.lower(), type_name, not (not_null or is_pk)), is_pk
