"""OpenAI-compatible chat servers: vLLM, SGLang, Ollama, llama.cpp server, hosted APIs.

One backend is shared by every dialogue thread of a role: requests go over the process's
pooled HTTP client (`transport`), spread over the role's servers with a backoff shared by
all requests (`servers`). Servers take a JSON schema in different request shapes;
`structured_output` picks one, and "auto" tries `json_schema` first and falls back to
llama.cpp's `json_object`+schema when a server refuses it (remembered per server set).
Faults (server down, timeouts, 429, 5xx, malformed or truncated responses) are retried,
then reported naming each server and its last error; error bodies are cut and scrubbed.

The async variants stay thin (`asyncio.to_thread`, inherited): the runner runs dialogues
on a thread pool, and one blocking client keeps a single code path with the lowest cost.
"""
from __future__ import annotations

import json
import math
from typing import Any

import httpx

from dslgen.backends.base import BaseBackend, Completion, SchemaPlan
from dslgen.backends.messages import fold_tool_messages
from dslgen.backends.servers import Backoff, ServerFault, ServerPool, ServersFailed
from dslgen.backends.text import display_url, scrub
from dslgen.backends.transport import Reply, TransportFault, post
from dslgen.errors import BackendError
from dslgen.spec.model_settings import ModelSpec, base_url_problem, urls_of

# server set (its URLs joined) -> the structured-output mode "auto" settled on for it
_SERVER_MODES: dict[str, str] = {}
_REFUSAL_WORDS = ("json_schema", "response_format")
# how servers say a prompt is too long for the model (vLLM, llama.cpp, OpenAI)
_CONTEXT_WORDS = ("context length", "context_length", "maximum context", "context window",
                  "exceed_context_size", "too many tokens")
# a prompt's tokens are counted locally while this far below the window; nearer, the
# server's tokenizer decides
NEAR_WINDOW = 0.8
CHARS_PER_TOKEN = 3.0  # cautious for English (~4); raised by what servers report


class _HTTPRefused(Exception):
    """A 4xx the server means: retrying the same request will not help."""

    def __init__(self, status: int, body: str):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


def server_urls(base_url: str | list[str] | None, role: str) -> list[str]:
    """The role's server URLs, checked as `check` checks them (DSL602)."""
    problem = base_url_problem(base_url)
    if problem:
        raise BackendError(f"{role}: {problem}",
                           hint="e.g. base_url: http://127.0.0.1:8000/v1, or a list of servers running the same model")
    return urls_of(base_url)


