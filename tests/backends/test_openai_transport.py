"""Transport faults against a real server on loopback: a total deadline per request, cut
bodies, error bodies that echo secrets, text no UTF-8 writer accepts."""
import json
import time

import pytest

from dslgen.backends import user_turn_schema
from dslgen.backends.openai_compat import OpenAICompatBackend
from dslgen.errors import BackendError
from dslgen.spec.model_settings import ModelSpec

from .mock_server import MockServer, chat_ok, echo_headers, garbage, status, trickle, truncated

MSGS = [{"role": "user", "content": "hello there"}]
KEY = "sk-live-0123456789abcdef"


def backend(url, **settings) -> OpenAICompatBackend:
    opts = dict(backend="openai", base_url=url, model="m", backoff_s=0.01, max_backoff_s=0.05,
                timeout_s=2.0, max_retries=0)
    return OpenAICompatBackend(ModelSpec(**{**opts, **settings}), "agent")


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "head"])
def test_a_trickling_server_is_cut_off_at_the_total_deadline(headers_too):
    # one byte every 0.1 s: each read returns well within any per-read timeout
    with MockServer([trickle(0.1, headers_too=headers_too)]) as srv:
        b = backend(srv.url, timeout_s=1.0)
        t = time.monotonic()
        with pytest.raises(BackendError, match=r"timed out after 1s") as e:
            b.generate_text(MSGS)
        elapsed = time.monotonic() - t
    assert elapsed < 3, elapsed  # the whole answer would take ~30 s
    assert e.value.retryable


def test_a_trickled_request_is_retried_and_the_next_answer_used():
    with MockServer([trickle(0.1), chat_ok("prompt")]) as srv:
        b = backend(srv.url, timeout_s=0.5, max_retries=1)
        assert b.generate_text(MSGS) == "prompt"
    assert b.stats.request_retries == 1


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "no-length"])
def test_a_body_cut_short_is_a_retryable_backend_error(declare_length):
    with MockServer([truncated(declare_length=declare_length)] * 2) as srv:
        b = backend(srv.url, max_retries=1)
        with pytest.raises(BackendError) as e:
            b.generate_text(MSGS)
    assert e.value.retryable and len(srv.chat_requests()) == 2
    expected = "connection broken (peer closed" if declare_length else "malformed response"
    assert expected in str(e.value)


def test_a_cut_body_then_a_whole_one_succeeds():
    with MockServer([truncated(), chat_ok("whole")]) as srv:
        assert backend(srv.url, max_retries=1).generate_text(MSGS) == "whole"


@pytest.mark.parametrize("code", [401, 500])
def test_error_bodies_echoing_the_authorization_header_are_scrubbed(code):
    with MockServer([echo_headers(code)]) as srv:
        b = backend(srv.url, api_key=KEY)
        with pytest.raises(BackendError) as e:
            b.generate_text(MSGS)
    assert srv.requests[0][2]["Authorization"] == f"Bearer {KEY}"  # it was sent, and echoed
    text = str(e.value) + str(e.value.hint)
    assert KEY not in text and "0123456789abcdef" not in text
    assert "upstream rejected the request" in text  # the useful part stays
    assert f"HTTP {code}" in text


def test_error_bodies_are_cut_and_other_secret_shapes_scrubbed():
    body = json.dumps({"error": "bad", "api_key": "hunter2-xyz", "echo": "Bearer abc.def-ghi",
                       "detail": "x" * 5000})
    with MockServer([status(400, body=body)]) as srv:
        with pytest.raises(BackendError) as e:
            backend(srv.url).generate_text(MSGS)
    msg = str(e.value)
    assert "hunter2" not in msg and "abc.def-ghi" not in msg and "Bearer ***" in msg
    assert len(msg) < 500 and "…" in msg


def test_a_lone_surrogate_in_a_model_output_is_replaced():
    # JSON escapes can carry what no UTF-8 writer accepts: a lone surrogate, a NUL
    text_body = b'{"choices": [{"message": {"content": "bad \\ud83d text\\u0000"}}]}'
    turn = '{"message": "order \\udc00 please", "is_task_complete": false}'
    actions = [lambda req: (200, {}, text_body), chat_ok(turn), garbage(b'{"choices": [{'
               b'"message": {"content": "raw \xff\xfe bytes"}}]}')]
    with MockServer(actions) as srv:
        b = backend(srv.url, structured_output="json_schema")
        text = b.generate_text(MSGS)
        value = b.generate_json(MSGS, user_turn_schema())
        raw = b.generate_text(MSGS)
    assert text == "bad \ufffd text\ufffd" and value["message"] == "order \ufffd please"
    assert raw == "raw \ufffd\ufffd bytes"
    for out in (text, value, raw):  # what the exporter does must not fail
        json.dumps(out, ensure_ascii=False).encode("utf-8")
