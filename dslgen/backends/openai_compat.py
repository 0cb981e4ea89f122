"""OpenAI-compatible chat servers: vLLM, SGLang, Ollama, llama.cpp server, hosted APIs.

Plain stdlib HTTP (urllib) so there is no SDK to install. Servers take a JSON schema in
different request shapes; `structured_output` picks one, and "auto" tries `json_schema`
first and falls back to llama.cpp's `json_object`+schema when a server refuses it
(remembered per server). Faults (server down, timeouts, 429, 5xx, malformed responses)
are retried with exponential backoff, then reported naming the URL and the cause.
"""
from __future__ import annotations

import json
import math
import random
import socket
import time
import urllib.error
import urllib.request
from typing import Any

from dslgen.backends.base import BaseBackend, Completion, SchemaPlan
from dslgen.backends.messages import fold_tool_messages
from dslgen.errors import BackendError
from dslgen.spec.model_settings import ModelSpec

# base_url -> the structured-output mode "auto" settled on for that server
_SERVER_MODES: dict[str, str] = {}
_REFUSAL_WORDS = ("json_schema", "response_format")


class _Retryable(Exception):
    def __init__(self, cause: str, retry_after: float | None = None):
        super().__init__(cause)
        self.retry_after = retry_after


class _HTTPRefused(Exception):
    """A 4xx the server means: retrying the same request will not help."""

    def __init__(self, status: int, body: str):
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status = status
        self.body = body


