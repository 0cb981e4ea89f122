"""schema.sql holds declarations of the domain's own tables only (issue 10.2): anything that
would run (ATTACH, PRAGMA, writes, COPY, file-reading functions) is a diagnostic at its place,
as is a table declared twice, a dropped table or a statement sqlglot cannot read."""
import pytest

from dslgen.errors import RunError
from dslgen.sql.dialects import schema_sql
from dslgen.sql.schema_rules import schema_problems

BASE = "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT);\n"

ATTACKS = {
    "ATTACH DATABASE '/tmp/x.db' AS x": ("DSL411", 2, 1),
    "CREATE TABLE x.t2 (a INT)": ("DSL411", 2, 16),
    "PRAGMA writable_schema = 1": ("DSL411", 2, 1),
    "INSERT INTO t VALUES (1, 'a')": ("DSL411", 2, 1),
    "DROP TABLE t": ("DSL411", 2, 1),
    "COPY t FROM '/etc/passwd'": ("DSL411", 2, 1),
    "SELECT load_extension('/tmp/evil')": ("DSL411", 2, 1),
    "CREATE VIEW v AS SELECT pg_read_file('/etc/hostname') AS h": ("DSL411", 2, 25),
    "CREATE TABLE w (a TEXT DEFAULT (readfile('/etc/passwd')))": ("DSL411", 2, 33),
    "CREATE VIEW v AS SELECT a FROM main.t": ("DSL411", 2, 37),
    "CREATE TEMP TABLE w (a INT)": ("DSL411", 2, 1),
    "CREATE VIRTUAL TABLE f USING fts5(a)": ("DSL411", 2, 1),
    "CREATE TABLE w AS SELECT * FROM t": ("DSL411", 2, 1),
    "CREATE TABLE t (a INT)": ("DSL412", 2, 14),
    "CREATE TABEL w (a INT)": ("DSL400", 2, 1),
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET b = 'x'; END": ("DSL415", 2, 1),
}


@pytest.mark.parametrize("statement", ATTACKS)
def test_only_declarations(statement):
    problems = schema_problems(BASE + statement + ";\n")
    assert [(p.code, p.line, p.col) for p in problems] == [ATTACKS[statement]]
    with pytest.raises(RunError):  # and nothing of it runs, even without `check`
        schema_sql(BASE + statement + ";\n", "sqlite")


def test_declarations_pass():
    text = (BASE + "CREATE UNIQUE INDEX t_b ON t (b);\n"
            "CREATE VIEW named AS SELECT a, UPPER(b) AS b FROM t WHERE b IS NOT NULL;\n"
            "CREATE TABLE untyped (x, y);\n")
    assert schema_problems(text) == []
    assert len(schema_sql(text, "postgresql")) == 4


def test_an_index_or_view_reads_declared_tables():
    problems = schema_problems(BASE + "CREATE INDEX i ON tt (a);\n")
    assert [(p.code, p.message, p.hint) for p in problems] == [
        ("DSL412", "'tt' is not a table declared above", "did you mean 't'?")]
