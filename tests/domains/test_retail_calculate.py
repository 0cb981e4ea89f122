"""Retail's `calculate` (τ-bench's tool of that name) answers as τ-bench does, on both engines:
the reference is τ-bench's documented behaviour (Python's arithmetic on the characters
`0-9 + - * / ( ) .` and spaces, the result as a float rounded to 2 places)."""
import pytest

from dslgen.sql import Database

from sql.fixtures import RETAIL

ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
EXPRESSIONS = ["2 + 2", "(100 - 20) / 2", "10 / 3", "199.99 * 3 - 0.01", "-(2.5 + 0.5) * 4", "2 * -3 + 1",
               "0.1 + 0.2", "1 / 8", "((((7))))", "12345678901234 * 1000", "1 / 3 * 3", " 4 ", "-.5 * 2",
               "5 - 10", "2.675 * 1", "1000000 / 7"]
ERRORS = {"3 / 0": "Error: division by zero", "2 + x": "Error: invalid characters in expression",
          "import os": "Error: invalid characters in expression", "(1 + 2": "Error: invalid syntax",
          "1 +": "Error: invalid syntax", "": "Error: invalid syntax", "1 2": "Error: invalid syntax"}


def reference(expression: str) -> str:
    """τ-bench's output for a valid expression (eval over digits and operators only, as it does)."""
    assert set(expression) <= set("0123456789+-*/(). ")
    return str(round(float(eval(expression, {"__builtins__": None}, {})), 2))  # noqa: S307 — test oracle


@pytest.fixture(scope="module", params=ENGINES)
def session(request, retail_tools):
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    with Database.from_domain(RETAIL, request.param, url).fork() as s:
        yield s


def test_results_match_tau_bench(session, retail_tools):
    for expression in EXPRESSIONS:
        result = session.call(retail_tools["calculate"], {"expression": expression})
        assert (result.output, result.is_error) == (reference(expression), False), expression


def test_errors(session, retail_tools):
    for expression, text in ERRORS.items():
        result = session.call(retail_tools["calculate"], {"expression": expression})
        assert (result.output, result.is_error) == (text, True), expression


def test_calculate_is_declared_as_in_tau_bench(retail_tools):
    import json
    from pathlib import Path

    signatures = json.loads((Path(RETAIL).parents[1] / "tests" / "data" / "tau-bench-retail" /
                             "tool_signatures.json").read_text())
    ref = next(s for s in signatures if s["name"] == "calculate")["parameters"]
    ours = retail_tools["calculate"].parameters_schema
    assert ours["required"] == ref["required"] and set(ours["properties"]) == set(ref["properties"])
    assert not retail_tools["calculate"].writes
