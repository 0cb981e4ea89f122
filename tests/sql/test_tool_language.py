"""The second edition of the tool language, one feature at a time: lists of objects, `with`
fragments, `rows` and arithmetic lets, `for_each` guards, error texts, scoping rules; each
mistake found by the one analysis of the tool, at its place."""
import json

import pytest
import yaml

from dslgen.spec.tools import ToolSpec
from dslgen.sql import Database, analyze_tool, compile_tool, parse_schema

SCHEMA = parse_schema("CREATE TABLE stock (sku TEXT PRIMARY KEY, qty INTEGER NOT NULL, price NUMERIC NOT NULL);")
SEED = {"stock": [("a", 5, 2.5), ("b", 0, 10), ("c", 2, 4)]}
ORDER = {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"},
                                                                     "n": {"type": "integer"}},
                                     "required": ["sku", "n"]}}


def tool(text: str) -> ToolSpec:
    return ToolSpec.model_validate(yaml.safe_load(text))


def problems(text: str) -> list[tuple]:
    return [(p.problem.code, p.path, p.problem.message) for p in analyze_tool(tool(text), SCHEMA).problems]


@pytest.fixture(scope="module")
def session():
    with Database(SCHEMA, SEED).fork() as s:
        yield s


ORDER_TOOL = f"""
name: order
description: d
parameters:
  lines: {json.dumps(ORDER)}
with:
  priced: SELECT l.pos, l.sku, l.n, s.qty, s.price FROM lines AS l LEFT JOIN stock AS s ON s.sku = l.sku
let:
  total: SELECT SUM(n * price) FROM priced
guards:
  - for_each: lines
    checks:
      - require: SELECT COUNT(*) FROM stock WHERE sku = :sku
        error: "line {{pos}}: no sku {{sku}}"
      - reject: SELECT qty FROM stock WHERE sku = :sku AND qty < :n
        error: "line {{pos}}: only {{qty}} of {{sku}}, not {{n}} (order total {{total}})"
returns:
  value: SELECT :total
"""


def test_for_each_first_failing_item_and_check_wins(session):
    t = compile_tool(tool(ORDER_TOOL), SCHEMA)
    call = lambda lines: session.call(t, {"lines": lines}).output  # noqa: E731
    assert call([{"sku": "a", "n": 2}, {"sku": "c", "n": 1}]) == "9"  # 2 × 2.5 + 4: an exact amount
    assert call([{"sku": "a", "n": 9}, {"sku": "zz", "n": 1}]) == "line 0: only 5 of a, not 9 (order total 22.5)"
    assert call([{"sku": "a", "n": 1}, {"sku": "zz", "n": 1}, {"sku": "b", "n": 1}]) == "line 1: no sku zz"
    assert call([]) == "null"


def test_rows_let_is_a_table_read_after_the_writes(session):
    t = compile_tool(tool("""
name: restock
description: d
let:
  before:
    rows: SELECT sku, qty FROM stock ORDER BY sku
writes:
  - UPDATE stock SET qty = qty + 10
returns:
  rows: SELECT b.sku, b.qty AS old, s.qty AS new FROM before AS b JOIN stock AS s ON s.sku = b.sku ORDER BY b.pos
"""), SCHEMA)
    with Database(SCHEMA, SEED).fork() as s:
        assert json.loads(s.call(t, {}).output) == [{"sku": "a", "old": 5, "new": 15}, {"sku": "b", "old": 0, "new": 10},
                                                   {"sku": "c", "old": 2, "new": 12}]


@pytest.mark.parametrize("text, expected", [
    # a list of objects whose property is itself an object
    ("""name: t\ndescription: d\nparameters:\n  xs: {type: array, items: {type: object, properties: {a: {type: object}}}}
sql: SELECT pos FROM xs""", [("DSL413", ("parameters", "xs", "items"), "list 'xs': item property 'a' cannot be a column")]),
    # for_each over something that is not a list
    ("""name: t\ndescription: d\nparameters:\n  x: {type: string}\nguards:\n  - for_each: x
    checks: [{require: SELECT 1, error: e}]\nsql: SELECT :x AS x""",
     [("DSL404", ("guards", 0, "for_each"), "for_each names 'x', which is not a list parameter or rows let")]),
    # arithmetic over a parameter that is not declared
    ("""name: t\ndescription: d\nlet:\n  r: {arithmetic: expr}\nsql: SELECT :r AS r""",
     [("DSL404", ("let", "r", "arithmetic"), "arithmetic reads 'expr', which is not declared")]),
    # a fragment sees parameters, not let values
    ("""name: t\ndescription: d\nwith:\n  f: SELECT :n AS v\nlet:\n  n: SELECT 1\nsql: SELECT v FROM f""",
     [("DSL404", ("with", "f"), "':n' is used before its definition")]),
    # a CTE named like one of the tool's own tables
    ("""name: t\ndescription: d\nwith:\n  f: SELECT sku FROM stock\nsql: WITH f AS (SELECT 1 AS sku) SELECT sku FROM f""",
     [("DSL414", ("sql",), "the CTE 'f' hides the tool's own table of that name")]),
    # a rows let column without a name
    ("""name: t\ndescription: d\nlet:\n  r: {rows: SELECT COUNT(*) FROM stock}\nsql: SELECT pos FROM r""",
     [("DSL413", ("let", "r", "rows"), "rows let 'r': column 'COUNT(*)' cannot be read as a column")]),
    # an error text naming nothing known
    ("""name: t\ndescription: d\nparameters:\n  sku: {type: string}\nguards:
  - require: SELECT COUNT(*) FROM stock WHERE sku = :sku\n    error: "no {skuu}"\nsql: SELECT qty FROM stock WHERE sku = :sku""",
     [("DSL409", ("guards", 0, "error"), "the error text names '{skuu}', which has no value here")]),
    # a document shows column names, and the engines name COUNT(*) differently
    ("""name: t\ndescription: d\nsql: SELECT COUNT(*) FROM stock""",
     [("DSL415", ("sql",), "the column 'COUNT(*)' has a different name on each engine")]),
    # a list parameter is a table, not a value
    ("""name: t\ndescription: d\nparameters:\n  xs: {type: array}\nsql: SELECT :xs AS v""",
     [("DSL404", ("sql",), "':xs' is a table here, not a value")]),
])
def test_mistakes_at_their_place(text, expected):
    assert problems(text) == expected


def test_arithmetic_error_text_gets_the_reason(session):
    t = compile_tool(tool("""
name: calc
description: d
parameters:
  e: {type: string}
let:
  v: {arithmetic: e, round: 1, error: "cannot compute {e}: {reason}"}
returns:
  value: SELECT :v
"""), SCHEMA)
    assert session.call(t, {"e": "1/3"}).output == "0.3"
    assert session.call(t, {"e": "1/(2-2)"}).output == "cannot compute 1/(2-2): division by zero"


def test_error_texts_fill_names_only():
    from dslgen.sql.executor import fill

    values = {"n": 2.0, "none": None, "ok": True, "s": "x"}
    assert fill("{n} {none} {ok} {s} {{literal}}", values) == "2 null true x {literal}"
    # no format mini-language: attributes, indexes, specs and stray braces stay as written
    assert fill("{s.__class__} {0} {n:>5} { }", values) == "{s.__class__} {0} {n:>5} { }"
