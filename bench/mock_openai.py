"""A fixed-latency OpenAI-compatible server on loopback, for benches (stdlib only).

    PYTHONPATH=. .venv/bin/python bench/mock_openai.py [--latency 0.2] [--port 0]

prints its base URL (`http://127.0.0.1:PORT/v1`) on the first line of stdout and serves
until killed. Or in-process: `with MockOpenAI(latency=0.2) as server: server.url`.

- `POST /v1/chat/completions` answers after `latency` seconds. A structured-output request
  (`response_format` json_schema or json_object with a schema, or vLLM's `guided_json`) gets
  a small instance that is valid against the requested schema, chosen with the request's
  seed: a union picks a branch, a boolean a value, so dialogues through it vary but are
  reproducible. A free-text request gets a short sentence. `usage` is filled in.
- `POST /tokenize` (vLLM's route) counts ~4 characters a token.
- `GET /stats` gives `{"requests", "in_flight", "max_in_flight", "prompt_chars",
  "reused_chars"}`; `POST /stats/reset` zeroes them. `GET /v1/models` lists one model.
- Prefix reuse, as a server's prefix cache (vLLM, SGLang) would find it: each prompt (its
  messages as role and content) is cut into 16-character blocks, each block named by a hash
  of everything up to its end; a block whose name an earlier prompt of any dialogue had is
  reused. `reused_chars / prompt_chars` is the share of prompt text such a cache skips.
  Counted only with `--prefix-stats` (it costs the server ~0.5 ms a request).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_FORMATS = {"date": "2024-05-01", "time": "12:00:00", "date-time": "2024-05-01T12:00:00Z",
            "email": "jo@example.com", "uuid": "00000000-0000-4000-8000-000000000000",
            "uri": "http://example.com/", "ipv4": "10.0.0.1", "hostname": "example.com"}


def instance(schema: Any, rng: random.Random, *, first_branch_share: float = 0.5) -> Any:
    """A small value valid against `schema` (local $refs, unions, bounds; not `pattern`).

    The first branch of a union (the agent's free-text reply in a turn union) is taken
    with probability `first_branch_share`, any other branch uniformly."""
    return _Instance(schema, rng, first_branch_share).of(schema)


class _Instance:
    def __init__(self, root: Any, rng: random.Random, first_share: float):
        self.root, self.rng, self.first_share = root, rng, first_share

    def of(self, node: Any) -> Any:
        if not isinstance(node, dict) or not node:
            return "ok"
        if "$ref" in node:
            return self.of(self._resolve(node["$ref"]))
        if "const" in node:
            return node["const"]
        if "enum" in node:
            return self.rng.choice(node["enum"])
        for key in ("anyOf", "oneOf"):
            if key in node:
                return self.of(self._branch(node[key]))
        if "allOf" in node:
            return self._merge([self.of(sub) for sub in node["allOf"]])
        return self._typed(node, self._type(node))

    def _branch(self, branches: list) -> Any:
        if len(branches) == 1 or self.rng.random() < self.first_share:
            return branches[0]
        return self.rng.choice(branches[1:])

    def _type(self, node: dict) -> str:
        t = node.get("type")
        if isinstance(t, list):
            t = next((x for x in t if x != "null"), "null")
        if t:
            return t
        return "object" if "properties" in node else "array" if "items" in node else "string"

    def _typed(self, node: dict, t: str) -> Any:
        if t == "object":
            props = node.get("properties", {})
            return {k: self.of(props.get(k, {})) for k in node.get("required", [])}
        if t == "array":
            return [self.of(node.get("items", {})) for _ in range(node.get("minItems", 0))]
        if t in ("integer", "number"):
            return self._number(node, t)
        if t == "boolean":
            return self.rng.random() < 0.5
        if t == "null":
            return None
        return self._string(node)

    def _number(self, node: dict, t: str) -> int | float:
        lo = node.get("minimum", node.get("exclusiveMinimum", 0))
        value = max(lo + (1 if "exclusiveMinimum" in node else 0), 0)
        value = min(value, node.get("maximum", value))
        return int(value) if t == "integer" else float(value)

    def _string(self, node: dict) -> str:
        if node.get("format") in _FORMATS:
            return _FORMATS[node["format"]]
        text = "ok"
        text = text.ljust(node.get("minLength", 0), "k")
        return text[: node.get("maxLength", len(text))]

    def _merge(self, parts: list) -> Any:
        merged: dict = {}
        for part in parts:
            if not isinstance(part, dict):
                return part
            merged.update(part)
        return merged

    def _resolve(self, ref: str) -> Any:
        node = self.root
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return node


def requested_schema(body: dict) -> Any | None:
    """The JSON schema a chat request asks its output to follow, in any of the three shapes."""
    if "guided_json" in body:
        return body["guided_json"]
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return (fmt.get("json_schema") or {}).get("schema", {})
    if fmt.get("type") == "json_object":
        return fmt.get("schema", {})
    return None


def chat_response(body: dict, first_branch_share: float = 0.5) -> dict:
    schema = requested_schema(body)
    rng = random.Random(body.get("seed"))
    if schema is None:
        text = "Sure, I can help with that."
    else:
        text = json.dumps(instance(schema, rng, first_branch_share=first_branch_share))
    prompt_chars = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
    return {"id": "mock", "object": "chat.completion", "model": body.get("model", "mock"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_chars // 4 + 1,
                      "completion_tokens": len(text) // 4 + 1}}


BLOCK = 16  # characters per prefix-cache block


class PrefixCache:
    """Which 16-character blocks of a prompt repeat an earlier prompt's prefix (no eviction)."""

    def __init__(self) -> None:
        self.seen: set[bytes] = set()
        self.prompt_chars = self.reused_chars = 0

    def add(self, messages: list[dict]) -> None:
        text = "".join(f"<{m.get('role')}>{m.get('content') or ''}" for m in messages)
        chain, reusing = hashlib.sha256(), True
        for start in range(0, len(text) - len(text) % BLOCK, BLOCK):
            chain.update(text[start:start + BLOCK].encode("utf-8", "surrogatepass"))
            key = chain.digest()
            reusing = reusing and key in self.seen
            self.reused_chars += BLOCK if reusing else 0
            self.seen.add(key)
        self.prompt_chars += len(text)


class MockOpenAI:
    """The server; counts requests and how many were in flight at once."""

    def __init__(self, latency: float = 0.0, host: str = "127.0.0.1", port: int = 0,
                 first_branch_share: float = 0.5, prefix_stats: bool = False):
        self.latency, self.first_branch_share = latency, first_branch_share
        self.prefix_stats = prefix_stats
        self.requests = self.in_flight = self.max_in_flight = 0
        self.prefixes = PrefixCache()
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, port), _handler(self), bind_and_activate=False)
        self.httpd.request_queue_size = 1024  # the stdlib's 5 drops connects under a burst
        self.httpd.daemon_threads = True
        self.httpd.server_bind()
        self.httpd.server_activate()
        self.url = f"http://{host}:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def stats(self) -> dict:
        with self._lock:
            return {"requests": self.requests, "in_flight": self.in_flight,
                    "max_in_flight": self.max_in_flight, "prompt_chars": self.prefixes.prompt_chars,
                    "reused_chars": self.prefixes.reused_chars}

    def reset(self) -> None:
        with self._lock:
            self.requests = self.max_in_flight = 0
            self.prefixes = PrefixCache()

    def chat(self, body: dict) -> dict:
        with self._lock:
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if self.prefix_stats:
                self.prefixes.add(body.get("messages", []))
        try:
            if self.latency:
                time.sleep(self.latency)
            return chat_response(body, self.first_branch_share)
        finally:
            with self._lock:
                self.in_flight -= 1

    def __enter__(self) -> "MockOpenAI":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(server: MockOpenAI) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers and pooled clients use
        disable_nagle_algorithm = True  # as real servers do: no 40 ms wait on small writes

        def do_GET(self):  # noqa: N802 - stdlib name
            if self.path == "/stats":
                return self._send(200, server.stats())
            if self.path == "/v1/models":
                return self._send(200, {"object": "list", "data": [{"id": "mock"}]})
            self._send(404, {"error": "not found"})

        def do_POST(self):  # noqa: N802 - stdlib name
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if self.path == "/v1/chat/completions":
                return self._send(200, server.chat(body))
            if self.path == "/tokenize":
                chars = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
                return self._send(200, {"count": chars // 4 + 1})
            if self.path == "/stats/reset":
                server.reset()
                return self._send(200, server.stats())
            self._send(404, {"error": "not found"})

        def _send(self, code: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--latency", type=float, default=0.2, help="seconds per chat request")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--first-branch-share", type=float, default=0.5)
    ap.add_argument("--prefix-stats", action="store_true", help="count prompt prefix reuse")
    args = ap.parse_args()
    with MockOpenAI(args.latency, port=args.port, first_branch_share=args.first_branch_share,
                    prefix_stats=args.prefix_stats) as server:
        print(server.url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    sys.exit(0)


if __name__ == "__main__":
    main()
