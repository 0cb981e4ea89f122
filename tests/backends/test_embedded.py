"""The embedded SmolLM2-135M model, constrained by llguidance through Outlines."""
import json
import time

import jsonschema
import pytest

from dslgen.backends import (
    ContextLimitExceeded,
    agent_turn_schema,
    clear_backends,
    make_backend,
    parse_agent_turn,
    user_turn_schema,
)
from dslgen.spec.model_settings import ModelSpec

pytestmark = pytest.mark.model

REQUESTS = [
    "Please cancel order #W2378156, I ordered it by mistake.",
    "What is the status of my order #W4817420?",
    "I'm Yusuf Rossi, zip 19122. Can you find my account?",
    "My email is mia.garcia2723@example.com, look me up please.",
    "Change the address of order #W8267830 to 45 Elm St, Austin, TX 78701, USA.",
    "I want to return the lamp (item 6242772310) from order #W7242815 to my gift card.",
    "Exchange item 1725100896 in order #W5866402 for item 2190871011, pay with paypal_3024827.",
    "Which product types do you sell?",
    "Show me the details of product 6086499569.",
    "Pay for pending order #W2611340 with credit_card_4466831 instead.",
]


def system_prompt(tools: list[dict]) -> str:
    lines = [f"- {t['name']}({', '.join(t['parameters'].get('properties', {}))})" for t in tools]
    return ("You are a retail customer service agent. Answer with one tool call as JSON "
            '{"tool": name, "arguments": {...}}. Tools:\n' + "\n".join(lines))


@pytest.fixture(scope="module")
def agent():
    # max_string 32 (retail ids, emails and names fit) keeps the wall time down: at
    # temperature 1.0 the 135M model often fills a free string to its bound.
    # bench/backends_constraints.py runs the default of 200: 100/100 valid there too.
    clear_backends()
    yield make_backend(ModelSpec(temperature=1.0, max_string=32), "agent")
    clear_backends()


def test_100_seeds_give_100_valid_retail_tool_calls(agent, retail_tools):
    schema = agent_turn_schema(retail_tools, allow_reply=False)
    params = {t["name"]: t["parameters"] for t in retail_tools}
    system = {"role": "system", "content": system_prompt(retail_tools)}
    names, t0 = [], time.monotonic()
    for seed in range(100):
        user = {"role": "user", "content": REQUESTS[seed % len(REQUESTS)]}
        kind, call = parse_agent_turn(agent.generate_json([system, user], schema, seed=seed))
        assert kind == "tool"
        jsonschema.validate(call["arguments"], params[call["name"]])  # the tool's own schema
        names.append(call["name"])
    elapsed = time.monotonic() - t0
    print(f"100 calls in {elapsed:.1f}s, {len(set(names))} distinct tools, "
          f"re-samples {agent.stats.resamples}")
    # the constraint alone got every one right: nothing needed re-sampling
    assert agent.stats.resamples == 0
    assert len(set(names)) >= 3  # the requests really steer different tools


def test_user_turn_and_reply_turn(agent, retail_tools):
    msgs = [{"role": "system", "content": "You are a customer. Reply as JSON."},
            {"role": "user", "content": "Hello, how can I help you today?"}]
    turn = agent.generate_json(msgs, user_turn_schema(), seed=3)
    jsonschema.validate(turn, user_turn_schema())
    value = agent.generate_json(msgs, agent_turn_schema(retail_tools), seed=4)
    assert parse_agent_turn(value)[0] in ("reply", "tool")


def test_tool_history_renders_and_text_generation(agent):
    msgs = [
        {"role": "user", "content": "status of #W1?"},
        {"role": "assistant", "content": None, "tool_calls": [{
            "id": "c1", "function": {"name": "get_order_details",
                                     "arguments": json.dumps({"order_id": "#W1"})}}]},
        {"role": "tool", "tool_call_id": "c1", "content": '{"status": "pending"}'},
    ]
    prompt, _ = agent.render(msgs)
    assert "[result of get_order_details]" in prompt and prompt.count("<|im_start|>user") == 2
    assert agent.generate_text(msgs, max_tokens=16, seed=1).strip()


def test_context_is_counted_in_model_tokens_and_enforced(agent):
    msgs = [{"role": "user", "content": "hello world"}]
    n = agent.count_tokens(msgs)
    out = agent.llama.create_completion(agent.render(msgs)[0], max_tokens=1)
    assert n == out["usage"]["prompt_tokens"]
    long = [{"role": "user", "content": "order " * 9000}]
    with pytest.raises(ContextLimitExceeded) as e:
        agent.generate_text(long, max_tokens=16)
    assert e.value.prompt_tokens > 9000 and e.value.context_window == 8192


def test_kv_prefix_stays_warm_across_turns(agent):
    """The second turn evaluates only the new messages, not the whole history again."""
    history = [{"role": "system", "content": "You are a helpful retail agent. " * 20},
               {"role": "user", "content": "Hi, I need help with an order."}]
    agent.generate_text(history, max_tokens=4, seed=1)
    evaluated: list[int] = []
    real_eval = agent.llama.eval
    agent.llama.eval = lambda tokens: (evaluated.append(len(tokens)), real_eval(tokens))[1]
    try:
        history += [{"role": "assistant", "content": "Sure, which order?"},
                    {"role": "user", "content": "Order #W1."}]
        agent.generate_text(history, max_tokens=4, seed=2)
    finally:
        del agent.llama.eval
    prompt_tokens = agent.count_tokens(history)
    assert prompt_tokens > 150
    # the new turns (~25 tokens) plus up to 4 generated ones; not the ~170-token history
    assert sum(evaluated) < 45, evaluated
