"""HTTP for server backends: one pooled httpx transport for the whole process, safe to
share between threads, with a total deadline per request.

httpx's timeouts bound each network operation, not the request: a server that trickles a
byte a second never trips a read timeout. So every socket operation here runs under the
request's deadline (a thread-local, since a pooled connection serves one request at a
time): each connect, write and read may wait only for what is left of `timeout_s`.

Environment proxies are not used: their transports would bypass the deadline. Any
transport fault (refused, reset, timed out, a body cut short of its Content-Length) is a
`TransportFault`; an HTTP status is the caller's to judge.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

MAX_RESPONSE_BYTES = 64 << 20
_WRITE_SLICE = 64 << 10
KEEPALIVE_S = 4.0  # under the 5 s idle timeout of uvicorn (vLLM, SGLang): no stale reuse

_deadline = threading.local()


class TransportFault(Exception):
    """The request did not complete: worth retrying, maybe on another server."""


@dataclass
class Reply:
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes


def post(url: str, payload: bytes, headers: dict[str, str], timeout_s: float) -> Reply:
    """POST `payload`; connect, send and the whole response take at most `timeout_s`."""
    _deadline.at = time.monotonic() + timeout_s
    request = httpx.Request("POST", url, content=payload, headers=headers,
                            extensions={"timeout": httpx.Timeout(timeout_s).as_dict()})
    try:
        resp = _transport().handle_request(request)
        try:
            return Reply(resp.status_code, resp.reason_phrase, resp.headers, _read(resp))
        finally:
            resp.close()
    except httpx.TimeoutException:
        raise TransportFault(f"timed out after {timeout_s:g}s") from None
    except httpx.ConnectError as exc:
        raise TransportFault(_connect_cause(exc)) from None
    except httpx.RemoteProtocolError as exc:
        raise TransportFault(f"connection broken ({_first_line(exc)})") from None
    except (httpx.TransportError, httpx.StreamError) as exc:
        raise TransportFault(_first_line(exc) or type(exc).__name__) from None
    finally:
        _deadline.at = None


def _read(resp: httpx.Response) -> bytes:
    chunks, size = [], 0
    for chunk in resp.stream:
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise TransportFault(f"response larger than {MAX_RESPONSE_BYTES >> 20} MB")
        chunks.append(chunk)
    return b"".join(chunks)


def _connect_cause(exc: Exception) -> str:
    text = _first_line(exc)
    if "refused" in text.lower():
        return "connection refused (is the server down?)"
    return f"cannot connect ({text})" if text else "cannot connect"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else ""


# -- the shared connection pool -------------------------------------------------------

_pool_lock = threading.Lock()
_shared: tuple[int, httpx.HTTPTransport] | None = None  # (pid, …): a forked child builds its own


def _transport() -> httpx.HTTPTransport:
    """httpx's transport, used without a Client: no cookies, redirects or auth to run, a
    third less CPU per request."""
    global _shared
    shared = _shared
    if shared is not None and shared[0] == os.getpid():
        return shared[1]
    with _pool_lock:
        if _shared is None or _shared[0] != os.getpid():
            _shared = (os.getpid(), _DeadlineTransport())
        return _shared[1]


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool whose sockets obey the request deadline."""

    def __init__(self) -> None:
        super().__init__()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=None,  # one per thread in flight; never wait for a free one
            max_keepalive_connections=None,
            keepalive_expiry=KEEPALIVE_S,
            network_backend=_DeadlineBackend(),
        )


def _remaining(timeout: float | None, exc: type[Exception]) -> float | None:
    at = getattr(_deadline, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise exc("the request's total deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None) -> Any:
        stream = self._inner.connect_tcp(host, port, _remaining(timeout, httpcore.ConnectTimeout),
                                         local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> Any:
        stream = self._inner.connect_unix_socket(
            path, _remaining(timeout, httpcore.ConnectTimeout), socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # in slices, so a server that reads slowly cannot stretch one write past the deadline
        view = memoryview(buffer)
        for start in range(0, len(view), _WRITE_SLICE):
            self._inner.write(view[start:start + _WRITE_SLICE],
                              _remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> Any:
        return _DeadlineStream(self._inner.start_tls(
            ssl_context, server_hostname, _remaining(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)
