"""DSL602/DSL605: a role played by an OpenAI-compatible server names it with a usable
base_url; an embedded model named by path exists (else the run would stop at its first call)."""
from __future__ import annotations

import os
from urllib.parse import urlsplit

from dslgen.compiler.context import CheckContext
from dslgen.spec.models import ROLES


def check(ctx: CheckContext) -> None:
    models = ctx.spec.models
    for role in ("default", *ROLES):
        spec = getattr(models, role)
        if spec is not None and spec.backend == "embedded" and spec.model and not _is_file(spec.model):
            ctx.error("DSL605", f"models.{role}: model file '{spec.model}' not found", ("models", role, "model"),
                      "a GGUF file path, relative to the folder dslgen runs in; leave model out for the bundled one")
        if spec is None or spec.backend != "openai":
            continue
        path = ("models", role)
        problem = url_problem(spec.base_url)
        if problem:
            ctx.error("DSL602", f"models.{role}: {problem}", path + (("base_url",) if spec.base_url else ()),
                      "e.g. base_url: http://127.0.0.1:8000/v1 (the server's OpenAI-compatible root)")


def url_problem(url: str | None) -> str | None:
    """Why `url` cannot name a server, or None."""
    if not url:
        return "backend openai needs base_url"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError as exc:
        return f"base_url is not a URL: {exc}"
    if parts.scheme not in ("http", "https"):
        return "base_url must start with http:// or https://"
    if not parts.hostname:
        return "base_url has no host"
    if any(c.isspace() for c in url):
        return "base_url contains a space"
    return None


def _is_file(path: str) -> bool:
    try:
        return os.path.isfile(path)
    except ValueError:  # a NUL in the path
        return False
