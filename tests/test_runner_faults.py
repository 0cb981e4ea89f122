"""Runs that meet bad text, a busy folder, a failing server or Ctrl-C: nothing lost, nothing
duplicated, a clear error. Scripted models or a model server on loopback; real SQL."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backends.mock_server import MockServer, chat_ok, status
from dslgen import api
from dslgen.backends import clear_backends
from dslgen.errors import RunError
from llm_server import RequestServer, served_spec
from scripted import dataset, lines, variant

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fresh_backends():
    clear_backends()
    yield
    clear_backends()


def test_line_separators_in_messages_never_duplicate_dialogues_across_reruns(tmp_path):
    """U+2028 and U+0085 are line ends to str.splitlines, not to JSON Lines."""
    def odd_text(data):
        outputs = data["models"]["user"]["outputs"]
        outputs[0]["message"] = "I'd like to borrow Dune.\u2028I am member m1.\x85Thanks."
        outputs[2]["message"] = "Which books do I have?\u2028\u2029I am m2."

    spec = variant(tmp_path, odd_text)
    for _ in range(3):
        clear_backends()
        api.run_spec(spec, out=tmp_path / "out", progress=False)
    ids = [r["id"] for r in lines(tmp_path / "out" / "dialogues.jsonl")]
    assert len(ids) == 2 and len(set(ids)) == 2
    assert "\u2028" in lines(tmp_path / "out" / "dialogues.jsonl")[0]["messages"][2]["content"]
    assert len(dataset(tmp_path / "out")) == 2


def test_a_lone_surrogate_from_a_model_does_not_crash_the_run(tmp_path):
    """The server's JSON escapes half a surrogate pair (valid JSON, invalid text); the run
    goes on and the file stays strict UTF-8."""
    turns = [r'{"message": "I would like to borrow Dune \ud83d, I am m1.", "is_task_complete": false}',
             r'{"tool": "find_book", "arguments": {"title": "Du\udc00ne"}}',
             '{"reply": "There is no such book."}',
             '{"message": "Thanks!", "is_task_complete": true}',  # the stop guard holds: no loan yet
             '{"reply": "Sorry about that."}']
    with MockServer([chat_ok(t) for t in turns]) as server:
        spec = _write_spec(tmp_path, server.url, dialogues=1)
        api.run_spec(spec, out=tmp_path / "out", progress=False)
    [record] = lines(tmp_path / "out" / "dialogues.jsonl")
    assert record["messages"][2]["content"] == "I would like to borrow Dune \ufffd, I am m1."
    call = json.loads(record["messages"][3]["tool_calls"][0]["function"]["arguments"])
    assert call == {"title": "Du\ufffdne"}  # cleaned before it reached SQL
    assert record["messages"][4]["content"] == "[]"  # and SQL ran it: no book has that title
    assert record["termination"]["reason"] == "max_turns"


def _write_spec(folder: Path, url: str, dialogues: int, concurrency: int | None = None, **models) -> Path:
    """The scripted library spec with user and agent played by a model server at `url`."""
    server = {"backend": "openai", "base_url": url, "model": "m", "max_retries": 0, "timeout_s": 10,
              "max_invalid_retries": 0}

    def change(data):
        data["models"]["user"] = data["models"]["agent"] = {**server, **models}
        data["pipeline"][0].update(dialogues=dialogues, max_turns=2)
        if concurrency:
            data["pipeline"][0]["concurrency"] = concurrency

    return variant(folder, change)


def _turns(delay: float = 0.0, failing=lambda: False):
    """A server that plays both roles: the user never finishes, the agent always replies."""
    def act(request):
        time.sleep(delay)
        if failing():
            return status(500)(request)
        if "is_task_complete" in json.dumps(request.get("response_format") or request):
            return chat_ok({"message": "Which books do I have? I am m2.", "is_task_complete": False})(request)
        return chat_ok({"reply": "Let me look."})(request)
    return act


def test_a_dialogue_cut_short_by_a_server_fault_is_made_again_by_the_next_run(tmp_path):
    calls = {"n": 0}

    def failing():
        calls["n"] += 1
        return 6 <= calls["n"] <= 6  # request 6 falls in the second dialogue, after some turns

    with MockServer([], routes={"/v1/chat/completions": _turns(failing=failing)}) as server:
        spec = _write_spec(tmp_path, server.url, dialogues=3, concurrency=1)  # requests in a known order
        with pytest.raises(RunError, match="stopped at dialogue 1"):
            api.run_spec(spec, out=tmp_path / "out", progress=False)
        first = lines(tmp_path / "out" / "dialogues.jsonl")
        assert [r["termination"]["reason"] for r in first] == ["max_turns", "backend_error"]
        clear_backends()
        result = api.run_spec(spec, out=tmp_path / "out", progress=False)
    records = lines(tmp_path / "out" / "dialogues.jsonl")
    assert [r["id"] for r in records][:1] == [first[0]["id"]]
    assert sorted(r["id"] for r in records) == sorted(set(r["id"] for r in records)) and len(records) == 3
    assert first[1]["id"] in [r["id"] for r in records]
    assert all(r["termination"]["reason"] == "max_turns" for r in records)
    assert (result.new, result.skipped) == (2, 1)
    assert "made again after a server fault" in result.summary()


def _start_run(spec: Path, out: Path) -> subprocess.Popen:
    dslgen = Path(sys.executable).parent / "dslgen"  # the console script of this environment
    return subprocess.Popen([str(dslgen), "run", str(spec), "--out", str(out), "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _dialogues_written(out: Path, n: int):
    path = out / "dialogues.jsonl"
    return lambda: path.exists() and path.read_bytes().count(b"\n") >= n


def test_two_runs_into_one_folder_the_second_is_refused(tmp_path):
    with MockServer([], routes={"/v1/chat/completions": _turns(delay=0.1)}) as server:
        spec = _write_spec(tmp_path, server.url, dialogues=50)
        first = _start_run(spec, tmp_path / "out")
        try:
            _wait_for(_dialogues_written(tmp_path / "out", 1))
            with pytest.raises(RunError, match=f"is in use by another run \\(pid {first.pid}\\)"):
                api.run_spec(spec, out=tmp_path / "out", progress=False)
        finally:
            first.kill()
            first.wait()


def test_ctrl_c_keeps_finished_dialogues_and_exits_130(tmp_path):
    with MockServer([], routes={"/v1/chat/completions": _turns(delay=0.1)}) as server:
        spec = _write_spec(tmp_path, server.url, dialogues=12, concurrency=2)
        run = _start_run(spec, tmp_path / "out")
        _wait_for(_dialogues_written(tmp_path / "out", 2))
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=60)
        assert run.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err
        kept = lines(tmp_path / "out" / "dialogues.jsonl")  # every line whole
        assert 2 <= len(kept) < 12
        clear_backends()
        result = api.run_spec(spec, out=tmp_path / "out", progress=False)
    records = lines(tmp_path / "out" / "dialogues.jsonl")
    assert {r["id"] for r in kept} <= {r["id"] for r in records}
    assert [r["provenance"]["index"] for r in records] == list(range(12))  # in index order again
    assert len(records) == len({r["id"] for r in records}) == 12 and result.skipped == len(kept)


class _FailingFrom(RequestServer):
    """Answers from the request alone; drops every request after the first `healthy` ones
    (while `failing`), as a server that went down."""

    def __init__(self, healthy: int):
        super().__init__(latency=0.02)
        self.healthy, self.failing, self.seen = healthy, True, 0
        self.httpd.handle_error = lambda request, address: None  # no traceback for each drop

    def chat(self, body: dict) -> dict:
        self.seen += 1
        if self.failing and self.seen > self.healthy:
            raise ConnectionError("down")  # the handler closes the connection without an answer
        return super().chat(body)


def test_a_server_that_goes_down_under_concurrency_stops_the_run_and_a_rerun_completes_it(tmp_path):
    with _FailingFrom(healthy=40) as server:
        spec = served_spec(tmp_path, server.url, 16, concurrency=4)
        with pytest.raises(RunError, match=r"stopped at dialogue \d+: (user|agent): .* failed after \d+ attempt"):
            api.run_spec(spec, out=tmp_path / "out", progress=False)
        written = lines(tmp_path / "out" / "dialogues.jsonl")
        assert 0 < len(written) < 16 and any(r["termination"]["reason"] == "backend_error" for r in written)
        server.failing = False
        clear_backends()
        result = api.run_spec(spec, out=tmp_path / "out", progress=False)
        clear_backends()
        api.run_spec(spec, out=tmp_path / "clean", progress=False, concurrency=1)
    assert "made again after a server fault" in result.summary()
    assert (tmp_path / "out" / "dialogues.jsonl").read_bytes() == (tmp_path / "clean" / "dialogues.jsonl").read_bytes()
