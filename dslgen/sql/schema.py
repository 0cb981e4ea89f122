"""The database schema of a domain, read from schema.sql (SQLite is the reference dialect)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from dslgen.errors import Diagnostic, Span

# schema column type → JSON Schema type of its values
_JSON_TYPES = {
    "INT": "integer", "INTEGER": "integer", "BIGINT": "integer", "SMALLINT": "integer", "TINYINT": "integer",
    "BOOLEAN": "boolean",
    "DOUBLE": "number", "FLOAT": "number", "REAL": "number", "DECIMAL": "number", "NUMERIC": "number",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # upper-case SQL type name as sqlglot normalizes it, e.g. TEXT, INT, DOUBLE, BOOLEAN
    nullable: bool

    @property
    def json_type(self) -> str:
        return _JSON_TYPES.get(self.type, "string")

    def json_schema(self) -> dict:
        return {"type": [self.json_type, "null"]} if self.nullable else {"type": self.json_type}


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
        return {t.name: {c.name: c.type for c in t.columns} for t in self.tables}


class SchemaSyntaxError(Exception):
    """schema.sql does not parse; `line`/`col` are 1-based positions in the file."""

    def __init__(self, message: str, line: int, col: int, length: int = 1):
        super().__init__(message)
        self.message, self.line, self.col, self.length = message, line, col, length

    def diagnostic(self, file: str) -> Diagnostic:
        return Diagnostic("DSL400", f"schema.sql: {self.message}", Span(file, self.line, self.col, self.col + self.length))


def parse_schema(sql_text: str) -> DbSchema:
    """Tables, columns and primary keys in file order; raises SchemaSyntaxError."""
    try:
        statements = sqlglot.parse(sql_text, read="sqlite")
    except ParseError as e:
        raise _syntax_error(e) from None
    tables = [_table(s) for s in statements if isinstance(s, exp.Create) and s.kind == "TABLE"]
    return DbSchema(tuple(tables), sql_text)


def _syntax_error(e: ParseError) -> SchemaSyntaxError:
    err = e.errors[0] if e.errors else {}
    line, col = err.get("line") or 1, err.get("col") or 1
    length = max(1, len(err.get("highlight") or "x"))
    # sqlglot reports the column of the token's last character
    return SchemaSyntaxError(err.get("description") or str(e), line, max(1, col - length + 1), length)


def _table(create: exp.Create) -> Table:
    schema = create.this
    name = schema.this.name.lower()
    columns, pk = [], []
    for node in schema.expressions:
        if isinstance(node, exp.ColumnDef):
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
    type_name = kind.this.name if kind is not None else "TEXT"
    return Column(node.name.lower(), type_name, not (not_null or is_pk)), is_pk
