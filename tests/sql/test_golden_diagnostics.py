"""Golden diagnostics of the SQL side of issue 14.8: each case edits a shipped spec and compares
everything `dslgen check` prints (code, position, message, source line, hint) with
expected.txt, so a diagnostic printed twice, a follow-on error or a library warning fails.

golden/<case>/case.yaml: `base` (retail | minimal) and `edits` (file, replace, with), applied
to a copy of the base. Set DSLGEN_UPDATE_GOLDEN=1 to rewrite expected.txt after a deliberate
change, then review the diff.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted(p for p in (Path(__file__).parent / "golden").iterdir() if p.is_dir())
BASES = {"retail": (["specs", "domains/retail", "dslgen.toml"], "specs/retail.yaml"),  # the marker: specs/ reads ../domains
         "minimal": (["examples/minimal"], "examples/minimal/spec.yaml")}


def _materialize(case: Path, tmp: Path) -> tuple[Path, str]:
    spec = yaml.safe_load((case / "case.yaml").read_text())
    folders, spec_file = BASES[spec["base"]]
    for folder in folders:
        (shutil.copytree if (ROOT / folder).is_dir() else shutil.copy)(ROOT / folder, tmp / folder)
    if spec["base"] == "minimal":  # diagnostics name files relative to the spec's folder
        tmp, spec_file = tmp / "examples" / "minimal", "spec.yaml"
    for edit in spec["edits"]:
        target = tmp / edit["file"]
        text = target.read_text()
        assert text.count(edit["replace"]) == 1, f"{case.name}: {edit['replace']!r} must occur once"
        target.write_text(text.replace(edit["replace"], edit["with"]))
    return tmp, spec_file


def _check_output(cwd: Path, spec: str) -> str:
    done = subprocess.run([sys.executable, "-c", "from dslgen.cli import main; main()", "check", spec],
                          cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return f"exit {done.returncode}\n{done.stdout}{done.stderr}"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_golden(case: Path, tmp_path: Path):
    cwd, spec = _materialize(case, tmp_path)
    got = _check_output(cwd, spec)
    expected = case / "expected.txt"
    if os.environ.get("DSLGEN_UPDATE_GOLDEN"):
        expected.write_text(got)
    assert got == expected.read_text()
    assert "Traceback" not in got and "sqlglot" not in got
