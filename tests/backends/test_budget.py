"""The output budget adapts to the context window; where it cannot, a clear problem."""
import jsonschema

from dslgen.backends import agent_turn_schema, bound_schema, max_output_tokens
from dslgen.backends.budget import OUTPUT_SHARE, budget_problem, fit_output
from dslgen.backends.scripted import ScriptedBackend
from dslgen.spec.model_settings import ModelSpec


def test_bounds_that_fit_are_left_as_configured(retail_tools):
    union = agent_turn_schema(retail_tools)
    fit = fit_output(union, max_string=200, max_items=8, context_window=8192)
    assert (fit.max_string, fit.max_items, fit.max_item_string) == (200, 8, 64)
    assert fit.bounded == bound_schema(union) and fit.fits


def test_a_wide_union_shrinks_its_bounds_to_fit_the_window(wide_tools):
    union = agent_turn_schema(wide_tools)
    assert max_output_tokens(bound_schema(union)) > 8192  # as configured it cannot run at all
    fit = fit_output(union, max_string=200, max_items=8, context_window=8192)
    assert fit.fits and fit.budget <= 8192 * OUTPUT_SHARE
    assert fit.budget > 8192 * OUTPUT_SHARE * 0.75  # the largest that fits, not the smallest
    assert 16 <= fit.max_string < 200 and 1 <= fit.max_items < 8
    assert budget_problem(ModelSpec(), union, "agent") is None


def test_what_cannot_fit_names_the_role_and_the_setting(wide_tools):
    union = agent_turn_schema(wide_tools)
    problem = budget_problem(ModelSpec(n_ctx=512), union, "agent")
    assert problem is not None
    assert problem.message.startswith("agent: its longest structured output needs")
    assert "256 of its 512-token window" in problem.message
    assert "models.agent.n_ctx" in problem.hint


def test_shrunk_bounds_never_go_below_declared_minimums():
    schema = {"type": "object", "required": ["code", "tags"], "properties": {
        "code": {"type": "string", "minLength": 40},
        "tags": {"type": "array", "minItems": 3, "items": {"type": "string", "minLength": 20}}}}
    fit = fit_output(schema, max_string=200, max_items=8, context_window=100)
    assert not fit.fits  # the smallest bounds, and still satisfiable
    props = fit.bounded["properties"]
    assert props["code"]["maxLength"] == 40 and props["tags"]["maxItems"] == 3
    assert props["tags"]["items"]["maxLength"] == 20


def test_a_backend_plans_with_the_fitted_bounds_and_validates_against_the_original(wide_tools):
    union = agent_turn_schema(wide_tools)
    b = ScriptedBackend(ModelSpec(backend="scripted", n_ctx=8192), "agent")
    plan = b.plan(union)
    assert plan.budget <= 4096 and plan.original is union
    long_name = "x" * 150  # longer than the fitted maxLength; the original allows it
    call = {"tool": "lookup_3", "arguments": {"field_0": long_name, "field_1": "a",
                                              "field_2": "b"}}
    assert plan.fit.max_string < 150
    b.outputs.append(call)
    assert b.generate_json([{"role": "user", "content": "hi"}], union) == call
    jsonschema.validate(call, union)
