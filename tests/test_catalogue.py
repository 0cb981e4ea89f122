"""The diagnostics catalogue: every code a check reports is defined there, once, in full."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dslgen.catalogue import CODES, lookup
from dslgen.errors import Diagnostic

PACKAGE = Path(__file__).resolve().parents[1] / "dslgen"
USED = {m for f in PACKAGE.rglob("*.py") if f.name != "catalogue.py"
        for m in re.findall(r"\"(DSL\d{3})\"", f.read_text(encoding="utf-8"))}


def test_every_code_reported_is_in_the_catalogue():
    assert USED - set(CODES) == set()


def test_every_code_in_the_catalogue_is_reported_somewhere():
    assert set(CODES) - USED == set()


@pytest.mark.parametrize("code", sorted(CODES))
def test_each_entry_has_a_title_an_explanation_and_an_example(code):
    entry = CODES[code]
    assert re.fullmatch(r"DSL\d{3}", entry.id) and entry.title and entry.example.strip()
    assert len(entry.explanation) > 40 and "  " not in entry.explanation
    assert lookup(code.lower()) is entry


def test_a_diagnostic_with_an_unknown_code_is_refused():
    with pytest.raises(ValueError, match="catalogue"):
        Diagnostic("DSL999", "nothing")
