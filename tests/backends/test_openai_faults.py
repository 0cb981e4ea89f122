"""The openai backend against a scripted server on loopback: faults, retries, fallbacks."""
import json
import socket
import time

import pytest

from dslgen.backends import ContextLimitExceeded, user_turn_schema
from dslgen.backends.openai_compat import _SERVER_MODES, OpenAICompatBackend
from dslgen.errors import BackendError
from dslgen.spec.model_settings import ModelSpec

from .mock_server import MockServer, chat_ok, garbage, slow, status

MSGS = [{"role": "user", "content": "hello there"}]
TURN = {"message": "where is my order?", "is_task_complete": False}


def backend(url: str, **settings) -> OpenAICompatBackend:
    opts = dict(backend="openai", base_url=url, model="m", backoff_s=0.01,
                max_backoff_s=1.0, timeout_s=2.0, max_retries=3)
    return OpenAICompatBackend(ModelSpec(**{**opts, **settings}), "agent")


def test_500s_then_success():
    with MockServer([status(500), status(503), chat_ok("hi!")]) as srv:
        b = backend(srv.url)
        assert b.generate_text(MSGS) == "hi!"
    assert b.stats.request_retries == 2
    assert len(srv.chat_requests()) == 3


def test_429_waits_for_retry_after():
    with MockServer([status(429, {"Retry-After": "0.3"}), chat_ok("ok")]) as srv:
        b = backend(srv.url)
        assert b.generate_text(MSGS) == "ok"
    (t0, t1) = [t for p, _, _, t in srv.requests if p.endswith("/completions")]
    assert t1 - t0 >= 0.3  # backoff_s alone would have waited at most 0.01s


def test_retry_after_is_capped_by_max_backoff():
    with MockServer([status(429, {"Retry-After": "3600"}), chat_ok("ok")]) as srv:
        t = time.monotonic()
        assert backend(srv.url, max_backoff_s=0.05).generate_text(MSGS) == "ok"
        assert time.monotonic() - t < 2


def test_timeout_then_success():
    with MockServer([slow(1.0, chat_ok("late")), chat_ok("fast")]) as srv:
        b = backend(srv.url, timeout_s=0.3)
        assert b.generate_text(MSGS) == "fast"
    assert b.stats.request_retries == 1


def test_timeouts_exhaust_retries_with_a_clear_error():
    with MockServer([slow(1.0, chat_ok("late"))] * 3) as srv:
        b = backend(srv.url, timeout_s=0.2, max_retries=2)
        with pytest.raises(BackendError) as e:
            b.generate_text(MSGS)
    msg = str(e.value)
    assert srv.url + "/chat/completions" in msg and "timed out after 0.2s" in msg
    assert "3 attempt(s)" in msg and e.value.retryable and e.value.hint


def test_garbage_json_is_retried_then_reported():
    with MockServer([garbage(), garbage(b'{"no": "choices"}'), garbage()]) as srv:
        b = backend(srv.url, max_retries=2)
        with pytest.raises(BackendError, match="malformed response") as e:
            b.generate_text(MSGS)
    assert srv.url in str(e.value)
    assert len(srv.chat_requests()) == 3


def test_server_down_connection_refused():
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    b = backend(url, max_retries=2)
    t = time.monotonic()
    with pytest.raises(BackendError) as e:
        b.generate_text(MSGS)
    assert time.monotonic() - t < 2  # bounded: 2 short backoffs
    assert f"{url}/chat/completions failed after 3 attempt(s)" in str(e.value)
    assert "connection refused" in str(e.value)
    assert b.stats.request_retries == 2


def test_client_error_is_not_retried_and_key_is_not_leaked():
    with MockServer([status(401, body='{"error": "bad key"}')]) as srv:
        b = backend(srv.url, api_key="sk-very-secret")
        with pytest.raises(BackendError, match="HTTP 401") as e:
            b.generate_text(MSGS)
    assert not e.value.retryable and len(srv.chat_requests()) == 1
    assert srv.requests[0][2]["Authorization"] == "Bearer sk-very-secret"
    assert "sk-very-secret" not in str(e.value) + str(e.value.hint)


def refuses_json_schema(req):
    if req.get("response_format", {}).get("type") == "json_schema":
        return 400, {}, b'{"error": "response_format type json_schema is not supported"}'
    return chat_ok(TURN)(req)


def test_auto_falls_back_to_json_object_and_remembers_it():
    _SERVER_MODES.clear()
    with MockServer([refuses_json_schema] * 3) as srv:
        b = backend(srv.url)
        assert b.generate_json(MSGS, user_turn_schema()) == TURN
        assert b.generate_json(MSGS, user_turn_schema()) == TURN
    kinds = [r["response_format"]["type"] for r in srv.chat_requests()]
    assert kinds == ["json_schema", "json_object", "json_object"]
    assert srv.chat_requests()[1]["response_format"]["schema"]["properties"]["message"]
    _SERVER_MODES.clear()


