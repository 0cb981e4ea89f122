"""What a run shows while dialogues finish: how many are done and how they ended, model
requests and tokens per second, faults and failed tool calls; then, as the validate stage
decides them, how many were accepted and rejected.

Four ways: a rich live display on a terminal; one plain line per dialogue elsewhere (a
log file, CI); one JSON object per line (`--log-format json`); or nothing (`--quiet`).
All go to stderr; the tallies are kept either way for the stage's summary.
"""
from __future__ import annotations

import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

from dslgen.execute.work import Outcome, Usage


@dataclass
class Tally:
    """The simulate stage's: dialogues by ending, tool calls, model use."""

    total: int
    done: int = 0
    ended: Counter = field(default_factory=Counter)  # termination reason → dialogues
    tool_calls: int = 0
    tool_errors: int = 0
    usage: Usage = field(default_factory=Usage)
    started: float = field(default_factory=time.monotonic)
    label: ClassVar[str] = "dialogues"

    def add(self, outcome: Outcome) -> tuple[str, dict]:
        """Count a finished dialogue; its plain line and its JSON event."""
        self.done += 1
        self.ended[outcome.termination or "nothing generated"] += 1
        self.tool_calls += outcome.tool_calls
        self.tool_errors += outcome.tool_errors
        self.usage = self.usage + outcome.usage
        line = (f"[{self.done}/{self.total}] {outcome.id}: ended {outcome.termination or 'with nothing generated'}, "
                f"{outcome.turns} turns, {outcome.tool_calls} tool calls")
        event = {"event": "dialogue", "id": outcome.id, "termination": outcome.termination, "turns": outcome.turns}
        return line, {**event, **self.to_json()}

    def rates(self) -> tuple[float, float]:
        """Requests and tokens (prompt + completion) per second so far."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return self.usage.requests / elapsed, (self.usage.prompt_tokens + self.usage.completion_tokens) / elapsed

    def to_json(self) -> dict:
        requests, tokens = self.rates()
        return {"done": self.done, "total": self.total, "ended": dict(self.ended),
                "server_faults": self.ended.get("backend_error", 0), "tool_calls": self.tool_calls,
                "tool_errors": self.tool_errors, "requests": self.usage.requests,
                "resamples": self.usage.resamples, "retries": self.usage.retries,
                "requests_per_s": round(requests, 2), "tokens_per_s": round(tokens, 1)}

    def line(self) -> str:
        requests, tokens = self.rates()
        ended = ", ".join(f"{k} {v}" for k, v in sorted(self.ended.items()))
        return (f"{self.done}/{self.total} dialogues ({ended or 'none yet'}); {requests:.1f} requests/s, "
                f"{tokens:.0f} tokens/s; {self.tool_errors}/{self.tool_calls} tool calls failed")


@dataclass
class Verdicts:
    """The validate stage's: dialogues accepted and rejected, by reason."""

    total: int
    done: int = 0
    accepted: int = 0
    reasons: Counter = field(default_factory=Counter)
    label: ClassVar[str] = "validated"

    def add(self, verdict: tuple[str, bool, list[str]]) -> tuple[str, dict]:
        dialogue_id, valid, reasons = verdict
        self.done += 1
        self.accepted += valid
        self.reasons.update(reasons)
        line = f"[{self.done}/{self.total}] {dialogue_id}: " + ("accepted" if valid else f"rejected ({', '.join(reasons)})")
        return line, {"event": "validated", "id": dialogue_id, "valid": valid, "reasons": reasons, **self.to_json()}

    def to_json(self) -> dict:
        return {"done": self.done, "total": self.total, "accepted": self.accepted,
                "rejected": self.done - self.accepted}

    def line(self) -> str:
        top = ", ".join(f"{r} {n}" for r, n in self.reasons.most_common(3))
        return (f"{self.done}/{self.total} validated: {self.accepted} accepted, {self.done - self.accepted} "
                f"rejected" + (f" (most: {top})" if top else ""))


class Progress:
    """Shows a tally as items are added; a context manager around a stage."""

    def __init__(self, tally: Tally | Verdicts, *, enabled: bool = True, log_format: str = "text"):
        self.tally = tally
        self.style = _style(enabled and tally.total > 0, log_format)
        self._live = None

    def __enter__(self) -> "Progress":
        if self.style == "rich":
            from rich.live import Live

            self._live = Live(self._panel(), refresh_per_second=4, transient=True, console=_console())
            self._live.start()
        return self

    def add(self, item) -> None:
        line, event = self.tally.add(item)
        if self.style == "rich":
            self._live.update(self._panel())
        elif self.style == "plain":
            print(line, file=sys.stderr, flush=True)
        elif self.style == "json":
            print(json.dumps(event), file=sys.stderr, flush=True)

    def _panel(self):
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        grid = Table.grid(padding=(0, 1))
        grid.add_row(self.tally.label, ProgressBar(total=self.tally.total, completed=self.tally.done, width=30),
                     self.tally.line())
        return grid

    def __exit__(self, *exc) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


def _style(enabled: bool, log_format: str) -> str:
    if not enabled:
        return "none"
    if log_format == "json":
        return "json"
    return "rich" if sys.stderr.isatty() else "plain"


def _console():
    from rich.console import Console

    return Console(stderr=True)
