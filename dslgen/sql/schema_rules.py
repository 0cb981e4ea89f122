"""What schema.sql may hold: declarations of the domain's own tables, nothing that runs.

A spec arrives in a pull request, and schema.sql runs on the reviewer's machine: a
statement that attaches a file, sets a pragma, writes rows or calls a function that reads
files must be refused before anything runs. Allowed: CREATE TABLE (unqualified, no options,
no AS SELECT), CREATE [UNIQUE] INDEX and CREATE VIEW over the domain's tables. Triggers are
refused too: their SQLite body does not translate to PostgreSQL.
"""
from __future__ import annotations

from sqlglot import exp

from dslgen.sql.portable import unknown_functions
from dslgen.sql.problems import Problem, did_you_mean, line_col, node_position
from dslgen.sql.schema import Statement, split_statements

_HINT = "schema.sql holds CREATE TABLE, CREATE INDEX and CREATE VIEW statements only"


def schema_problems(sql_text: str) -> list[Problem]:
    """Every problem of schema.sql, in file order (syntax, kinds of statement, names)."""
    out: list[Problem] = []
    declared: dict[str, int] = {}  # table or view → line of its declaration
    for st in split_statements(sql_text):
        if st.problem is not None:
            out.append(st.problem)
            continue
        at = line_col(sql_text, st.start)
        out += _statement_problems(st, at, declared, sql_text)
    return out


def _statement_problems(st: Statement, at: tuple[int, int], declared: dict, sql_text: str) -> list[Problem]:
    words = " ".join(st.text.split()[:3]).upper()
    ast = st.ast
    if "TRIGGER" in words.split()[:3] and words.startswith("CREATE"):
        return [Problem("DSL415", "a trigger does not translate to PostgreSQL", *at, 6,
                        "write what the trigger does as statements of the tools' `writes`")]
    if not isinstance(ast, exp.Create) or ast.kind not in ("TABLE", "INDEX", "VIEW"):
        first = st.text.split()
        what = " ".join(first[:2] if first[0].upper() in ("CREATE", "DROP", "ALTER") else first[:1]).upper()
        return [Problem("DSL411", f"'{what}' is not a declaration: schema.sql may not run it",
                        *at, len(what), _HINT)]
    out = _names(st, ast, at, declared, sql_text)
    out += [Problem("DSL411", f"function '{f.name}' is not allowed in schema.sql",
                    *node_position(sql_text, f, st.start),
                    hint="declarations may call only the functions every engine has (see docs/tool-language.md)")
            for f in unknown_functions(ast)]
    return out


def _names(st: Statement, ast: exp.Create, at, declared: dict, sql_text: str) -> list[Problem]:
    target = ast.this.this if isinstance(ast.this, exp.Schema) else ast.this
    if ast.kind == "INDEX":
        return _refs(st, ast, at, declared, sql_text)
    name = target.name.lower()
    if isinstance(target, exp.Table) and (target.db or target.catalog):
        return [Problem("DSL411", f"'{target.sql('sqlite')}' names another schema",
                        *node_position(sql_text, target, st.start), "declare the domain's own tables, without a schema prefix")]
    if ast.kind == "TABLE" and (ast.args.get("properties") or ast.expression is not None):
        return [Problem("DSL411", f"CREATE TABLE {name}: only a plain column list is allowed", *at, 6,
                        "no TEMP, VIRTUAL, AS SELECT or table options")]
    if name in declared:
        return [Problem("DSL412", f"table '{name}' is declared twice", *node_position(sql_text, target, st.start),
                        f"line {declared[name]} declares it first; keep one")]
    declared[name] = at[0]
    return _refs(st, ast, at, declared, sql_text) if ast.kind == "VIEW" else []


def _refs(st: Statement, ast: exp.Create, at, declared: dict, sql_text: str) -> list[Problem]:
    """An index or a view reads only tables declared above it, in the domain's own schema."""
    out = []
    body = ast.this if ast.kind == "INDEX" else ast.expression
    ctes = {c.alias_or_name.lower() for c in body.find_all(exp.CTE)} if body is not None else set()
    for t in body.find_all(exp.Table) if body is not None else ():
        if t.db or t.catalog:
            out.append(Problem("DSL411", f"'{t.sql('sqlite')}' names another schema",
                               *node_position(sql_text, t, st.start), "read the domain's own tables, without a schema prefix"))
        elif t.name.lower() not in declared and t.name.lower() not in ctes:
            out.append(Problem("DSL412", f"'{t.name}' is not a table declared above",
                               *node_position(sql_text, t, st.start), did_you_mean(t.name.lower(), declared) or "declare the table first"))
    return out
