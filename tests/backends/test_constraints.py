import json

import jsonschema
import pytest

from dslgen.backends.constraints import (
    agent_turn_schema,
    bound_schema,
    max_json_chars,
    max_output_tokens,
    parse_agent_turn,
    tagged_branches,
    user_turn_schema,
)


def test_bound_schema_bounds_every_repetition():
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "code": {"type": "string", "maxLength": 500},
            "short": {"type": "string", "maxLength": 5},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "when": {"type": "string", "format": "date"},
            "n": {"type": "integer", "minimum": 0},
            "x": {"type": "number"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }
    b = bound_schema(schema, max_string=50, max_items=3)
    p = b["properties"]
    assert p["name"]["maxLength"] == 50
    assert p["code"]["maxLength"] == 50  # tightened to the cap
    assert p["short"]["maxLength"] == 5  # a tighter bound is kept
    assert "maxLength" not in p["kind"] and "maxLength" not in p["when"]
    assert p["n"]["minimum"] == 0 and p["n"]["maximum"] == 999_999_999
    assert p["x"]["minimum"] == -999_999_999
    assert p["tags"]["maxItems"] == 3 and p["tags"]["items"]["maxLength"] == 50
    assert b["additionalProperties"] is False
    assert "maxLength" not in schema["properties"]["name"]  # the input is not mutated


def test_bounded_schema_is_a_narrowing(retail_tools):
    # whatever the bounded union accepts, the original accepts too
    original = agent_turn_schema(retail_tools)
    bounded = bound_schema(original, max_string=20)
    value = {"tool": "cancel_pending_order",
             "arguments": {"order_id": "#W123", "reason": "no longer needed"}}
    jsonschema.validate(value, bounded)
    jsonschema.validate(value, original)
    too_long = {"reply": "x" * 21}
    jsonschema.validate(too_long, original)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(too_long, bounded)


def test_max_json_chars_matches_the_longest_value():
    schema = bound_schema({
        "type": "object",
        "properties": {"s": {"type": "string"}, "b": {"type": "boolean"},
                       "a": {"type": "array", "items": {"type": "integer",
                                                        "minimum": 0, "maximum": 99}}},
        "required": ["s", "b", "a"],
    }, max_string=10, max_items=2)
    longest = {"s": "x" * 10, "b": False, "a": [99, 99]}
    text = json.dumps(longest, separators=(", ", ": "))
    assert max_json_chars(schema) == len(text)


def test_unbounded_schema_has_no_max():
    assert max_json_chars({"type": "string"}) is None
    assert max_json_chars({"type": "object"}) is None
    assert max_output_tokens({"type": "string"}, fallback=77) == 77


def test_retail_union_budget_is_finite_and_fits_the_context(retail_tools):
    bounded = bound_schema(agent_turn_schema(retail_tools))
    budget = max_output_tokens(bounded)
    # the longest branch is an address change: 7 strings of at most 200 chars
    assert 7 * 200 < budget < 2000  # array items are capped tighter (ids, tags)


def test_agent_turn_parses_back_unambiguously(retail_tools):
    schema = agent_turn_schema(retail_tools)
    reply = {"reply": "Sure, what is your order id?"}
    call = {"tool": "get_order_details", "arguments": {"order_id": "#W1"}}
    for value in (reply, call):
        jsonschema.validate(value, schema)
    assert parse_agent_turn(reply) == ("reply", "Sure, what is your order id?")
    assert parse_agent_turn(call) == ("tool", {"name": "get_order_details",
                                               "arguments": {"order_id": "#W1"}})
    with pytest.raises(ValueError):
        parse_agent_turn({"reply": "x", "tool": "y"})


@pytest.mark.parametrize("bad", [
    {"tool": "get_order_details", "arguments": {}},  # missing required argument
    {"tool": "no_such_tool", "arguments": {}},
    {"tool": "cancel_pending_order", "arguments": {"order_id": "#W1", "reason": "bored"}},
    {"tool": "get_order_details", "arguments": {"order_id": "#W1"}, "extra": 1},
    {"reply": ""},
])
def test_agent_turn_schema_rejects_invalid_turns(retail_tools, bad):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, agent_turn_schema(retail_tools))


def test_agent_turn_without_reply_forces_a_tool(retail_tools):
    schema = agent_turn_schema(retail_tools, allow_reply=False)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"reply": "hi"}, schema)


def test_tool_defs_are_hoisted_so_refs_resolve():
    tool = {"name": "ship", "parameters": {
        "type": "object",
        "properties": {"to": {"$ref": "#/$defs/Addr"}},
        "required": ["to"],
        "$defs": {"Addr": {"type": "object", "properties": {"zip": {"type": "string"}},
                           "required": ["zip"]}},
    }}
    schema = agent_turn_schema([tool])
    assert "ship__Addr" in schema["$defs"]
    jsonschema.validate({"tool": "ship", "arguments": {"to": {"zip": "1"}}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"tool": "ship", "arguments": {"to": {}}}, schema)
    assert max_json_chars(bound_schema(schema)) is not None


def test_user_turn_schema():
    schema = user_turn_schema()
    jsonschema.validate({"message": "hi", "is_task_complete": False}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"message": "hi"}, schema)
    assert max_output_tokens(schema) < 500


def test_a_tagged_branch_accepts_and_rejects_exactly_as_the_union(retail_tools):
    union = agent_turn_schema(retail_tools)
    key, branches = tagged_branches(union)
    assert key == "tool" and len(branches) == len(retail_tools)
    whole = jsonschema.Draft202012Validator(union)
    values = [
        {"tool": "get_order_details", "arguments": {"order_id": "#W1"}},
        {"tool": "get_order_details", "arguments": {}},  # a required argument missing
        {"tool": "get_order_details", "arguments": {"order_id": "#W1", "x": 1}},
        {"tool": "get_order_details", "arguments": {"order_id": 5}},
        {"tool": "cancel_pending_order", "arguments": {"order_id": "#W1", "reason": "nope"}},
    ]
    for value in values:
        branch = jsonschema.Draft202012Validator(branches[value["tool"]])
        assert branch.is_valid(value) == whole.is_valid(value), value


def test_unions_without_a_tag_are_not_split():
    assert tagged_branches(user_turn_schema()) is None
    assert tagged_branches({"anyOf": [{"type": "string"}, {"type": "integer"}]}) is None
    loose = {"anyOf": [{"type": "object", "properties": {"t": {"const": "a"}}, "required": ["t"]},
                       {"type": "object"}]}  # the second branch could hold any "t"
    assert tagged_branches(loose) is None
