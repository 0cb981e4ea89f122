"""A backend that returns canned outputs in order, for tests.

Structured outputs still go through the shared validation, so an invalid canned value is
rejected and re-sampled (the next canned value is taken) exactly like a model's would be.
"""
from __future__ import annotations

import json
from collections import deque
from typing import Any

from dslgen.backends.base import BaseBackend, Completion, SchemaPlan
from dslgen.errors import BackendError
from dslgen.spec.model_settings import ModelSpec


class ScriptedBackend(BaseBackend):
    name = "scripted"

    def __init__(self, spec: ModelSpec, role: str, outputs: list[Any] | None = None):
        super().__init__(spec, role)
        self.outputs: deque[Any] = deque(outputs if outputs is not None else spec.outputs or [])
        self.requests: list[dict] = []  # what was asked, for assertions

    def count_tokens(self, messages: list[dict]) -> int:
        # a stand-in tokenizer: one token per whitespace-separated word, plus role overhead
        return sum(4 + len(str(m.get("content") or "").split()) for m in messages)

    def _complete_text(self, messages: list[dict], max_tokens: int, seed: int) -> Completion:
        out = self._next(messages, None, seed)
        return Completion(out if isinstance(out, str) else json.dumps(out))

    def _complete_json(self, messages: list[dict], plan: SchemaPlan, seed: int) -> Completion:
        out = self._next(messages, plan.original, seed)
        return Completion(out if isinstance(out, str) else json.dumps(out))

    def _next(self, messages: list[dict], schema: dict | None, seed: int) -> Any:
        self.requests.append({"messages": messages, "schema": schema, "seed": seed})
        if not self.outputs:
            raise BackendError(f"{self.role} (scripted): no canned outputs left",
                               hint="give the scripted backend more outputs")
        return self.outputs.popleft()
