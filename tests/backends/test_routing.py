"""Routing and lazy imports: a backend's SDK is imported only when a spec asks for it."""
import subprocess
import sys

import pytest

from dslgen.backends import clear_backends, make_backend
from dslgen.errors import BackendError
from dslgen.spec.model_settings import ModelSpec


def test_importing_backends_loads_no_model_sdk():
    code = ("import sys, dslgen.backends, dslgen.backends.openai_compat; "
            "print(sorted(m for m in ('outlines', 'llama_cpp', 'transformers', 'torch') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_missing_transformers_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # makes `import transformers` fail
    clear_backends()
    with pytest.raises(BackendError) as e:
        make_backend(ModelSpec(backend="transformers", model="some/model"), "judge")
    assert e.value.hint == "pip install dslgen[transformers]"


def test_transformers_needs_a_model_name():
    with pytest.raises(BackendError, match="needs model"):
        make_backend(ModelSpec(backend="transformers"), "judge")


def test_openai_needs_a_base_url():
    with pytest.raises(BackendError, match="needs base_url"):
        make_backend(ModelSpec(backend="openai"), "agent")


def test_unknown_fields_are_rejected():
    with pytest.raises(ValueError):
        ModelSpec(backend="embedded", temprature=0.2)


def test_missing_gguf_file_is_a_clear_error(tmp_path):
    with pytest.raises(BackendError, match="cannot load GGUF model"):
        make_backend(ModelSpec(model=str(tmp_path / "nope.gguf")), "agent")


@pytest.mark.model
def test_grammar_backend_that_cannot_drive_llama_cpp_is_a_clear_error():
    # xgrammar is either not installed or (Outlines 1.3) refuses llama.cpp models
    clear_backends()
    backend = make_backend(ModelSpec(grammar_backend="xgrammar"), "agent")
    with pytest.raises(BackendError) as e:
        backend.generate_json([{"role": "user", "content": "hi"}],
                              {"type": "object", "properties": {"a": {"type": "boolean"}}})
    assert "xgrammar" in str(e.value) and e.value.hint
    clear_backends()
