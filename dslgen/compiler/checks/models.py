"""DSL602/DSL605: a role played by an OpenAI-compatible server names it with a usable
base_url (one URL or a list; the same test the backend applies); an embedded model named by
path exists (else the run would stop at its first call)."""
from __future__ import annotations

import os

from dslgen.compiler.context import CheckContext
from dslgen.spec.model_settings import base_url_problem
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
        problem = base_url_problem(spec.base_url)
        if problem:
            ctx.error("DSL602", f"models.{role}: {problem}",
                      ("models", role) + (("base_url",) if spec.base_url else ()),
                      "e.g. base_url: http://127.0.0.1:8000/v1 (the server's OpenAI-compatible root), "
                      "or a list of servers running the same model")


def _is_file(path: str) -> bool:
    try:
        return os.path.isfile(path)
    except ValueError:  # a NUL in the path
        return False
