"""Tool expansion with a scripted generator: a tool is admitted only when it passes the checks
of a hand-written tool and runs on the seed data with sampled arguments."""
import yaml

from dslgen.backends.scripted import ScriptedBackend
from dslgen.spec.model_settings import ModelSpec
from dslgen.spec.tools import ToolSpec, ToolsFile
from dslgen.synthesis.artifacts import tools_yaml
from dslgen.synthesis.tool_checks import ToolChecker
from dslgen.synthesis.tool_expansion import expand_tools


def tool(tool_name, sql, **params):
    return {"name": tool_name, "description": f"{tool_name} tool", "sql": sql,
            "parameters": [{"name": p, "type": t, "description": ""} for p, t in params.items()]}


OUTPUTS = [
    tool("count_orders_by_status", "SELECT COUNT(*) AS n FROM orders WHERE status = :status", status="string"),
    tool("order_status", "SELECT statuz FROM orders WHERE order_id = :order_id", order_id="string"),  # bad column
    # passes every check, but the sampled product id exists already: the insert breaks the key
    tool("add_product", "INSERT INTO products (product_id, name) VALUES (:product_id, :name)",
         product_id="string", name="string"),
    tool("get_order_details", "SELECT * FROM orders WHERE order_id = :order_id", order_id="string"),
    tool("orders_of", "SELECT order_id FROM orders WHERE user_id = :user_id", user_id="integer"),  # DSL407
    {"name": "Not A Name"},
]


def test_each_tool_admission_check_rejects_its_proposal(retail_plan, seed_db):
    backend = ScriptedBackend(ModelSpec(backend="scripted", max_invalid_retries=0), "generator", list(OUTPUTS))
    result = expand_tools(retail_plan, backend, seed_db, count=len(OUTPUTS))
    assert [t.name for t in result.admitted] == ["count_orders_by_status"]
    reasons = {r.name: (r.reason, r.detail) for r in result.rejected}
    assert reasons["order_status"][0] == "diagnostics" and "DSL401 at sql line 1 col 8" in reasons["order_status"][1]
    assert "unknown column 'statuz'" in reasons["order_status"][1]
    assert reasons["add_product"][0] == "sample_error"
    assert "Error: add_product failed (IntegrityError)" in reasons["add_product"][1]
    assert reasons["get_order_details"][0] == "duplicate"
    assert reasons["orders_of"][0] == "diagnostics" and "DSL407" in reasons["orders_of"][1]
    assert reasons["proposal-5"][0] == "model_failed"
    assert "1 of 6 tools admitted" in result.summary("tools")


def test_admitted_tools_are_a_tools_yaml_fragment_that_loads(retail_plan, seed_db):
    backend = ScriptedBackend(ModelSpec(backend="scripted"), "generator", list(OUTPUTS[:1]))
    admitted = expand_tools(retail_plan, backend, seed_db, count=1).admitted
    text = tools_yaml(admitted, "Proposed by the generator; review before adding to tools.yaml.")
    assert text.startswith("# Proposed by the generator")
    assert ToolsFile.model_validate(yaml.safe_load(text)).tools == admitted


def test_findings_say_where_in_the_proposal(retail_plan):
    checker = ToolChecker(retail_plan.tools, retail_plan.schema)
    unread = ToolSpec.model_validate({"name": "t", "description": "d", "parameters": {"x": {"type": "string"}},
                                      "sql": "SELECT COUNT(*) AS n FROM orders"})
    assert [str(f) for f in checker.check(unread)[1]] == [
        "DSL405 at parameters.x: parameter 'x' is declared but no SQL reads it"]
    bad = ToolSpec.model_validate({"name": "t", "description": "d", "parameters": {"order_id": {"type": "string"}},
                                   "sql": "SELECT status FROM orders WHERE order_id = :order_id AND nope = 1"})
    tool, found = checker.check(bad)
    assert tool is None and [(f.code, f.where) for f in found] == [("DSL401", "sql line 1 col 58")]
    ok = ToolSpec.model_validate({"name": "t", "description": "d", "parameters": {"order_id": {"type": "string"}},
                                  "sql": "SELECT status FROM orders WHERE order_id = :order_id"})
    assert checker.check(ok)[0].name == "t" and checker.check(ok)[1] == []
