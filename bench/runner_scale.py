"""The runner at scale: retail dialogues end to end (`specs/retail.yaml`, every role on
`bench/mock_openai.py`, a fixed-latency OpenAI-compatible server in a child process).

    PYTHONPATH=. .venv/bin/python bench/runner_scale.py [--latency 0.2] [--rounds 4]

Prints a Markdown report:
1. requests/s and the most requests the server had in flight at once, with C = 1, 8, 32,
   64 dialogues in flight (C x rounds dialogues per level), at `--latency`;
2. framework overhead with an instant server: this process's CPU time per model request
   over a whole simulate stage (dialogue loop, SQL tool calls, prompts, backends, records,
   fsync'd appends), and the wall time per request;
3. prompt prefix reuse: the share of prompt characters that repeat an earlier prompt's
   prefix, as the server's prefix cache would find them (16-character blocks);
4. the state digest per dialogue: in the runs above, and after replaying each of the 520
   τ-bench retail episodes (real writes), digesting only the touched tables vs all of them.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import yaml

import backends_http
from dslgen import api
from dslgen.backends import clear_backends
from dslgen.execute import RunOptions
from dslgen.runner import run_plan
from dslgen.sql import Database, state
from dslgen.sql.database import Session

ROOT = Path(__file__).resolve().parents[1]
EPISODES = ROOT / "tests/data/tau-bench-retail/replay_train.jsonl"


class Server(backends_http.Server):
    """bench/mock_openai.py in a child process (its CPU is not this process's), counting
    prompt prefix reuse when asked."""

    def __init__(self, latency: float, prefix_stats: bool = False):
        args = [sys.executable, str(ROOT / "bench/mock_openai.py"), "--latency", str(latency)]
        self.proc = subprocess.Popen(args + (["--prefix-stats"] if prefix_stats else []), stdout=subprocess.PIPE,
                                     text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        self.url = self.proc.stdout.readline().strip()
        self.root = self.url.removesuffix("/v1")


def retail_spec(folder: Path, url: str, dialogues: int) -> Path:
    """specs/retail.yaml with every role on the mock server, simulate only."""
    data = yaml.safe_load((ROOT / "specs/retail.yaml").read_text())
    data["domain"] = str(ROOT / "domains/retail")
    model = {"backend": "openai", "base_url": url, "model": "mock", "n_ctx": 32768, "timeout_s": 60,
             "max_retries": 2, "backoff_s": 0.05}
    data["models"] = {"default": model, "user": model}
    data["pipeline"] = [s for s in data["pipeline"] if s["stage"] in ("generate_tasks", "simulate")]
    data["pipeline"][-1]["dialogues"] = dialogues
    path = folder / f"retail-{dialogues}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


class DigestClock:
    """Time spent in Session.digest during a run."""

    def __init__(self):
        self.seconds, self.calls, self._real = 0.0, 0, Session.digest

    def __enter__(self) -> "DigestClock":
        clock = self

        def timed(session):
            t = time.perf_counter()
            try:
                return clock._real(session)
            finally:
                clock.seconds += time.perf_counter() - t
                clock.calls += 1
        Session.digest = timed
        return self

    def __exit__(self, *exc) -> None:
        Session.digest = self._real


def run_level(server: Server, folder: Path, concurrency: int, dialogues: int) -> dict:
    clear_backends()
    plan = api.compile_file(retail_spec(folder, server.url, dialogues), folder / f"out-{concurrency}-{dialogues}")
    server.stats(reset=True)
    cpu, wall = time.process_time(), time.perf_counter()
    with DigestClock() as digests:
        run_plan(plan, progress=False, options=RunOptions(concurrency=concurrency))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    s = server.stats()
    return {"requests": s["requests"], "rps": s["requests"] / wall, "max_in_flight": s["max_in_flight"],
            "cpu_ms": cpu / s["requests"] * 1e3, "wall_ms": wall / s["requests"] * 1e3,
            "reuse": s["reused_chars"] / s["prompt_chars"] if s["prompt_chars"] else None,
            "prompt_chars": s["prompt_chars"], "digest_ms": digests.seconds / max(1, digests.calls) * 1e3}


def digest_costs() -> dict:
    """Per episode of τ-bench retail, after its calls: digest of the touched tables vs all."""
    plan = api.compile_file(ROOT / "specs/retail.yaml")
    db = Database(plan.schema, dict(plan.seed_data.rows))
    tools = {t.name: t for t in plan.tools}
    db.digest()  # the master's table digests, once
    touched = full = legacy = 0.0
    episodes = [json.loads(line) for line in EPISODES.read_text().splitlines()]
    for episode in episodes:
        with db.fork() as s:
            for step in episode["steps"]:
                s.call(tools[step["tool"]], step["arguments"])
            t = time.perf_counter()
            fast = s.digest()
            touched += time.perf_counter() - t
            t = time.perf_counter()
            slow = state.digest(s.schema, s.dump())
            full += time.perf_counter() - t
            assert fast == slow, episode["id"]
            t = time.perf_counter()
            legacy_digest(s)
            legacy += time.perf_counter() - t
    n = len(episodes)
    return {"episodes": n, "touched_ms": touched / n * 1e3, "full_ms": full / n * 1e3, "legacy_ms": legacy / n * 1e3}


def legacy_digest(session: Session) -> str:
    """The digest before the runner work: every table dumped, as sorted-key JSON, hashed."""
    h = hashlib.sha256()
    for table in session.schema.tables:
        h.update(table.name.encode() + b"\n")
        h.update(json.dumps(session.dump({table.name})[table.name], sort_keys=True).encode())
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--rounds", type=int, default=8, help="dialogues per level = C x rounds (the last "
                    "round's stragglers leave fewer than C in flight: more rounds, less of that tail)")
    ap.add_argument("--overhead-dialogues", type=int, default=40)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; retail, user_oriented, 2 tasks per dialogue\n")
    with TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("| concurrency | dialogues | requests | requests/s | max in flight | ÷ (C × rate at 1) |")
        print("|---|---|---|---|---|---|")
        with Server(args.latency) as server:
            base = None
            for c in (1, 8, 32, 64):
                r = run_level(server, folder, c, c * args.rounds)
                base = base or r["rps"]
                print(f"| {c} | {c * args.rounds} | {r['requests']} | {r['rps']:.1f} | {r['max_in_flight']} | "
                      f"{r['rps'] / (c * base):.2f} |", flush=True)
        with Server(0.0, prefix_stats=True) as server:
            run_level(server, folder, 1, 5)  # warm: imports, first connections
            r = run_level(server, folder, 1, args.overhead_dialogues)
        print(f"\ninstant server, {args.overhead_dialogues} dialogues one at a time, {r['requests']} requests: "
              f"CPU {r['cpu_ms']:.2f} ms/request (this process), wall {r['wall_ms']:.2f} ms/request")
        print(f"prompt prefix reuse: {r['reuse']:.3f} of {r['prompt_chars']:,} prompt characters")
        print(f"state digest in these runs: {r['digest_ms']:.2f} ms per dialogue")
    d = digest_costs()
    print(f"state digest after each of {d['episodes']} τ-bench episodes: touched tables {d['touched_ms']:.2f} ms, "
          f"every table {d['full_ms']:.2f} ms, as before this change (every table, sorted-key JSON) "
          f"{d['legacy_ms']:.2f} ms")


if __name__ == "__main__":
    main()
