"""Model backends: the only package that imports model SDKs (outlines, llama_cpp, transformers).

`make_backend(spec, role)` routes on `spec.backend` and imports the backend's module only
then, so a run with a server backend never loads llama.cpp. One instance is kept per
(role, spec): the embedded model keeps its KV prefix warm across a role's turns.
"""
from __future__ import annotations

import importlib
import threading

from dslgen.backends.base import (
    Backend,
    BackendStats,
    BaseBackend,
    ContextLimitExceeded,
)
from dslgen.backends.budget import BudgetProblem, budget_problem, fit_output
from dslgen.backends.constraints import (
    agent_turn_schema,
    bound_schema,
    max_output_tokens,
    parse_agent_turn,
    user_turn_schema,
)
from dslgen.errors import BackendError
from dslgen.spec.model_settings import ModelSpec

__all__ = [
    "Backend", "BackendError", "BackendStats", "BaseBackend", "BudgetProblem",
    "ContextLimitExceeded", "ModelSpec", "agent_turn_schema", "bound_schema", "budget_problem",
    "clear_backends", "fit_output", "make_backend", "max_output_tokens", "parse_agent_turn",
    "user_turn_schema",
]

_MODULES = {
    "embedded": ("dslgen.backends.embedded", "EmbeddedBackend"),
    "openai": ("dslgen.backends.openai_compat", "OpenAICompatBackend"),
    "transformers": ("dslgen.backends.transformers_backend", "TransformersBackend"),
    "scripted": ("dslgen.backends.scripted", "ScriptedBackend"),
}
_instances: dict[tuple[str, str, int], BaseBackend] = {}
_lock = threading.Lock()


def make_backend(spec: ModelSpec, role: str) -> Backend:
    """The backend for `role`, created once per (role, spec) and reused."""
    key = (role, spec.model_dump_json(), hash(spec.api_key))  # the key is excluded from dumps
    with _lock:
        backend = _instances.get(key)
        if backend is None:
            module_name, cls_name = _MODULES[spec.backend]
            cls = getattr(importlib.import_module(module_name), cls_name)
            backend = _instances[key] = cls(spec, role)
        return backend


def clear_backends() -> None:
    """Forget cached instances (tests, or to free a model's memory)."""
    with _lock:
        _instances.clear()
