"""Progress while dialogues finish: counts by ending, requests and tokens per second, failed
tool calls, then accepted and rejected as they are validated; plain lines in a log, JSON
lines for CI, nothing with --quiet."""
from __future__ import annotations

import io
import json

from click.testing import CliRunner
from rich.console import Console

from dslgen.cli import main
from dslgen.execute.progress import Progress, Tally, Verdicts
from dslgen.execute.work import Outcome, Usage
from llm_server import served_spec


def _run(spec, out, *options):
    return CliRunner().invoke(main, ["run", str(spec), "--out", str(out), *options])


def test_json_lines_for_ci(tmp_path, server):
    result = _run(served_spec(tmp_path, server.url, 4), tmp_path / "out", "--log-format", "json")
    assert result.exit_code == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines()]  # every line is JSON
    dialogues = [e for e in events if e["event"] == "dialogue"]
    assert [e["done"] for e in dialogues] == [1, 2, 3, 4] and all(e["total"] == 4 for e in dialogues)
    last = dialogues[-1]
    assert sum(last["ended"].values()) == 4 and last["requests"] > 4
    assert last["requests_per_s"] > 0 and last["tokens_per_s"] > 0 and last["tool_calls"] >= last["tool_errors"]
    verdicts = [e for e in events if e["event"] == "validated"]
    assert [e["done"] for e in verdicts] == [1, 2, 3, 4]
    assert verdicts[-1]["accepted"] + verdicts[-1]["rejected"] == 4
    summary = events[-1]
    assert summary["event"] == "summary" and summary["stages"]["validate"]["generated"] == 4


def test_plain_lines_off_a_terminal_and_nothing_when_quiet(tmp_path, server):
    spec = served_spec(tmp_path, server.url, 3)
    plain = _run(spec, tmp_path / "a")
    assert plain.exit_code == 0, plain.stderr
    assert plain.stderr.count("[3/3] ") == 2 and "model requests" in plain.stderr  # simulate, then validate
    assert ": ended " in plain.stderr and (": accepted" in plain.stderr or ": rejected (" in plain.stderr)
    quiet = _run(spec, tmp_path / "b", "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == ""
    assert (tmp_path / "b" / "dialogues.jsonl").read_text().count("\n") == 3


def test_the_terminal_display_shows_the_tallies():
    progress = Progress(Tally(3))
    progress.add(Outcome(0, "d0", {}, "user_stop", 3, 4, 1, usage=Usage(12, 9000, 300)))
    progress.add(Outcome(1, "d1", {}, "max_turns", 6, 2, 2, usage=Usage(10, 8000, 200)))
    out = io.StringIO()
    Console(file=out, width=200).print(progress._panel())
    text = out.getvalue()
    assert "2/3 dialogues (max_turns 1, user_stop 1)" in text and "3/6 tool calls failed" in text
    assert "requests/s" in text and "tokens/s" in text
    verdicts = Progress(Verdicts(4))
    verdicts.add(("d0", True, []))
    verdicts.add(("d1", False, ["final_state", "max_errors"]))
    out = io.StringIO()
    Console(file=out, width=200).print(verdicts._panel())
    assert "2/4 validated: 1 accepted, 1 rejected (most: final_state 1, max_errors 1)" in out.getvalue()
