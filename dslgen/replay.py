"""Replay recorded tool calls against a spec's tools, each episode on a fresh database copy.

Episodes are JSONL in the format of τ-bench's replay_train.jsonl: `{"id", "steps": [{"tool",
"arguments", "output"?}]}`. Each output line is `{"id": ..., "outputs": [text, ...]}`. When a
step carries a reference `output`, the replayed one is compared with it (JSON documents by
value, numbers within 1e-6; other texts exactly).
"""
from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

TOLERANCE = 1e-6


@dataclass
class Mismatch:
    episode: str
    step: int
    tool: str
    expected: str
    got: str


@dataclass
class ReplaySummary:
    episodes: int = 0
    steps: int = 0
    compared: int = 0  # steps that carried a reference output
    matched: int = 0
    seconds: float = 0.0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def match_rate(self) -> float:
        return self.matched / self.compared if self.compared else 1.0


def same_output(got: str, expected: str) -> bool:
    try:
        a, b = json.loads(got), json.loads(expected)
    except (ValueError, TypeError):
        return got == expected
    return _same_value(a, b)


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=0, abs_tol=TOLERANCE)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    return a == b


def read_episodes(path: str | Path) -> Iterator[dict]:
    """Episodes of a JSON Lines file; a line that is not one (bad JSON, not UTF-8, another
    shape) is a RunError naming it, never a crash halfway through the replay."""
    from dslgen.errors import RunError

    with open(path, "rb") as f:  # split on b"\n" only, as dslgen writes JSON Lines
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                episode = json.loads(line)
            except (ValueError, RecursionError) as e:  # UnicodeDecodeError included; too deep
                raise RunError(f"{path}:{n}: not a JSON line ({e})") from None
            problem = _shape_problem(episode)
            if problem:
                raise RunError(f"{path}:{n}: {problem}",
                               hint='one episode a line: {"id": ..., "steps": [{"tool": NAME, "arguments": {...}}]}')
            yield episode


def _shape_problem(episode: Any) -> str | None:
    if not isinstance(episode, dict):
        return "an episode must be a JSON object"
    steps = episode.get("steps", [])
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        return "'steps' must be a list of objects"
    if any(not isinstance(s.get("tool"), str) for s in steps):
        return "every step needs a 'tool' name"
    return None


def replay_episode(tools: dict, db, episode: dict) -> list[str]:
    """Outputs of an episode's steps, on a fresh fork of `db`."""
    with db.fork() as session:
        return [_step(tools, session, s) for s in episode.get("steps", [])]


def _step(tools: dict, session, step: dict) -> str:
    tool = tools.get(step.get("tool"))
    if tool is None:
        return f"Error: unknown tool '{step.get('tool')}'"
    return session.call(tool, step.get("arguments", {})).output


def replay_all(tools: dict, db, episodes: Iterable[dict], out=None) -> ReplaySummary:
    """Replay every episode; write one JSON line per episode to `out` (a text file) if given."""
    summary, start = ReplaySummary(), time.perf_counter()
    for ep in episodes:
        outputs = replay_episode(tools, db, ep)
        if out is not None:
            out.write(json.dumps({"id": ep.get("id"), "outputs": outputs}, ensure_ascii=False) + "\n")
        _tally(summary, ep, outputs)
    summary.seconds = time.perf_counter() - start
    return summary


def _tally(summary: ReplaySummary, ep: dict, outputs: list[str]) -> None:
    summary.episodes += 1
    for i, (step, got) in enumerate(zip(ep.get("steps", []), outputs)):
        summary.steps += 1
        if "output" not in step:
            continue
        summary.compared += 1
        if same_output(got, step["output"]):
            summary.matched += 1
        else:
            summary.mismatches.append(Mismatch(str(ep.get("id")), i, str(step.get("tool")), step["output"], got))


def replay(spec, episodes_path: str | Path, out_path: str | Path | None = None, *,
           engine: str = "sqlite", url: str | None = None) -> ReplaySummary:
    """`spec`: a spec file path or a compiled Plan. Writes `out_path` when given ("-": stdout)."""
    from dslgen.sim.database import open_database

    plan = _plan(spec)
    tools = {t.name: t for t in plan.tools}
    db = open_database(plan, engine, url)
    episodes = read_episodes(episodes_path)
    if out_path is None:
        return replay_all(tools, db, episodes)
    if str(out_path) == "-":
        return replay_all(tools, db, episodes, sys.stdout)
    with open(out_path, "w", encoding="utf-8") as out:
        return replay_all(tools, db, episodes, out)


def describe(summary: ReplaySummary) -> str:
    text = f"{summary.episodes} episodes, {summary.steps} calls in {summary.seconds:.1f} s"
    if summary.compared:
        text += f"; {summary.matched}/{summary.compared} outputs match the reference ({summary.match_rate:.2%})"
    return text


def _plan(spec):
    if isinstance(spec, (str, Path)):
        from dslgen.api import compile_file

        return compile_file(spec)
    return spec