def test_llama_cpp_server_refusal_with_500_falls_back_without_retries():
    _SERVER_MODES.clear()
    body = ('{"error": {"message": "Input should be \'text\' or \'json_object\'", '
            '"loc": ["body", "response_format", "type"]}}')

    def llama_cpp_like(req):
        if req["response_format"]["type"] == "json_schema":
            return 500, {}, body.encode()
        return chat_ok(TURN)(req)

    with MockServer([llama_cpp_like] * 2) as srv:
        b = backend(srv.url)
        assert b.generate_json(MSGS, user_turn_schema()) == TURN
    assert b.stats.request_retries == 0 and len(srv.chat_requests()) == 2
    _SERVER_MODES.clear()


def test_explicit_json_schema_refusal_is_an_error():
    with MockServer([refuses_json_schema]) as srv:
        b = backend(srv.url, structured_output="json_schema")
        with pytest.raises(BackendError, match="refused"):
            b.generate_json(MSGS, user_turn_schema())


def test_guided_json_mode_sends_vllm_field():
    with MockServer([chat_ok(TURN)]) as srv:
        b = backend(srv.url, structured_output="guided_json")
        assert b.generate_json(MSGS, user_turn_schema()) == TURN
    body = srv.chat_requests()[0]
    assert "response_format" not in body and body["guided_json"]["required"]


def test_server_ignoring_the_schema_is_caught_and_resampled():
    # a server that does not enforce the schema: invalid, cut-off, then valid output
    actions = [chat_ok({"message": "hi"}), chat_ok('{"message": "hi', "length"), chat_ok(TURN)]
    with MockServer(actions) as srv:
        b = backend(srv.url, structured_output="json_object")
        assert b.generate_json(MSGS, user_turn_schema(), seed=1) == TURN
    assert (b.stats.invalid_outputs, b.stats.cut_off) == (1, 1)
    assert len({r["seed"] for r in srv.chat_requests()}) == 3


def test_token_count_uses_server_tokenizer_or_estimates():
    vllm = {"/tokenize": lambda req: (200, {}, b'{"count": 17, "max_model_len": 4096}')}
    with MockServer([], routes=vllm) as srv:
        assert backend(srv.url).count_tokens(MSGS) == 17
    with MockServer([]) as srv:  # no tokenizer route: a cautious estimate
        b = backend(srv.url)
        assert b.count_tokens(MSGS) >= len("hello there") // 4 + 1
        assert b._tokenizer_route == "estimate"


def test_token_route_is_not_given_up_while_the_server_is_down():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    b = backend(f"http://127.0.0.1:{port}/v1")
    assert b.count_tokens(MSGS) > 0  # an estimate for now
    assert b._tokenizer_route is None  # probed again once the server is up


def tokenize_route(count: int):
    return {"/tokenize": lambda req: (200, {}, json.dumps({"count": count}).encode())}


def test_far_from_the_window_tokens_are_counted_locally():
    with MockServer([chat_ok("a"), chat_ok("b")], routes=tokenize_route(17)) as srv:
        b = backend(srv.url, n_ctx=8192)
        assert [b.generate_text(MSGS), b.generate_text(MSGS)] == ["a", "b"]
    assert [p for p, *_ in srv.requests] == ["/v1/chat/completions"] * 2  # one round trip each


def test_near_the_window_the_server_counts():
    long = [{"role": "user", "content": "word " * 300}]  # ~500 tokens by the local estimate
    with MockServer([chat_ok("fits")], routes=tokenize_route(320)) as srv:
        b = backend(srv.url, n_ctx=600, max_tokens=64)
        assert b.generate_text(long) == "fits"  # the server's 320 + 64 fit in 600
    assert [p for p, *_ in srv.requests] == ["/tokenize", "/v1/chat/completions"]
    with MockServer([], routes=tokenize_route(560)) as srv:
        with pytest.raises(ContextLimitExceeded) as e:
            backend(srv.url, n_ctx=600, max_tokens=64).generate_text(long)
    assert e.value.prompt_tokens == 560 and not srv.chat_requests()


def test_the_local_estimate_learns_from_the_servers_usage():
    digits = [{"role": "user", "content": "4817420 " * 100}]  # dense text: many tokens a char
    usage = {"choices": [{"message": {"content": "ok"}}], "usage": {"prompt_tokens": 700}}
    with MockServer([lambda req: (200, {}, json.dumps(usage).encode())]) as srv:
        b = backend(srv.url)
        before = b._estimate(digits)
        b.generate_text(digits)
    assert before < 700 <= b._estimate(digits)


def test_a_server_saying_the_prompt_is_too_long_ends_with_context_limit():
    body = ('{"error": {"message": "This model\'s maximum context length is 4096 tokens. '
            'However, you requested 5000 tokens"}}')
    with MockServer([status(400, body=body)]) as srv:
        with pytest.raises(ContextLimitExceeded):
            backend(srv.url).generate_text(MSGS)
