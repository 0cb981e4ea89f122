"""One SQL, two engines (issue 14.6): every construct `check` accepts runs the same on SQLite and
PostgreSQL, every construct used by the shipped domains and examples is one of them, and any
other construct is a DSL415 diagnostic that names it."""
from pathlib import Path

import pytest

from dslgen import api
from dslgen.spec.tools import ToolSpec
from dslgen.sql import Database, analyze_tool, compile_tool, parse_schema
from dslgen.sql import analysis as an
from dslgen.sql.portable import PORTABLE

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = parse_schema("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, x DOUBLE PRECISION, d NUMERIC, "
                      "s TEXT, b BOOLEAN);")
ROWS = [(1, 1, 2.675, 1.25, "apple", True), (2, 1, -0.15, 10, "Banana", False), (3, 3, 0.5, 0.1, "b_x", True),
        (4, 0, 1.5, 2.5, None, None), (5, -7, -2.5, -3.75, "bx", False), (6, None, None, None, "B%", True)]
SHIPPED = [ROOT / "specs" / "retail.yaml", ROOT / "examples" / "minimal" / "spec.yaml",
           ROOT / "examples" / "clinic" / "spec.yaml", ROOT / "tests" / "domains" / "flights" / "spec.yaml"]
EXAMPLES = sorted(set(PORTABLE.values()))


def _tool(sql: str):
    return compile_tool(ToolSpec(name="q", description="d", parameters={"p": {"type": "string", "informational": True}},
                                 sql=sql), SCHEMA)


@pytest.fixture(scope="module")
def databases(request):
    url = request.getfixturevalue("postgres_url")
    return Database(SCHEMA, {"t": ROWS}), Database(SCHEMA, {"t": ROWS}, "postgresql", url, name="portable")


@pytest.mark.postgres
@pytest.mark.parametrize("sql", EXAMPLES)
def test_every_portable_construct_gives_the_same_result(databases, sql):
    tool = _tool(sql)
    results = []
    for db in databases:
        with db.fork() as s:
            out = s.call(tool, {"p": "b%"})
            results.append((out.output, out.is_error, s.digest()))
    assert not results[0][1], results[0][0]
    assert results[0] == results[1]


def test_every_construct_has_an_example_that_uses_it():
    for cls, sql in PORTABLE.items():
        ast = an.parse(sql)
        assert not isinstance(ast, an.Problem), sql
        assert any(isinstance(n, cls) for n in ast.walk()), f"{cls.__name__}: {sql}"
        assert analyze_tool(ToolSpec(name="q", description="d", parameters={"p": {"type": "string", "informational": True}}, sql=sql),
                            SCHEMA).problems == (), sql


def test_the_shipped_domains_use_only_portable_constructs():
    for spec in SHIPPED:
        plan = api.compile_file(spec)
        texts = [s.sql for t in plan.tools for s in t.statements]
        texts += [c.sql for task in plan.tasks for c in task.rubric.final_state]
        for text in texts:
            used = {type(n) for n in an.parse(text).walk()}
            assert used <= set(PORTABLE), (spec.name, text, used - set(PORTABLE))


@pytest.mark.parametrize("sql, named", [
    ("SELECT id FROM t WHERE s GLOB 'b*'", "GLOB"),
    ("SELECT json_extract(s, '$.a') AS v FROM t", "a JSON function"),
    ("SELECT json_extract(s, '$[#-1]') AS v FROM t", "a JSON function"),
    ("SELECT group_concat(s) AS v FROM t", "GROUP_CONCAT"),
    ("SELECT MAX(n, 2) AS v FROM t", "MAX(a, b)"),
    ("SELECT SUBSTR(s, 2) AS v FROM t", "SUBSTR"),
    ("SELECT random() AS v", "RANDOM()"),
    ("SELECT date('now') AS v", "DATE"),
    ("SELECT CAST(s AS DATE) AS v FROM t", "type DATE"),
    ("SELECT printf('%d', n) AS v FROM t", "function 'printf'"),
    ("SELECT id FROM t WHERE s LIKE 'b!%' ESCAPE '!'", "LIKE … ESCAPE"),
])
def test_constructs_that_do_not_translate_are_named(sql, named):
    problems = [p.problem for p in analyze_tool(ToolSpec(name="q", description="d", sql=sql), SCHEMA).problems]
    assert [(p.code, p.message) for p in problems] == [("DSL415", f"{named} does not translate to PostgreSQL")]
    assert problems[0].hint
