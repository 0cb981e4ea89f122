import asyncio

import pytest
from pydantic import BaseModel

from dslgen.backends import (
    Backend,
    ContextLimitExceeded,
    agent_turn_schema,
    clear_backends,
    make_backend,
    user_turn_schema,
)
from dslgen.backends.scripted import ScriptedBackend
from dslgen.errors import BackendError
from dslgen.spec.model_settings import ModelSpec

MSGS = [{"role": "user", "content": "where is my order"}]


def scripted(outputs, **settings) -> ScriptedBackend:
    return ScriptedBackend(ModelSpec(backend="scripted", **settings), "agent", outputs)


def test_valid_value_is_returned_and_satisfies_the_protocol(retail_tools):
    call = {"tool": "get_order_details", "arguments": {"order_id": "#W1"}}
    b = scripted([call])
    assert isinstance(b, Backend)
    assert b.generate_json(MSGS, agent_turn_schema(retail_tools)) == call
    assert b.stats.resamples == 0


def test_invalid_outputs_are_resampled_with_new_seeds_and_counted(retail_tools):
    good = {"tool": "get_user_details", "arguments": {"user_id": "u1"}}
    b = scripted([
        "not json at all",
        {"tool": "get_user_details", "arguments": {}},  # missing argument
        good,
    ])
    assert b.generate_json(MSGS, agent_turn_schema(retail_tools), seed=5) == good
    assert (b.stats.unparsable, b.stats.invalid_outputs) == (1, 1)
    seeds = [r["seed"] for r in b.requests]
    assert seeds[0] == 5 and len(set(seeds)) == 3


def test_invalid_output_is_never_returned(retail_tools):
    b = scripted([{"tool": "nope", "arguments": {}}] * 2, max_invalid_retries=1)
    with pytest.raises(BackendError, match="no valid structured output after 2") as e:
        b.generate_json(MSGS, agent_turn_schema(retail_tools))
    assert e.value.retryable
    assert b.stats.invalid_outputs == 2


def test_validation_uses_the_original_schema_not_the_bounded_one():
    # a canned value longer than the bounded form allows is still valid for the caller
    b = scripted([{"message": "x" * 300, "is_task_complete": True}], max_string=10)
    assert b.generate_json(MSGS, user_turn_schema())["message"] == "x" * 300


def test_pydantic_type_as_schema():
    class Turn(BaseModel):
        message: str
        is_task_complete: bool

    b = scripted([{"message": "hi", "is_task_complete": False}])
    assert b.generate_json(MSGS, Turn) == Turn(message="hi", is_task_complete=False)


def test_context_limit_is_raised_before_generation():
    b = scripted(["unused"], n_ctx=50, max_tokens=40)
    long = [{"role": "user", "content": "word " * 20}]
    with pytest.raises(ContextLimitExceeded) as e:
        b.generate_text(long)
    assert (e.value.prompt_tokens, e.value.output_budget, e.value.context_window) == (24, 40, 50)
    assert not e.value.retryable
    assert b.requests == []  # nothing was generated
    assert b.generate_text(long, max_tokens=20) == "unused"


def test_async_variants():
    b = scripted(["hello", {"message": "ok", "is_task_complete": True}])

    async def run():
        return (await b.agenerate_text(MSGS),
                await b.agenerate_json(MSGS, user_turn_schema()))

    assert asyncio.run(run()) == ("hello", {"message": "ok", "is_task_complete": True})


def test_running_out_of_canned_outputs_is_a_backend_error():
    with pytest.raises(BackendError, match="no canned outputs left"):
        scripted([]).generate_text(MSGS)


def test_make_backend_keeps_one_instance_per_role_and_spec():
    clear_backends()
    spec = ModelSpec(backend="scripted", outputs=["a"])
    a1, a2 = make_backend(spec, "agent"), make_backend(spec, "agent")
    u = make_backend(spec, "user")
    assert a1 is a2 and u is not a1
    assert make_backend(spec.model_copy(update={"temperature": 0.1}), "agent") is not a1
    clear_backends()


def test_api_key_stays_out_of_repr():
    spec = ModelSpec(backend="openai", api_key="sk-secret")
    assert "sk-secret" not in repr(spec)
    assert "sk-secret" not in spec.model_dump_json()
