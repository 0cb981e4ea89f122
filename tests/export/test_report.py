"""The HTML report renders its plots in a real headless browser (Chromium), offline; the
terminal viewer and the text report filter and count the dialogues of a run."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from dslgen import api
from dslgen.cli import main

# what the test adds to its copy of the page: the rendered size of every plot and its bars
MEASURE = """<pre id="measure"></pre><script>
document.getElementById('measure').textContent = JSON.stringify(
  Array.from(document.querySelectorAll('svg.plot')).map(function (svg) {
    var box = svg.getBoundingClientRect();
    var bars = Array.from(svg.querySelectorAll('rect.bar')).map(function (r) {
      var b = r.getBoundingClientRect(); return [b.width, b.height]; });
    return {label: svg.getAttribute('aria-label'), width: box.width, height: box.height, bars: bars};
  }));
</script></body>"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is missing: run scripts/ensure_chromium.sh (make test does)"
    return found


def headless(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Chromium headless, isolated (fresh profile, no network services, no GPU)."""
    return subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
         "--window-size=1200,1800", *args, page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True)


def test_the_report_renders_its_plots_in_a_browser(run_dir, tmp_path):
    page = api.report_html(run_dir, tmp_path / "report.html")
    html = page.read_text()
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing to fetch
    measured = tmp_path / "measured.html"
    measured.write_text(html.replace("</body>", MEASURE))
    dom = headless(measured, tmp_path / "profile-dom", "--dump-dom").stdout
    plots = json.loads(re.search(r'<pre id="measure">(.*?)</pre>', dom, re.S).group(1).replace("&quot;", '"'))
    assert [p["label"] for p in plots] == ["Acceptance", "Rejected dialogues by reason", "Turns per dialogue",
                                          "Tool calls by tool"]
    for plot in plots:
        assert plot["width"] > 200 and plot["height"] > 40, plot
        assert plot["bars"] and all(w > 0 for w, _ in plot["bars"]), plot["label"]
        assert any(h > 0 for _, h in plot["bars"]), plot["label"]
    tools = next(p for p in plots if p["label"] == "Tool calls by tool")
    assert len(tools["bars"]) == 3  # find_book, borrow_book, get_member
    assert dom.count('class="dialogue"') == 3
    shot = tmp_path / "report.png"
    headless(page, tmp_path / "profile-shot", f"--screenshot={shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_report_text_and_cli(run_dir, tmp_path):
    runner = CliRunner()
    text = runner.invoke(main, ["report", str(run_dir)])
    assert text.exit_code == 0
    assert "3 generated, 2 accepted, 1 rejected" in text.output
    assert "critical_failed:expected_call:borrow_book" in text.output
    html = runner.invoke(main, ["report", str(run_dir), "--html", "-o", str(tmp_path / "r.html")])
    assert html.exit_code == 0 and (tmp_path / "r.html").exists()
    missing = runner.invoke(main, ["report", str(tmp_path / "nowhere")])
    assert missing.exit_code == 3 and "no validated.jsonl" in missing.output


def test_view_filters_and_shows_transcripts(run_dir):
    runner = CliRunner()
    listing = runner.invoke(main, ["view", str(run_dir), "--accepted"])
    assert listing.exit_code == 0 and "2 dialogue(s)" in listing.output
    rejected = runner.invoke(main, ["view", str(run_dir), "--rejected"])
    assert "1 dialogue(s)" in rejected.output and "assistant calls borrow_book" in rejected.output
    assert "book_id=\"b3\"" in rejected.output  # one match: its transcript is shown
    by_tool = runner.invoke(main, ["view", str(run_dir), "--tool", "get_member", "--accepted"])
    assert "1 dialogue(s)" in by_tool.output and "my_loans" in by_tool.output
    by_task = runner.invoke(main, ["view", str(run_dir), "--task", "borrow_dune", "--list"])
    assert "2 dialogue(s)" in by_task.output and "calls" not in by_task.output
    by_reason = runner.invoke(main, ["view", str(run_dir), "--reason", "final_state"])
    assert "1 dialogue(s)" in by_reason.output


def test_export_command_rewrites_a_run_folder_elsewhere(run_dir, tmp_path):
    out = tmp_path / "again"
    result = CliRunner().invoke(main, ["export", str(run_dir), "--format", "sharegpt", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "sharegpt" / "train.jsonl").exists() and (out / "README.md").exists()
    assert (out / "validated.jsonl").read_text() == (run_dir / "validated.jsonl").read_text()
    bad = CliRunner().invoke(main, ["export", str(tmp_path), "--format", "hf"])
    assert bad.exit_code == 3 and "export.json" in bad.output


def test_a_run_logs_a_plain_line_per_dialogue_when_not_on_a_terminal(tmp_path, export_spec):
    from dslgen.backends import clear_backends

    clear_backends()
    result = CliRunner().invoke(main, ["run", str(export_spec(tmp_path)), "--out", str(tmp_path / "out")])
    clear_backends()
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("[") and ": ended " in line]
    assert len(lines) == 2 and lines[0].startswith("[1/2] scripted-library-user_oriented-00000-")
    verdicts = [line for line in result.output.splitlines() if line.startswith("[") and line.endswith(": accepted")]
    assert len(verdicts) == 2  # then one line per dialogue as the validate stage decides it
    assert lines[0].endswith(": ended user_stop, 1 turns, 2 tool calls")
