"""Text that crosses the backend boundary: model outputs made safe, server errors made short
and free of secrets.

A model (or a server's JSON escapes) can produce lone UTF-16 surrogates, which no UTF-8
writer accepts, and NUL characters, which PostgreSQL text refuses. Both are replaced with
U+FFFD here, once, so nothing downstream (SQL, JSON Lines files) has to care.

A server's error body may echo the request's headers, and so the API key. Before such a
body reaches an exception message or a record it is cut and scrubbed: the key itself,
bearer tokens and `authorization`/`api_key`-style fields become `***`.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from dslgen.redact import hide_url_passwords as display_url  # noqa: F401 -- read from here too
from dslgen.redact import redact

REPLACEMENT = "\ufffd"
_UNSAFE = re.compile("[\ud800-\udfff\x00]")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=:-]+")
_SECRET_FIELD = re.compile(
    r"(?i)((?:proxy-)?authorization|x-api-key|api[-_]?key|access[-_]?token|token|secret"
    r"|password)(\\?[\"']?\s*[:=]\s*\\?[\"']?)(?!bearer\b|basic\b|\*\*\*)[^\s\"'\\,;}&]+")
_KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_-]{6,}")
ERROR_BODY_CHARS = 300


def clean_text(text: str) -> str:
    """`text` with lone surrogates and NUL replaced by U+FFFD (the same object if clean)."""
    return _UNSAFE.sub(REPLACEMENT, text) if _UNSAFE.search(text) else text


def clean_value(value: Any) -> Any:
    """A parsed JSON value with every string (keys too) passed through `clean_text`."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    return value


def scrub(text: str, secrets: Iterable[str | None] = (), limit: int = ERROR_BODY_CHARS) -> str:
    """`text` on one line, cut to `limit` characters, with secrets replaced by `***`."""
    text = redact(text)  # every value the spec read from ${VAR}
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _BEARER.sub(lambda m: f"{m.group(1)} ***", text)
    text = _SECRET_FIELD.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = _KEY_LIKE.sub("sk-***", text)
    text = display_url(text)
    text = " ".join(clean_text(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

