"""Secrets: values a spec read from the environment (`${VAR}`) never reach an output.

The loader registers every value it substitutes; whatever prints, logs, compiles or records
text calls `redact` (text) or `redact_json` (a JSON-like value) at that boundary, and each
registered value becomes `***`. A value is also caught percent-encoded (as in a URL).
Values shorter than four characters are not registered: they are too short to be a secret,
and replacing every '1' or 'on' would garble unrelated text.
"""
from __future__ import annotations

import re
import threading
from typing import Any

from dslgen.text import map_strings
from urllib.parse import quote

MASK = "***"
MIN_LENGTH = 4

_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@")

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern | None = None


def register(value: str) -> None:
    """Treat `value` as a secret from now on, in this process."""
    global _pattern
    forms = {value, quote(value, safe="")} if len(value) >= MIN_LENGTH else set()
    with _lock:
        if forms - _secrets:
            _secrets.update(forms)
            # longest first, so a secret containing another is masked whole
            _pattern = re.compile("|".join(re.escape(s) for s in sorted(_secrets, key=len, reverse=True)))


def redact(text: str) -> str:
    """`text` with every registered secret replaced by ***."""
    pattern = _pattern
    return pattern.sub(MASK, text) if pattern is not None and isinstance(text, str) else text


def redact_json(value: Any) -> Any:
    """A copy of a JSON-like value (dicts, lists, strings...) with every string redacted."""
    return value if _pattern is None else map_strings(value, redact)


def hide_url_passwords(text: str) -> str:
    """`text` (a URL, or any text holding URLs) with the password of each `user:password@`
    as ***, whether or not it came from ${VAR}."""
    return _URL_PASSWORD.sub(rf"\1{MASK}@", text)
