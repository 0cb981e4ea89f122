"""Helpers for tests that run the scripted library spec (canned model turns, real SQL)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "tests" / "fixtures" / "scripted" / "spec.yaml"
LIBRARY = ROOT / "examples" / "minimal" / "domain"


def variant(folder: Path, change=None, domain: Path = LIBRARY) -> Path:
    """A copy of the scripted spec in `folder` with `change(data)` applied to its data. A
    domain outside `folder` is copied in: a spec reads files inside its project root only."""
    data = yaml.safe_load(SPEC.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    if not domain.resolve().is_relative_to(folder.resolve()):
        domain = Path(shutil.copytree(domain, folder / "domain", dirs_exist_ok=True))
    data["domain"] = domain.resolve().relative_to(folder.resolve()).as_posix()
    if change is not None:
        change(data)
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def lines(path: Path) -> list[dict]:
    """Records of a JSON Lines file (split on "\\n" only, as dslgen writes them)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def accepted(folder: Path) -> list[dict]:
    """The validated records that passed."""
    return [r for r in lines(folder / "validated.jsonl") if r["validation"]["valid"]]


def dataset(folder: Path, fmt: str = "openai") -> list[dict]:
    """The training rows an export wrote in `fmt` (its train split; none when it is empty)."""
    path = folder / fmt / "train.jsonl"
    return lines(path) if path.exists() else []


def user(text: str, done: bool = False) -> dict:
    return {"message": text, "is_task_complete": done}


def call(tool: str, **arguments) -> dict:
    return {"tool": tool, "arguments": arguments}


# the borrow_dune task (dialogue 0) solved properly, turn by turn
BORROW_USER = [user("I'd like to borrow Dune. I am member m1."), user("Thanks!", done=True)]
BORROW_AGENT = [call("find_book", title="Dune"), call("borrow_book", member_id="m1", book_id="b1"),
                {"reply": "Dune is now on loan to you."}]