class OpenAICompatBackend(BaseBackend):
    name = "openai"

    def __init__(self, spec: ModelSpec, role: str):
        super().__init__(spec, role)
        self.urls = server_urls(spec.base_url, role)
        self.base_url = self.urls[0]
        self.pool = ServerPool(self.urls)
        self._key = ",".join(self.urls)
        self._backoff = Backoff(spec.backoff_s, spec.max_backoff_s)
        self._headers = {"Content-Type": "application/json"}
        if spec.api_key:
            self._headers["Authorization"] = f"Bearer {spec.api_key}"
        self._tokenizer_route: str | None = None  # found on first exact count
        self._chars_per_token = CHARS_PER_TOKEN

    # -- generation ---------------------------------------------------------------------
    def _complete_text(self, messages: list[dict], max_tokens: int, seed: int) -> Completion:
        return self._chat(self._body(messages, max_tokens, seed))

    def _complete_json(self, messages: list[dict], plan: SchemaPlan, seed: int) -> Completion:
        mode = self._mode()
        body = self._body(messages, plan.budget, seed)
        try:
            return self._chat({**body, **_structured(mode, plan.bounded)})
        except _HTTPRefused as exc:
            if self.spec.structured_output != "auto" or mode != "json_schema" \
                    or not any(w in exc.body for w in _REFUSAL_WORDS):
                raise self._refused(exc) from None
        _SERVER_MODES[self._key] = "json_object"
        return self._chat({**body, **_structured("json_object", plan.bounded)})

    def _mode(self) -> str:
        if self.spec.structured_output != "auto":
            return self.spec.structured_output
        return _SERVER_MODES.get(self._key, "json_schema")

    def prepare(self, messages: list[dict]) -> list[dict]:
        return fold_tool_messages(messages) if self.spec.tool_messages == "fold" else messages

    def _body(self, messages: list[dict], max_tokens: int, seed: int) -> dict:
        body = {"messages": messages, "max_tokens": max_tokens, "seed": seed,
                "temperature": self.spec.temperature, "top_p": self.spec.top_p}
        if self.spec.model:
            body["model"] = self.spec.model
        return body

    def _chat(self, body: dict) -> Completion:
        try:
            completion = self._post("/chat/completions", body, parse=_completion)
        except _HTTPRefused as exc:
            if _says_context_exceeded(exc.body):
                self.context_exceeded(self._estimate(body["messages"]), body["max_tokens"], None)
            if "response_format" in body or "guided_json" in body:
                raise  # the structured-output fallback decides
            raise self._refused(exc) from None
        self._calibrate(body["messages"], completion.prompt_tokens)
        return completion

    # -- tokens -------------------------------------------------------------------------
    def check_context(self, messages: list[dict], output_budget: int,
                      plan: SchemaPlan | None = None) -> int:
        """Well below the window a local estimate decides, with no round trip; near it the
        server's tokenizer does (and a server that still finds the prompt too long answers
        with an error that becomes ContextLimitExceeded). `messages` are prepared."""
        n = self._estimate(messages)
        if n + output_budget <= NEAR_WINDOW * self.context_window:
            return n
        exact = self._server_count(messages)
        n = exact if exact is not None else n
        if n + output_budget > self.context_window:
            self.context_exceeded(n, output_budget, plan)
        return n

    def count_tokens(self, messages: list[dict]) -> int:
        """Prompt tokens as the server's tokenizer counts them, else a cautious estimate."""
        messages = self.prepare(messages)
        exact = self._server_count(messages)
        return exact if exact is not None else self._estimate(messages)

    def _estimate(self, messages: list[dict]) -> int:
        chars = sum(len(m.get("content") or "") for m in messages)
        return math.ceil(chars / self._chars_per_token) + 5 * len(messages) + 3

    def _calibrate(self, messages: list[dict], prompt_tokens: int | None) -> None:
        """Learn from the server's own count (`usage`) how dense its tokens are, so the
        local estimate stays an over-count; it only ever gets more cautious."""
        if not prompt_tokens:
            return
        chars = sum(len(m.get("content") or "") for m in messages)
        text_tokens = prompt_tokens - 5 * len(messages) - 3
        if chars and text_tokens > 0:
            self._chars_per_token = min(self._chars_per_token, 0.9 * chars / text_tokens)

    def _server_count(self, messages: list[dict]) -> int | None:
        """vLLM: POST /tokenize with the messages (chat template applied). llama.cpp
        (llama-cpp-python) server: POST /extras/tokenize/count with the text, plus a
        per-message allowance for the template's role markers. None: no count to be had."""
        for route in self._token_routes():
            try:
                n = self._count_via(route, messages)
            except (TransportFault, ServerFault):
                return None  # server busy or down: ask again next time
            except (_HTTPRefused, KeyError, TypeError, ValueError):
                continue  # no such route on this server
            self._tokenizer_route = route
            self._calibrate(messages, n)
            return n
        self._tokenizer_route = "estimate"
        return None

    def _token_routes(self) -> list[str]:
        if self._tokenizer_route is not None:
            return [] if self._tokenizer_route == "estimate" else [self._tokenizer_route]
        return ["vllm", "llama_cpp"]

    def _count_via(self, route: str, messages: list[dict]) -> int:
        root = self.pool.pick().removesuffix("/v1")
        if route == "vllm":
            body = {"messages": messages, **({"model": self.spec.model} if self.spec.model
                                             else {})}
            return int(self._post_once(root + "/tokenize", body)["count"])
        text = "\n".join(m.get("content") or "" for m in messages)
        n = int(self._post_once(root + "/extras/tokenize/count", {"input": text})["count"])
        return n + 5 * len(messages) + 3  # <|im_start|>role\n ... <|im_end|>\n + generation prompt

    # -- transport ----------------------------------------------------------------------
    def _post(self, path: str, body: dict, *, parse: Any) -> Any:
        """POST to one of the role's servers, retrying faults on any of them; `parse` runs
        inside the loop so a malformed response is retried like any other fault."""
        payload = json.dumps(body).encode()
        try:
            return self.pool.call(lambda url: parse(self._send(url + path, payload)),
                                  attempts=self.spec.max_retries + 1, backoff=self._backoff,
                                  on_retry=lambda: self._count("request_retries"))
        except ServersFailed as exc:
            raise BackendError(self._failure(path, exc), retryable=True,
                               hint="check that the server is running and base_url is right; "
                               "raise timeout_s or max_retries for a slow server") from None

    def _failure(self, path: str, exc: ServersFailed) -> str:
        if len(exc.servers) == 1:
            url, cause = exc.servers[0]
            return (f"{self.role}: {display_url(url)}{path} failed after {exc.attempts} "
                    f"attempt(s): {self._scrub(cause)}")
        causes = "; ".join(f"{display_url(u)}: {self._scrub(c)}" for u, c in exc.servers)
        return (f"{self.role}: none of its {len(exc.servers)} servers answered {path} after "
                f"{exc.attempts} attempt(s): {causes}")

    def _post_once(self, url: str, body: dict) -> dict:
        return self._send(url, json.dumps(body).encode())

    def _send(self, url: str, payload: bytes) -> Any:
        try:
            reply = post(url, payload, self._headers, self.spec.timeout_s)
        except TransportFault as exc:
            raise ServerFault(str(exc)) from None
        if reply.status >= 400:
            raise self._http_fault(reply)
        text = reply.body.decode("utf-8", "replace")  # invalid UTF-8 becomes U+FFFD
        try:
            return json.loads(text)
        except (json.JSONDecodeError, RecursionError):  # RecursionError: nested too deeply
            raise ServerFault(f"malformed response (not JSON): {self._scrub(text, 80)!r}") \
                from None

    def _http_fault(self, reply: Reply) -> Exception:
        body = self._scrub(reply.body.decode("utf-8", "replace"))
        if any(w in body for w in _REFUSAL_WORDS):
            # a request-shape refusal is deterministic, whatever the status (llama-cpp-python's
            # server answers an unsupported response_format with HTTP 500)
            return _HTTPRefused(reply.status, body)
        if reply.status in (408, 429) or reply.status >= 500:
            cause = f"HTTP {reply.status} {reply.reason}".strip()
            return ServerFault(f"{cause}: {body}" if body else cause, _retry_after(reply))
        return _HTTPRefused(reply.status, body)

    def _scrub(self, text: str, limit: int = 300) -> str:
        return scrub(text, (self.spec.api_key,), limit)

    def _refused(self, exc: _HTTPRefused) -> BackendError:
        return BackendError(
            f"{self.role}: {display_url(self._key)} refused the request: {exc}",
            hint="check model name, api_key and structured_output for this server",
            retryable=False,
        )


def _structured(mode: str, schema: dict) -> dict:
    if mode == "json_schema":
        return {"response_format": {"type": "json_schema",
                                    "json_schema": {"name": "output", "schema": schema}}}
    if mode == "json_object":  # llama.cpp server
        return {"response_format": {"type": "json_object", "schema": schema}}
    return {"guided_json": schema}  # vLLM's extra parameter


def _completion(data: Any) -> Completion:
    try:
        choice = data["choices"][0]
        text = choice["message"]["content"]
        finish = choice.get("finish_reason") or "stop"
    except (KeyError, IndexError, TypeError):
        raise ServerFault(f"malformed response (no choices[0].message): {str(data)[:120]}")
    if not isinstance(text, str):
        raise ServerFault("malformed response (message content is not text)")
    usage = data.get("usage") if isinstance(data, dict) else None
    counts = [usage.get(k) if isinstance(usage, dict) else None for k in ("prompt_tokens", "completion_tokens")]
    return Completion(text, finish, *(n if isinstance(n, int) else None for n in counts))


def _says_context_exceeded(body: str) -> bool:
    lowered = body.lower()
    return any(w in lowered for w in _CONTEXT_WORDS)


def _retry_after(reply: Reply) -> float | None:
    value = reply.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff
