"""Issue 10.2: SQL from a spec cannot touch the machine. schema.sql holds declarations only
(refused at check and at load), and every connection runs with the engine's guard rails on:
SQLite's authorizer, PostgreSQL's unprivileged dialogue role."""
import dataclasses
import shutil
from pathlib import Path

import pytest

from dslgen import api
from dslgen.errors import RunError
from dslgen.spec.tools import ToolSpec
from dslgen.sql import Database, ToolCompileError, compile_tool, parse_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = parse_schema("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT NOT NULL);")
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
HOSTNAME = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else "\0"

# what an engine must refuse on a dialogue's connection, whoever wrote the SQL
COMMON = ["ATTACH DATABASE '{tmp}/attached.db' AS x", "PRAGMA writable_schema = 1", "CREATE TABLE u (a INT)",
          "DROP TABLE t", "SELECT load_extension('{tmp}/evil')"]
POSTGRES = ["SELECT pg_read_file('/etc/hostname')", "COPY t FROM '/etc/hostname'",
            "SELECT lo_import('/etc/hostname')", "SELECT set_config('role', 'postgres', false)",
            "SELECT b FROM public.t", "COPY t TO PROGRAM 'id'", "SELECT pg_ls_dir('/')"]
SQLITE = ["SELECT readfile('/etc/hostname')", "SELECT writefile('{tmp}/w', 'x')",
          "SELECT * FROM pragma_table_info('t')", "CREATE VIRTUAL TABLE f USING fts5(a)"]


@pytest.fixture(scope="module", params=ENGINES)
def db(request):
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    return Database(SCHEMA, {"t": [(1, "seed")]}, request.param, url, name="guard_rails")


def _refused(session, sql: str) -> bool:
    try:
        session.conn.rows(sql, {})
    except Exception:  # noqa: BLE001 — the engine's refusal (not authorized, permission denied)
        return True
    return False


def test_the_engine_refuses_what_reaches_the_machine(db, tmp_path):
    attacks = COMMON + (POSTGRES if db.engine == "postgresql" else SQLITE)
    with db.fork() as session:
        for sql in attacks:
            assert _refused(session, sql.format(tmp=tmp_path)), sql
        assert session.query("SELECT b FROM t") == [{"b": "seed"}]  # the session still works
    assert list(tmp_path.iterdir()) == []  # no file attached, written or loaded


@pytest.mark.parametrize("sql", ["SELECT pg_read_file('/etc/hostname') AS v", "SELECT readfile('/etc/hostname') AS v",
                                 "SELECT load_extension('/tmp/evil') AS v"])
def test_a_tool_that_reads_files_gets_an_error_not_the_file(db, sql):
    with pytest.raises(ToolCompileError, match="does not translate"):  # refused before anything runs
        compile_tool(ToolSpec(name="leak", description="d", returns={"value": sql}), SCHEMA)
    # and were it compiled anyway, the engine refuses it
    tool = compile_tool(ToolSpec(name="leak", description="d", returns={"value": "SELECT 1 AS v"}), SCHEMA)
    stmt = dataclasses.replace(tool.doc.stmt, texts={"sqlite": sql, "postgresql": sql})
    tool = dataclasses.replace(tool, doc=dataclasses.replace(tool.doc, stmt=stmt))
    with db.fork() as session:
        result = session.call(tool, {})
    assert result.is_error and HOSTNAME not in result.output


def _spec_with_schema(tmp_path: Path, schema: str) -> Path:
    shutil.copytree(ROOT / "examples" / "minimal", tmp_path / "ex")
    (tmp_path / "ex" / "domain" / "schema.sql").write_text(
        (ROOT / "examples" / "minimal" / "domain" / "schema.sql").read_text() + schema)
    return tmp_path / "ex" / "spec.yaml"


def test_attach_in_schema_sql_is_refused_at_check_and_at_load(tmp_path):
    target = tmp_path / "stolen.db"
    spec = _spec_with_schema(tmp_path, f"\nATTACH DATABASE '{target}' AS x;\nCREATE TABLE x.t (a TEXT);\n")
    codes = [(d.code, d.span.line) for d in api.check_spec(spec) if d.code.startswith("DSL4")]
    assert codes == [("DSL411", 13), ("DSL411", 14)]
    with pytest.raises(RunError, match="ATTACH"):
        Database.from_domain(tmp_path / "ex" / "domain")
    assert not target.exists()


@pytest.mark.postgres
def test_pg_read_file_in_schema_sql_never_lands_anywhere(tmp_path, postgres_url):
    spec = _spec_with_schema(tmp_path, "\nCREATE VIEW host AS SELECT pg_read_file('/etc/hostname') AS h;\n")
    diags = [d for d in api.check_spec(spec) if d.code.startswith("DSL4")]
    assert [(d.code, d.message) for d in diags] == [("DSL411", "function 'pg_read_file' is not allowed in schema.sql")]
    with pytest.raises(RunError, match="pg_read_file") as info:
        Database.from_domain(tmp_path / "ex" / "domain", "postgresql", postgres_url)
    assert HOSTNAME not in str(info.value)
