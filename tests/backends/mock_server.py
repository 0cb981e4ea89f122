"""A scripted OpenAI-compatible HTTP server on loopback for fault tests (stdlib only)."""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

# An action decides one response: a callable taking the request body and returning
# (status, headers, body bytes), or None to close the connection without answering.
Action = Callable[[dict], "tuple[int, dict, bytes] | None"]


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
