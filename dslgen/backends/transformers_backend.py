"""A local Hugging Face transformers model, constrained through Outlines (optional extra).

torch and transformers are heavy, so they are imported only when a spec asks for this
backend, and a missing install is a BackendError with the install hint.
"""
from __future__ import annotations

import importlib
import json
from typing import Any

from dslgen.backends.base import BaseBackend, Completion, SchemaPlan
from dslgen.backends.messages import fold_tool_messages
from dslgen.errors import BackendError
from dslgen.spec.model_settings import ModelSpec

_INSTALL_HINT = "pip install dslgen[transformers]"


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise BackendError(f"the transformers backend needs {name}: {exc}",
                           hint=_INSTALL_HINT) from exc


class TransformersBackend(BaseBackend):
    name = "transformers"

    def __init__(self, spec: ModelSpec, role: str):
        super().__init__(spec, role)
        if not spec.model:
            raise BackendError(f"{role}: backend transformers needs model (a HF id or path)",
                               hint="e.g. model: HuggingFaceTB/SmolLM2-135M-Instruct")
        transformers = _import("transformers")
        self._torch = _import("torch")
        outlines = _import("outlines")
        try:
            hf_model = transformers.AutoModelForCausalLM.from_pretrained(spec.model)
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(spec.model)
        except OSError as exc:
            raise BackendError(f"{role}: cannot load {spec.model}: {exc}",
                               hint="check the model id/path (no hub access offline)") from exc
        self._transformers = transformers
        self._outlines = outlines
        self.model = outlines.from_transformers(hf_model, self.tokenizer)
        window = getattr(hf_model.config, "max_position_embeddings", None)
        self.context_window = min(spec.n_ctx, window) if window else spec.n_ctx
        self._generators: dict[str, Any] = {}

    def _prompt(self, messages: list[dict]) -> str:
        return self.tokenizer.apply_chat_template(
            fold_tool_messages(messages), tokenize=False, add_generation_prompt=True)

    def count_tokens(self, messages: list[dict]) -> int:
        return len(self.tokenizer(self._prompt(messages), add_special_tokens=False)["input_ids"])

    def _complete_text(self, messages: list[dict], max_tokens: int, seed: int) -> Completion:
        return self._run(self._generator(None), messages, max_tokens, seed)

    def _complete_json(self, messages: list[dict], plan: SchemaPlan, seed: int) -> Completion:
        return self._run(self._generator(plan.bounded), messages, plan.budget, seed)

    def _generator(self, bounded: dict | None) -> Any:
        key = json.dumps(bounded, sort_keys=True)
        if key not in self._generators:
            from outlines.types import JsonSchema

            output_type = JsonSchema(json.dumps(bounded)) if bounded is not None else None
            self._generators[key] = self._outlines.Generator(
                self.model, output_type,
                backend=self.spec.grammar_backend if bounded is not None else None)
        return self._generators[key]

    def _run(self, generator: Any, messages: list[dict], max_tokens: int,
             seed: int) -> Completion:
        with self._lock:
            self._transformers.set_seed(seed)
            sampling = ({"do_sample": True, "temperature": self.spec.temperature,
                         "top_p": self.spec.top_p} if self.spec.temperature > 0
                        else {"do_sample": False})
            text = generator(self._prompt(messages), max_new_tokens=max_tokens, **sampling)
        # Outlines does not report a finish reason; a cut-off output fails to parse and is
        # re-sampled by the shared validation
        return Completion(text)
