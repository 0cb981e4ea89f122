"""The openai backend against a fixed-latency mock server: throughput under concurrency and
the framework's own cost per request (prints a Markdown report).

    PYTHONPATH=. .venv/bin/python bench/backends_http.py [--latency 0.2] [--rounds 10]

The mock server (`bench/mock_openai.py`) runs in a child process, so the CPU time measured
here is the client's alone. Each request is what the agent sends mid-dialogue: the retail
policy and tool list as the system prompt, a history with tool calls and results (folded
into text), and the 16-tool turn union as a structured output, validated on return.

1. requests/s through one backend shared by C threads, C = 1, 8, 32, 64, at `--latency`;
   the server reports the most requests it had in flight at once;
2. framework overhead with an instant server: client CPU time and wall time per request.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dslgen.backends import agent_turn_schema, clear_backends, make_backend
from dslgen.spec.model_settings import ModelSpec

ROOT = Path(__file__).resolve().parents[1]
TOOLS = json.loads((ROOT / "tests/data/tau-bench-retail/tool_signatures.json").read_text())
SCHEMA = agent_turn_schema(TOOLS)


def dialogue_messages(turns: int = 6) -> list[dict]:
    """A mid-dialogue agent prompt: system prompt, then user turns, tool calls and results."""
    policy = (ROOT / "domains/retail/policy.md").read_text()
    tools = "\n".join(f"- {t['name']}: {json.dumps(t['parameters'])}" for t in TOOLS)
    messages = [{"role": "system", "content": f"{policy}\n\nTools:\n{tools}"},
                {"role": "assistant", "content": "Hi! How can I help you today?"}]
    for i in range(turns):
        call = {"id": f"call_{i}", "type": "function", "function": {
            "name": "get_order_details", "arguments": json.dumps({"order_id": f"#W48174{i:02d}"})}}
        messages += [
            {"role": "user", "content": f"Can you check order #W48174{i:02d} for me, please?"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": f"call_{i}",
             "content": json.dumps({"order_id": f"#W48174{i:02d}", "status": "pending",
                                    "items": [{"item_id": "1725100896", "price": 52.5}] * 3})},
            {"role": "assistant", "content": f"Order #W48174{i:02d} is pending with 3 items."},
        ]
    return messages


class Server:
    """The mock server in a child process."""

    def __init__(self, latency: float):
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench/mock_openai.py"), "--latency", str(latency)],
            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        self.url = self.proc.stdout.readline().strip()
        self.root = self.url.removesuffix("/v1")

    def stats(self, reset: bool = False) -> dict:
        req = urllib.request.Request(self.root + ("/stats/reset" if reset else "/stats"),
                                     data=b"{}" if reset else None)
        with urllib.request.urlopen(req, timeout=5) as resp:
            return json.loads(resp.read())

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def backend(url: str):
    clear_backends()
    spec = ModelSpec(backend="openai", base_url=url, model="mock", timeout_s=30,
                     max_retries=2, backoff_s=0.05, n_ctx=32768)
    return make_backend(spec, "agent")


def throughput(server: Server, concurrency: int, n: int) -> dict:
    b = backend(server.url)
    messages = dialogue_messages()
    b.generate_json(messages, SCHEMA, seed=0)  # connect and cache the schema plan first
    server.stats(reset=True)
    t = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda i: b.generate_json(messages, SCHEMA, seed=i), range(n)))
    elapsed = time.perf_counter() - t
    return {"rps": n / elapsed, "max_in_flight": server.stats()["max_in_flight"],
            "retries": b.stats.request_retries}


def overhead(server: Server, n: int) -> dict:
    b = backend(server.url)
    messages = dialogue_messages()
    for i in range(20):  # warm: connection, schema plan, token-ratio calibration
        b.generate_json(messages, SCHEMA, seed=i)
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        b.generate_json(messages, SCHEMA, seed=i)
    return {"cpu_ms": (time.process_time() - cpu) / n * 1e3,
            "wall_ms": (time.perf_counter() - wall) / n * 1e3}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--rounds", type=int, default=10,
                    help="requests per level = concurrency x rounds (whole rounds: no tail)")
    ap.add_argument("--requests", type=int, default=500, help="requests for the overhead part")
    args = ap.parse_args()
    chars = sum(len(m.get("content") or "") for m in dialogue_messages())
    print(f"load average {os.getloadavg()[0]:.2f}; prompt {chars} chars, "
          f"{len(dialogue_messages())} messages; schema: 16-tool retail turn union\n")
    print(f"| concurrency | requests | requests/s | max in flight | vs C × rate at 1 |")
    print("|---|---|---|---|---|")
    with Server(args.latency) as server:
        base = None
        for c in (1, 8, 32, 64):
            n = c * args.rounds
            r = throughput(server, c, n)
            base = base or r["rps"]
            print(f"| {c} | {n} | {r['rps']:.1f} | {r['max_in_flight']} | "
                  f"{r['rps'] / (c * base):.2f} |")
    with Server(0.0) as server:
        r = overhead(server, args.requests)
    print(f"\ninstant server, {args.requests} sequential requests: client CPU "
          f"{r['cpu_ms']:.2f} ms/request, wall {r['wall_ms']:.2f} ms/request")


if __name__ == "__main__":
    main()
