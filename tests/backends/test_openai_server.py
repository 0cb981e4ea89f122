"""A short dialogue through the openai backend against a real OpenAI-compatible server:
llama-cpp-python's own server serving the embedded GGUF on loopback."""
import json
import socket
import subprocess
import sys
import time
import urllib.request

import jsonschema
import pytest

from dslgen.backends import agent_turn_schema, parse_agent_turn, user_turn_schema
from dslgen.backends.embedded import default_model_path
from dslgen.backends.openai_compat import _SERVER_MODES, OpenAICompatBackend
from dslgen.spec.model_settings import ModelSpec

pytestmark = pytest.mark.model



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    port = _free_port()
    log = (tmp_path_factory.mktemp("llama_server") / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", default_model_path(),
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "1"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/models", timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("llama_cpp.server did not come up")


def test_short_dialogue_through_a_real_server(server_url, retail_tools):
    _SERVER_MODES.clear()
    spec = ModelSpec(backend="openai", base_url=server_url, model="smollm2", temperature=0.7,
                     max_string=64, timeout_s=120, backoff_s=0.1)
    agent = OpenAICompatBackend(spec, "agent")
    user = OpenAICompatBackend(spec, "user")
    params = {t["name"]: t["parameters"] for t in retail_tools}
    names = ", ".join(t["name"] for t in retail_tools)
    history = [
        {"role": "system", "content": f"You are a retail agent. Tools: {names}. Answer in JSON."},
        {"role": "user", "content": "What is the status of my order #W4817420?"},
    ]

    # turn 1: a constrained tool call, executed (here: a canned result) and fed back
    kind, call = parse_agent_turn(agent.generate_json(
        history, agent_turn_schema(retail_tools, allow_reply=False), seed=1))
    assert kind == "tool"
    jsonschema.validate(call["arguments"], params[call["name"]])
    history += [
        {"role": "assistant", "content": None, "tool_calls": [{
            "id": "c1", "type": "function",
            "function": {"name": call["name"], "arguments": json.dumps(call["arguments"])}}]},
        {"role": "tool", "tool_call_id": "c1", "content": '{"status": "pending"}'},
    ]
    # turn 2: the agent chooses freely between replying and another tool
    kind, value = parse_agent_turn(agent.generate_json(
        history, agent_turn_schema(retail_tools), seed=2))
    history.append({"role": "assistant",
                    "content": value if kind == "reply" else json.dumps(value)})
    # turn 3: the user simulator answers with {message, is_task_complete}
    turn = user.generate_json(
        [{"role": "system", "content": "You are the customer. Reply in JSON."},
         {"role": "user", "content": history[-1]["content"]}], user_turn_schema(), seed=3)
    jsonschema.validate(turn, user_turn_schema())
    history.append({"role": "user", "content": turn["message"]})
    # turn 4: free text
    assert agent.generate_text(history, max_tokens=24, seed=4).strip()

    # the server refused json_schema; auto fell back to json_object once and remembered it
    assert _SERVER_MODES[server_url] == "json_object"
    # far from the window the prompt was counted locally; asked, the server's tokenizer
    # counts, and the local estimate (calibrated by the server's `usage`) over-counts it
    assert agent._tokenizer_route is None
    n = agent.count_tokens(history)
    assert agent._tokenizer_route == "llama_cpp"
    assert n <= agent._estimate(agent.prepare(history)) <= 2 * n
    print(f"agent stats {agent.stats}, user stats {user.stats}")
    _SERVER_MODES.clear()
