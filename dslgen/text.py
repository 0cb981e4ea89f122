"""Text from models, made safe to store: lone surrogates become U+FFFD.

A model (or a server) can return a string holding half of a UTF-16 surrogate pair. Python
keeps it, but SQLite, PostgreSQL and UTF-8 files refuse it, which would crash the run and
lose the dialogue in progress. Every model output is cleaned once, where it enters a
dialogue, and the JSON Lines writer cleans again before writing.
"""
from __future__ import annotations

import re
from typing import Any, Callable

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    if not _LONE_SURROGATE.search(text):
        return text
    # a valid pair stored as two code points becomes its character; a lone half, U+FFFD
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def clean(value: Any) -> Any:
    """`value` with every string in it (keys included) cleaned."""
    return map_strings(value, clean_text)


def map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """A copy of a JSON-like value (dicts, lists, strings...) with `fn` applied to every
    string in it, keys included."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {map_strings(k, fn): map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [map_strings(v, fn) for v in value]
    return value
