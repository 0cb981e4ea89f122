"""An OpenAI-compatible model server on loopback whose every answer is a function of the
whole request (messages, schema, seed): a dialogue that saw anything of another one (a
note, a message, a row written by it) gets other answers from then on.

Built on bench/mock_openai.py (the fixed-latency server the runner bench uses): a
structured request gets an instance valid against its schema; here the strings in it are
drawn from the library domain's ids and titles, so some tool calls find rows and some
writes succeed.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import random
from pathlib import Path

from scripted import variant

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("mock_openai", ROOT / "bench" / "mock_openai.py")
mock_openai = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mock_openai)

WORDS = ("m1", "m2", "b1", "b2", "b3", "Dune", "Emma", "Thanks, that is all.")


class RequestServer(mock_openai.MockOpenAI):
    """Answers depend on the request alone; `latency` seconds each."""

    def __init__(self, latency: float = 0.0):
        super().__init__(latency=latency, first_branch_share=0.3)

    def chat(self, body: dict) -> dict:
        key = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).digest()
        rng = random.Random(key)
        reply = super().chat({**body, "seed": int.from_bytes(key[:4], "big")})
        message = reply["choices"][0]["message"]
        if mock_openai.requested_schema(body) is not None:
            message["content"] = json.dumps(_words(json.loads(message["content"]), rng))
        return reply


def _words(value, rng: random.Random):
    if isinstance(value, str):
        return rng.choice(WORDS)
    if isinstance(value, dict):
        return {k: v if k == "tool" else _words(v, rng) for k, v in value.items()}  # the name is a const
    if isinstance(value, list):
        return [_words(v, rng) for v in value]
    return value


def served_spec(folder: Path, url: str, dialogues: int, concurrency: int | None = None, **stage) -> Path:
    """The library spec (2 tasks per dialogue, up to 4 turns, every dialogue exported) with
    user and agent on `url`."""
    model = {"backend": "openai", "base_url": url, "model": "m", "max_retries": 2, "backoff_s": 0.05,
             "timeout_s": 30, "max_invalid_retries": 1, "n_ctx": 32768}

    def change(data):
        data["models"]["user"] = data["models"]["agent"] = model
        data["pipeline"][0].update(dialogues=dialogues, tasks_per_dialogue=2, max_turns=4, **stage)
        data["pipeline"][1]["keep"] = "all"  # every dialogue in the dataset: more to compare
        if concurrency:
            data["pipeline"][0]["concurrency"] = concurrency

    return variant(folder, change)
