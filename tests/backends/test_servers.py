"""Several servers per role and a backoff shared by concurrent requests, on loopback."""
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from dslgen.backends import clear_backends, make_backend
from dslgen.backends.openai_compat import OpenAICompatBackend, server_urls
from dslgen.errors import BackendError
from dslgen.spec.model_settings import ModelSpec

from .mock_server import MockServer, chat_ok, status

MSGS = [{"role": "user", "content": "hello there"}]


def backend(url, role="agent", **settings) -> OpenAICompatBackend:
    opts = dict(backend="openai", base_url=url, model="m", backoff_s=0.05, max_backoff_s=2.0,
                timeout_s=2.0, max_retries=3)
    return OpenAICompatBackend(ModelSpec(**{**opts, **settings}), role)


def dead_url() -> str:
    with socket.socket() as s:  # free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def chat_times(srv: MockServer) -> list[float]:
    return [t for p, _, _, t in srv.requests if p == "/v1/chat/completions"]


def test_a_429_holds_back_every_thread_until_retry_after():
    with MockServer([status(429, {"Retry-After": "1.0"})] + [chat_ok("ok")] * 9) as srv:
        first = backend(srv.url)
        done = threading.Thread(target=first.generate_text, args=(MSGS,))
        done.start()
        give_up = time.monotonic() + 5
        while first.pool.servers[0].blocked_until <= time.monotonic() < give_up:
            time.sleep(0.005)  # until the 429 is back and the server set aside
        assert len(chat_times(srv)) == 1, "the first request was retried before we looked"
        refused_at = chat_times(srv)[0]
        # other roles and threads using the same server wait for it too
        others = [backend(srv.url, role=f"r{i}") for i in range(8)]
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(lambda b: b.generate_text(MSGS), others)) == ["ok"] * 8
        done.join()
    times = chat_times(srv)
    assert len(times) == 10  # nobody hammered it while it was set aside
    assert min(times[1:]) >= refused_at + 1.0


def test_a_burst_of_failures_in_flight_counts_once():
    # 6 requests in flight all get 503: the server's backoff does not grow six-fold
    srv_actions = [status(503)] * 6 + [chat_ok("ok")] * 6
    with MockServer(srv_actions) as srv:
        b = backend(srv.url, backoff_s=0.3, max_backoff_s=10.0)
        barrier = threading.Barrier(6)

        def one(_):
            barrier.wait()
            return b.generate_text(MSGS)

        t = time.monotonic()
        with ThreadPoolExecutor(6) as pool:
            assert list(pool.map(one, range(6))) == ["ok"] * 6
        elapsed = time.monotonic() - t
    server = b.pool.servers[0]
    assert server.failures == 0  # reset by the successes
    assert elapsed < 5, elapsed  # one backoff of <= 0.3 s (+ jitter), not 0.3 * 2**5 = 9.6 s


def test_requests_spread_over_servers_and_a_down_one_is_set_aside():
    down = dead_url()
    with MockServer([chat_ok("ok")] * 12) as up:
        b = backend([down, up.url], backoff_s=30.0, max_backoff_s=30.0)
        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(lambda _: b.generate_text(MSGS), range(12))) == ["ok"] * 12
    assert len(up.chat_requests()) == 12
    assert b.stats.request_retries <= 4  # each in-flight request meets the dead one once at most
    dead = next(s for s in b.pool.servers if s.url == down)
    assert "connection refused" in dead.last_error and dead.blocked_until > time.monotonic()


def test_a_server_set_aside_is_tried_again_later():
    with MockServer([status(503)] + [chat_ok("a")] * 6) as a, \
            MockServer([chat_ok("b")] * 6) as b_srv:
        b = backend([a.url, b_srv.url], backoff_s=0.2, max_backoff_s=0.2)
        first = [b.generate_text(MSGS) for _ in range(3)]  # a fails once, b answers
        time.sleep(0.25)
        later = [b.generate_text(MSGS) for _ in range(4)]
    assert first.count("b") >= 2
    assert "a" in later and "b" in later  # back in the rotation
    assert len(a.chat_requests()) >= 3


def test_requests_go_to_the_least_busy_server_ties_in_turn():
    release = threading.Event()

    def answer(name):
        def act(req):
            if req["messages"][0]["content"] == "hold":
                release.wait(10)  # this one stays in flight until the test lets it go
            return chat_ok(name)(req)
        return [act] * 8

    with MockServer(answer("a")) as a, MockServer(answer("b")) as b_srv:
        b = backend([a.url, b_srv.url])
        alternating = [b.generate_text(MSGS) for _ in range(4)]  # all idle: in turn
        busy = threading.Thread(target=b.generate_text,
                                args=([{"role": "user", "content": "hold"}],))
        busy.start()
        while len(a.chat_requests()) + len(b_srv.chat_requests()) < 5:
            time.sleep(0.005)
        held = "a" if len(a.chat_requests()) == 3 else "b"
        meanwhile = [b.generate_text(MSGS) for _ in range(3)]
        release.set()
        busy.join()
    assert alternating in (["a", "b", "a", "b"], ["b", "a", "b", "a"])
    assert meanwhile == ["b" if held == "a" else "a"] * 3  # never the one holding a request


def test_all_servers_down_names_each_of_them():
    urls = [dead_url(), dead_url()]
    b = backend(urls, max_retries=3, backoff_s=0.01, max_backoff_s=0.05)
    with pytest.raises(BackendError) as e:
        b.generate_text(MSGS)
    msg = str(e.value)
    assert "none of its 2 servers answered /chat/completions" in msg
    assert all(f"{u}: connection refused" in msg for u in urls)
    assert e.value.retryable and e.value.hint


@pytest.mark.parametrize("base_url, problem", [
    ("localhost:8000/v1", "scheme must be http or https"),
    ("ftp://h/v1", "scheme must be http or https"),
    ("http:///v1", "no host"),
    ("http://h/v1?x=1", "no query"),
    ([], "needs base_url"),
    (["http://h:1/v1", "http://h:1/v1/"], "more than once"),
])
def test_bad_urls_are_clear_errors_at_construction(base_url, problem):
    clear_backends()
    with pytest.raises(BackendError, match=problem):
        make_backend(ModelSpec(backend="openai", base_url=base_url), "agent")


def test_a_password_in_a_url_is_not_shown():
    with pytest.raises(BackendError) as e:
        server_urls(["ftp://user:s3cret@h/v1"], "agent")
    assert "s3cret" not in str(e.value) and "user:***@h" in str(e.value)


def test_one_url_or_a_list_of_one_are_the_same():
    assert server_urls("http://h:1/v1/", "a") == server_urls(["http://h:1/v1"], "a")
