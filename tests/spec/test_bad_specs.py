"""Every broken spec in fixtures/bad_specs gives exactly its expected diagnostics.

A case folder overlays examples/minimal (the smallest valid spec) with broken files;
expected.txt lists `CODE file:line:col`, one line per expected diagnostic; rendered.txt, when
present, is the exact output (message, source line, caret, hint), paths relative to the case.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dslgen import api
from dslgen.errors import SpecError

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "examples" / "minimal"
CASES = sorted(p for p in (ROOT / "tests" / "fixtures" / "bad_specs").iterdir() if p.is_dir())


def _materialize(case: Path, tmp: Path) -> Path:
    shutil.copytree(BASE, tmp, dirs_exist_ok=True)
    for f in case.rglob("*"):
        if f.is_file() and f.name != "expected.txt":
            target = tmp / f.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, target)
    return tmp / "spec.yaml"


def _expected(case: Path) -> list[str]:
    return sorted(line.strip() for line in (case / "expected.txt").read_text().splitlines() if line.strip())


def _found(diagnostics, root: Path) -> list[str]:
    out = []
    for d in diagnostics:
        rel = Path(d.span.file).resolve().relative_to(root.resolve())
        out.append(f"{d.code} {rel}:{d.span.line}:{d.span.col}")
    return sorted(out)


def test_there_are_at_least_twenty_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bad_spec(case: Path, tmp_path: Path):
    spec = _materialize(case, tmp_path)
    diagnostics = api.check_spec(spec)
    assert _found(diagnostics, tmp_path) == _expected(case), "\n".join(d.render() for d in diagnostics)
    for d in diagnostics:
        assert d.message and d.span is not None
    if (case / "rendered.txt").exists():
        shown = SpecError(diagnostics).render().replace(f"{tmp_path}/", "")
        assert shown.strip() == (case / "rendered.txt").read_text().strip()


def test_the_base_example_is_clean():
    assert api.check_spec(BASE / "spec.yaml") == []
