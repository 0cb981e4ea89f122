"""Which server a request goes to, and when a struggling server is left alone.

A role may name several servers running the same model (`base_url` as a list). Each request
goes to the available server with the fewest requests in flight, ties taken in turn. A
server that fails (down, timed out, 429, 5xx, a broken response) is set aside: no request,
from any thread or role, goes to it until its backoff has passed. The backoff is the
server's Retry-After when it sent one, else `backoff_s` doubled for each failure in a row,
with jitter; both capped at `max_backoff_s`. Failures of requests that were already in
flight when the server was set aside do not lengthen it again, so a burst of 64 concurrent
503s counts as one failure, not 64.

State is kept per URL for the whole process: roles that share a server share its backoff.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import Callable, TypeVar

T = TypeVar("T")


class ServerFault(Exception):
    """The server gave no usable answer; worth retrying (`retry_after`: what it asked for)."""

    def __init__(self, cause: str, retry_after: float | None = None):
        super().__init__(cause)
        self.retry_after = retry_after


class ServersFailed(Exception):
    """Every attempt failed; `servers` holds each server's URL and its last error."""

    def __init__(self, attempts: int, servers: list[tuple[str, str]]):
        super().__init__(f"failed after {attempts} attempt(s)")
        self.attempts = attempts
        self.servers = servers


@dataclass
class Server:
    url: str
    in_flight: int = 0
    failures: int = 0  # in a row
    blocked_until: float = 0.0  # time.monotonic()
    blocked_at: float = float("-inf")  # when the current backoff began
    last_error: str = ""


@dataclass(frozen=True)
class Backoff:
    base_s: float
    max_s: float

    def delay(self, failures: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_s)
        base = min(self.base_s * 2 ** max(0, failures - 1), self.max_s)
        return base * random.uniform(0.5, 1.0)


_servers: dict[str, Server] = {}
_lock = threading.Lock()


def _server(url: str) -> Server:
    with _lock:
        return _servers.setdefault(url, Server(url))


class ServerPool:
    """The servers of one role, with the process-wide state of each."""

    def __init__(self, urls: list[str]):
        self.servers = [_server(u) for u in urls]
        self._turn = 0

    def call(self, send: Callable[[str], T], *, attempts: int, backoff: Backoff,
             on_retry: Callable[[], None] = lambda: None) -> T:
        """`send(url)` on a chosen server until it succeeds; a `ServerFault` sets that
        server aside and counts as an attempt. Waiting for a set-aside server is bounded
        too (as many waits as attempts), so no request waits forever on servers others
        keep failing on."""
        sends = waits = 0
        while True:
            server, wait = self._take()
            if server is None:
                if waits >= attempts:
                    raise ServersFailed(sends, self._last_errors())
                waits += 1
                time.sleep(wait * random.uniform(1.0, 1.2))  # jitter: waiters wake spread out
                continue
            sent_at = time.monotonic()
            try:
                result = send(server.url)
            except ServerFault as exc:
                self._failed(server, sent_at, str(exc), backoff.delay, exc.retry_after)
                sends += 1
                if sends >= attempts:
                    raise ServersFailed(sends, self._last_errors()) from None
                on_retry()
                continue
            except BaseException:
                self._release(server)  # a refusal or a bug is not the server's health
                raise
            self._release(server, ok=True)
            return result

    def pick(self) -> str:
        """A server to ask something on the side (a token count); no accounting."""
        now = time.monotonic()
        return next((s.url for s in self.servers if s.blocked_until <= now), self.servers[0].url)

    def _take(self) -> tuple[Server | None, float]:
        now = time.monotonic()
        with _lock:
            free = [s for s in self.servers if s.blocked_until <= now]
            if not free:
                return None, min(s.blocked_until for s in self.servers) - now
            self._turn += 1
            best = min(free, key=self._order) if len(free) > 1 else free[0]
            best.in_flight += 1
            return best, 0.0

    def _order(self, server: Server) -> tuple[int, int]:
        return server.in_flight, (self.servers.index(server) - self._turn) % len(self.servers)

    def _release(self, server: Server, ok: bool = False) -> None:
        with _lock:
            server.in_flight -= 1
            if ok:
                server.failures = 0

    def _failed(self, server: Server, sent_at: float, cause: str,
                delay: Callable[[int, float | None], float], retry_after: float | None) -> None:
        now = time.monotonic()
        with _lock:
            server.in_flight -= 1
            server.last_error = cause
            if sent_at >= server.blocked_at:  # a new failure, not one of the burst in flight
                server.failures += 1
                server.blocked_at = now
            server.blocked_until = max(server.blocked_until,
                                       now + delay(server.failures, retry_after))

    def _last_errors(self) -> list[tuple[str, str]]:
        with _lock:
            return [(s.url, s.last_error or "set aside") for s in self.servers]
