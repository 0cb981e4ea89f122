"""docs/first-domain.md, followed step by step: its file contents are applied as the guide
says, and the outputs it shows (the check error, the replay, the plan diff) are what the
commands print."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from click.testing import CliRunner

from dslgen.cli import main

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "first-domain.md").read_text()
BLOCKS = re.findall(r"^(`{3,4})(\w*)\n(.*?)^\1$", GUIDE, re.MULTILINE | re.DOTALL)


def block(starts_with: str) -> str:
    """The guide's code block whose text starts with this."""
    return next(text for _, _, text in BLOCKS if text.startswith(starts_with))


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def test_following_the_guide(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("init", "helpdesk").exit_code == 0
    monkeypatch.chdir(tmp_path / "helpdesk")
    domain = Path("domains/helpdesk")
    assert invoke("check", "specs/helpdesk.yaml").exit_code == 0

    # 2. the database
    column = block("  status TEXT NOT NULL CHECK")
    replace(domain / "schema.sql", column.splitlines()[0] + "\n", column)
    (domain / "seed" / "tickets.jsonl").write_text(block('{"ticket_id": "t1"'))
    param = block("      priority:")
    replace(domain / "tools.yaml", "enum: [open, waiting, closed]}\n    guards:\n      - reject",
            "enum: [open, waiting, closed]}\n" + param + "    guards:\n      - reject")
    replace(domain / "tools.yaml", "        INSERT INTO tickets (ticket_id, customer_id, subject, status)\n"
            "        VALUES (:ticket_id, :customer_id, :subject, :status)", block("        INSERT INTO").rstrip("\n"))

    # 3. a tool, with the guide's typo first
    tool = block("  - name: escalate_ticket")
    (domain / "tools.yaml").write_text((domain / "tools.yaml").read_text() + "\n" + tool)
    result = invoke("check", "specs/helpdesk.yaml")
    assert result.exit_code == 1
    assert result.stderr.strip() == block("domains/helpdesk/tools.yaml:").strip()
    replace(domain / "tools.yaml", "priorty", "priority")
    assert invoke("check", "specs/helpdesk.yaml").exit_code == 0

    # 4. try it
    Path("calls.jsonl").write_text(block('{"id": "try-escalate"'))
    result = invoke("replay", "specs/helpdesk.yaml", "calls.jsonl")
    assert result.stdout.strip() == block('{"id": "try-escalate", "outputs"').strip()

    # 5. a task
    (domain / "tasks.yaml").write_text((domain / "tasks.yaml").read_text() + "\n" + block("  - id: escalate_login"))
    assert invoke("check", "specs/helpdesk.yaml").exit_code == 0

    # 7. review a change
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(git + ["init", "-q", "-b", "main"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "helpdesk"], check=True)
    subprocess.run(git + ["checkout", "-q", "-b", "urgent-first"], check=True)
    replace(domain / "tools.yaml", "WHERE customer_id = :customer_id\n        ORDER BY ticket_id",
            "WHERE customer_id = :customer_id\n" + block("        ORDER BY priority").rstrip("\n"))
    result = invoke("diff", "specs/helpdesk.yaml", "main")
    assert result.stdout.strip() == block("### dslgen diff: helpdesk").strip()