class OpenAICompatBackend(BaseBackend):
    name = "openai"

    def __init__(self, spec: ModelSpec, role: str):
        super().__init__(spec, role)
        if not spec.base_url:
            raise BackendError(f"{role}: backend openai needs base_url",
                               hint="set base_url, e.g. http://127.0.0.1:8000/v1")
        self.base_url = spec.base_url.rstrip("/")
        self._tokenizer_route: str | None = None  # found on first count_tokens

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
        _SERVER_MODES[self.base_url] = "json_object"
        return self._chat({**body, **_structured("json_object", plan.bounded)})

    def _mode(self) -> str:
        if self.spec.structured_output != "auto":
            return self.spec.structured_output
        return _SERVER_MODES.get(self.base_url, "json_schema")

    def _body(self, messages: list[dict], max_tokens: int, seed: int) -> dict:
        if self.spec.tool_messages == "fold":
            messages = fold_tool_messages(messages)
        body = {"messages": messages, "max_tokens": max_tokens, "seed": seed,
                "temperature": self.spec.temperature, "top_p": self.spec.top_p}
        if self.spec.model:
            body["model"] = self.spec.model
        return body

    def _chat(self, body: dict) -> Completion:
        try:
            return self._post("/chat/completions", body, parse=_completion)
        except _HTTPRefused as exc:
            if "response_format" in body or "guided_json" in body:
                raise  # the structured-output fallback decides
            raise self._refused(exc) from None

    # -- tokens -------------------------------------------------------------------------
    def count_tokens(self, messages: list[dict]) -> int:
        """Prompt tokens as the server's tokenizer counts them, else a cautious estimate.

        vLLM: POST /tokenize with the messages (chat template applied). llama.cpp
        (llama-cpp-python) server: POST /extras/tokenize/count with the text, plus a
        per-message allowance for the template's role markers."""
        if self.spec.tool_messages == "fold":
            messages = fold_tool_messages(messages)
        for route in self._token_routes():
            try:
                n = self._count_via(route, messages)
            except _Retryable:
                return _estimate_tokens(messages)  # server busy or down: ask again next time
            except (_HTTPRefused, KeyError, TypeError, ValueError):
                continue  # no such route on this server
            self._tokenizer_route = route
            return n
        self._tokenizer_route = "estimate"
        return _estimate_tokens(messages)

    def _token_routes(self) -> list[str]:
        if self._tokenizer_route is not None:
            return [] if self._tokenizer_route == "estimate" else [self._tokenizer_route]
        return ["vllm", "llama_cpp"]

    def _count_via(self, route: str, messages: list[dict]) -> int:
        root = self.base_url.removesuffix("/v1")
        if route == "vllm":
            body = {"messages": messages, **({"model": self.spec.model} if self.spec.model
                                             else {})}
            return int(self._post_once(root + "/tokenize", body)["count"])
        text = "\n".join(m["content"] for m in messages)
        n = int(self._post_once(root + "/extras/tokenize/count", {"input": text})["count"])
        return n + 5 * len(messages) + 3  # <|im_start|>role\n ... <|im_end|>\n + generation prompt

    # -- transport ----------------------------------------------------------------------
    def _post(self, path: str, body: dict, *, parse: Any = None) -> Any:
        """POST with bounded retries; `parse` runs inside the loop so a malformed
        response is retried like any other fault."""
        url = self.base_url + path
        attempts = self.spec.max_retries + 1
        for attempt in range(attempts):
            try:
                data = self._post_once(url, body)
                return parse(data) if parse else data
            except _Retryable as exc:
                if attempt + 1 == attempts:
                    raise BackendError(
                        f"{self.role}: {url} failed after {attempts} attempt(s): {exc}",
                        hint="check that the server is running and base_url is right; "
                        "raise timeout_s or max_retries for a slow server",
                        retryable=True,
                    ) from None
                self.stats.request_retries += 1
                time.sleep(self._delay(attempt, exc.retry_after))
        raise AssertionError("unreachable")

    def _post_once(self, url: str, body: dict) -> dict:
        headers = {"Content-Type": "application/json"}
        if self.spec.api_key:
            headers["Authorization"] = f"Bearer {self.spec.api_key}"
        req = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.spec.timeout_s) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raise _http_fault(exc) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):  # while connecting
                raise _Retryable(f"timed out after {self.spec.timeout_s:g}s") from None
            raise _Retryable(_reason(exc.reason)) from None
        except (TimeoutError, socket.timeout):  # while reading
            raise _Retryable(f"timed out after {self.spec.timeout_s:g}s") from None
        except (ConnectionError, OSError) as exc:
            raise _Retryable(_reason(exc)) from None
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise _Retryable(f"malformed response (not JSON): {raw[:80]!r}") from None

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.spec.max_backoff_s)
        base = min(self.spec.backoff_s * 2**attempt, self.spec.max_backoff_s)
        return base * random.uniform(0.5, 1.0)  # jitter: concurrent dialogues spread out

    def _refused(self, exc: _HTTPRefused) -> BackendError:
        return BackendError(
            f"{self.role}: {self.base_url} refused the request: {exc}",
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
        raise _Retryable(f"malformed response (no choices[0].message): {str(data)[:120]}")
    if not isinstance(text, str):
        raise _Retryable("malformed response (message content is not text)")
    return Completion(text, finish)


def _http_fault(exc: urllib.error.HTTPError) -> Exception:
    body = exc.read().decode("utf-8", "replace") if exc.fp else ""
    if any(w in body for w in _REFUSAL_WORDS):
        # a request-shape refusal is deterministic, whatever the status (llama-cpp-python's
        # server answers an unsupported response_format with HTTP 500)
        return _HTTPRefused(exc.code, body)
    if exc.code == 429 or exc.code == 408 or exc.code >= 500:
        return _Retryable(f"HTTP {exc.code} {exc.reason}", _retry_after(exc))
    return _HTTPRefused(exc.code, body)


def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    value = exc.headers.get("Retry-After") if exc.headers else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _reason(reason: Any) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server down?)"
    return str(reason) or type(reason).__name__


def _estimate_tokens(messages: list[dict]) -> int:
    # ~3 chars a token over-counts typical English (~4), so the budget errs on the safe side
    return sum(math.ceil(len(m["content"]) / 3) + 5 for m in messages) + 3
