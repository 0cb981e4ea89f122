"""A scripted OpenAI-compatible HTTP server on loopback for fault tests (stdlib only).

An action answers one request: it returns (status, headers, body bytes), None to close the
connection without answering, or a function that writes the raw response itself (given
the request handler: its `headers` and `wfile`), for trickled, cut or echoing answers.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

Action = Callable[[dict], Any]


def chat_ok(content: Any, finish_reason: str = "stop") -> Action:
    text = content if isinstance(content, str) else json.dumps(content)
    body = {"id": "x", "object": "chat.completion", "choices": [{
        "index": 0, "message": {"role": "assistant", "content": text},
        "finish_reason": finish_reason}]}
    return lambda req: (200, {}, json.dumps(body).encode())


def status(code: int, headers: dict | None = None, body: str = "{}") -> Action:
    return lambda req: (code, headers or {}, body.encode())


def garbage(text: bytes = b"<html>oops") -> Action:
    return lambda req: (200, {}, text)


def slow(seconds: float, then: Action) -> Action:
    def act(req):
        time.sleep(seconds)
        return then(req)
    return act


def _head(code: int, headers: dict) -> bytes:
    lines = [f"HTTP/1.1 {code} X"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def trickle(every: float, *, headers_too: bool = False) -> Action:
    """A valid answer sent one byte every `every` seconds (the head too, if asked)."""
    body = chat_ok("a very patient answer")({})[2]
    head = _head(200, {"Content-Length": len(body)})

    def write(handler):
        if not headers_too:
            handler.wfile.write(head)
            handler.wfile.flush()
        for byte in (head if headers_too else b"") + body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(every)
    return lambda req: write


def truncated(*, declare_length: bool = True) -> Action:
    """An answer cut mid-body: shorter than its Content-Length, or (with no length
    declared) a JSON text that stops halfway when the connection closes."""
    body = chat_ok("this answer never arrives whole")({})[2]
    headers = {"Content-Length": len(body)} if declare_length else {"Connection": "close"}

    def write(handler):
        handler.wfile.write(_head(200, headers) + body[: len(body) // 2])
        handler.wfile.flush()
        handler.close_connection = True
    return lambda req: write


def echo_headers(code: int) -> Action:
    """An error whose body echoes the request's headers (some proxies and servers do)."""
    def write(handler):
        body = json.dumps({"error": {"message": "upstream rejected the request",
                                     "request_headers": dict(handler.headers)}}).encode()
        handler.wfile.write(_head(code, {"Content-Length": len(body)}) + body)
    return lambda req: write


class MockServer:
    """Serves scripted actions in order on POST /v1/chat/completions; 404 elsewhere."""

    def __init__(self, actions: list[Action], routes: dict[str, Action] | None = None):
        self.actions = deque(actions)
        self.routes = routes or {}
        self.requests: list[tuple[str, dict, dict, float]] = []  # path, body, headers, time
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - stdlib name
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append((self.path, body, dict(self.headers), time.monotonic()))
                action = server._action(self.path)
                result = action(body) if action else (404, {}, b'{"error": "not found"}')
                try:
                    if callable(result):
                        return result(self)
                    if result is None:
                        return  # the connection closes with no answer
                    self.send_response(result[0])
                    for k, v in result[1].items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(result[2])))
                    self.end_headers()
                    self.wfile.write(result[2])
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def _action(self, path: str) -> Action | None:
        if path in self.routes:
            return self.routes[path]
        if path == "/v1/chat/completions" and self.actions:
            return self.actions.popleft()
        return None

    def chat_requests(self) -> list[dict]:
        return [b for p, b, _, _ in self.requests if p == "/v1/chat/completions"]

    def __enter__(self) -> "MockServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
