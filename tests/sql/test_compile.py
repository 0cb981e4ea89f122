"""compile_tool: parameter schemas, read/write from the SQL, return schemas, engine texts."""
import json

import jsonschema
import pytest

from dslgen.spec.tools import ToolSpec
from dslgen.sql import ToolCompileError, compile_tool, parse_schema
from dslgen.sql.dialects import schema_sql


def test_read_write_classification(retail_tools):
    writes = {n for n, t in retail_tools.items() if t.writes}
    assert writes == {"cancel_pending_order", "modify_pending_order_address", "modify_pending_order_payment",
                      "modify_pending_order_items", "return_delivered_order_items",
                      "exchange_delivered_order_items", "modify_user_address"}


def test_parameters_schema_matches_tau_bench_signatures(retail_tools):
    t = retail_tools["exchange_delivered_order_items"].parameters_schema
    assert t["required"] == ["order_id", "item_ids", "new_item_ids", "payment_method_id"]
    assert t["properties"]["item_ids"]["items"] == {"type": "string"}
    assert retail_tools["cancel_pending_order"].parameters_schema["properties"]["reason"]["enum"] == [
        "no longer needed", "ordered by mistake"]


def test_return_schema_of_a_nested_document(retail_tools):
    schema = retail_tools["get_order_details"].return_schema
    item = schema["properties"]["items"]["items"]
    assert item["properties"]["price"] == {"type": "number"}
    assert item["properties"]["options"] == {"type": "object", "additionalProperties": {"type": "string"}}
    assert "cancel_reason" not in schema["required"]  # omitted while null
    assert schema["properties"]["cancel_reason"] == {"type": "string"}
    methods = retail_tools["get_user_details"].return_schema["properties"]["payment_methods"]
    assert methods["additionalProperties"]["required"] == ["source", "id"]
    assert retail_tools["find_user_id_by_email"].return_schema == {"type": "string"}


def test_outputs_validate_against_their_return_schema(retail_db, retail_tools):
    calls = {"get_order_details": {"order_id": "#W2611340"}, "get_user_details": {"user_id": "noah_brown_6181"},
             "get_product_details": {"product_id": "9523456873"}, "list_all_product_types": {},
             "cancel_pending_order": {"order_id": "#W5765741", "reason": "ordered by mistake"}}
    with retail_db.fork() as s:
        for name, args in calls.items():
            jsonschema.validate(json.loads(s.call(retail_tools[name], args).output), retail_tools[name].return_schema)


def test_plan_json_shows_sql_and_schemas(retail_tools):
    out = retail_tools["cancel_pending_order"].to_json()
    assert out["writes"] is True and len(out["write_statements"]) == 3
    assert out["guards"][0] == {"require": "SELECT COUNT(*) FROM orders WHERE order_id = :order_id",
                                "error": "Error: order not found"}
    assert out["return_schema"]["type"] == "object"
    json.dumps(out)  # plain data


def test_parameters_are_bound_never_pasted(retail_tools):
    for tool in retail_tools.values():
        for stmt in tool.statements:
            assert "%(" in stmt.texts["postgresql"] or not stmt.params
            for name in stmt.params:
                assert f":{name}" in stmt.texts["sqlite"]


def test_array_parameter_is_a_table(retail_tools):
    stmt = retail_tools["return_delivered_order_items"].write_statements[1]
    assert "JSON_EACH(:item_ids)" in stmt.texts["sqlite"]
    assert "JSONB_ARRAY_ELEMENTS_TEXT" in stmt.texts["postgresql"]


def test_postgres_text_escapes_percent_and_types_placeholders(retail_tools):
    text = retail_tools["return_delivered_order_items"].guards[3].stmt.texts["postgresql"]
    assert "'%%gift_card%%'" in text and "CAST(%(payment_method_id)s AS TEXT)" in text


def test_schema_transpiles_for_postgres():
    schema = parse_schema("CREATE TABLE t (a TEXT PRIMARY KEY, b DOUBLE PRECISION, c BOOLEAN NOT NULL);")
    assert [c.json_type for c in schema.tables[0].columns] == ["string", "number", "boolean"]
    assert "DOUBLE PRECISION" in schema_sql(schema.sql, "postgresql")[0]


def test_compile_error_for_a_bad_statement(retail_schema):
    spec = ToolSpec(name="bad", description="d", writes=["DROP TABLE users"])
    with pytest.raises(ToolCompileError) as e:
        compile_tool(spec, retail_schema)
    assert e.value.problems[0].problem.code == "DSL406"


def test_sql_shorthand_returns_rows(retail_schema):
    spec = ToolSpec(name="names", description="d", sql="SELECT product_id, name FROM products ORDER BY name LIMIT 2")
    tool = compile_tool(spec, retail_schema)
    assert not tool.writes
    assert tool.return_schema["items"]["properties"] == {"product_id": {"type": "string"}, "name": {"type": "string"}}


def test_sql_shorthand_output_has_every_column_and_matches_its_schema(retail_schema, retail_db):
    spec = ToolSpec(name="names", description="d", sql="SELECT product_id, name FROM products ORDER BY name LIMIT 2")
    tool = compile_tool(spec, retail_schema)
    rows = json.loads(retail_db.fork().call(tool, {}).output)
    assert len(rows) == 2 and all(set(r) == {"product_id", "name"} and r["name"] for r in rows)
    jsonschema.validate(rows, tool.return_schema)
