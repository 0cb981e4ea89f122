"""What SQL analysis reports: a problem at a 1-based (line, col) of a text, and the helpers
that place and explain it."""
from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """Something wrong in a SQL text, at a 1-based (line, col) of that text."""

    code: str
    message: str
    line: int = 1
    col: int = 1
    length: int = 1
    hint: str | None = None


def did_you_mean(word: str, choices) -> str | None:
    match = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def node_position(text: str, node, base: int = 0) -> tuple[int, int, int]:
    """(line, col, length) of a parsed node inside `text`, whose SQL started at offset `base`
    (sqlglot keeps offsets on identifiers and literals only; the first one found is used)."""
    for sub in node.walk() if hasattr(node, "walk") else ():
        meta = getattr(sub, "meta", None) or {}
        if "start" in meta and "end" in meta:
            return (*line_col(text, base + meta["start"]), meta["end"] - meta["start"] + 1)
    return (*line_col(text, base), 1)
