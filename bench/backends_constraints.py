"""Constrained decoding figures for the embedded model (prints a Markdown report).

1. compile time of the retail tool union (16 τ-bench tools + reply) per grammar backend;
2. decode tokens/s of SmolLM2-135M constrained vs unconstrained;
3. validity over seeds at temperature 1.0: bounded schema vs the raw one.

    PYTHONPATH=. .venv/bin/python bench/backends_constraints.py [--seeds 100] [--threads 1]

outlines_core runs in a child process with a memory cap and a time limit: on bounded
strings its regex-to-automaton compile can blow up.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import time
from pathlib import Path

import jsonschema

from dslgen.backends import agent_turn_schema, bound_schema, clear_backends, make_backend
from dslgen.backends.embedded import _COMPACT_JSON
from dslgen.spec.model_settings import ModelSpec

TOOLS = json.loads((Path(__file__).resolve().parents[1]
                    / "tests/data/tau-bench-retail/tool_signatures.json").read_text())
PROMPT = [
    {"role": "system", "content": "You are a retail agent. Answer with one tool call as JSON. "
     "Tools: " + ", ".join(t["name"] for t in TOOLS)},
    {"role": "user", "content": "Please cancel order #W2378156, I ordered it by mistake."},
]


def union(bounded: bool) -> dict:
    schema = agent_turn_schema(TOOLS)
    return bound_schema(schema) if bounded else schema


# -- 1. compile time ------------------------------------------------------------------

def compile_llguidance(backend, schema: dict, reps: int = 5) -> dict:
    import llguidance
    from outlines.backends.llguidance import LLGuidanceBackend

    om = backend._outlines_model
    t = time.perf_counter()
    llg = LLGuidanceBackend(om)
    tokenizer_s = time.perf_counter() - t
    grammar = llguidance.grammar_from("json_schema", json.dumps({**schema,
                                                                 "x-guidance": _COMPACT_JSON}))
    import llguidance.numpy

    bitmask = llguidance.numpy.allocate_token_bitmask(1, llg.llg_tokenizer.vocab_size)
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        matcher = llguidance.LLMatcher(llg.llg_tokenizer, grammar)
        # parts of the grammar are built lazily: count the first token mask in too
        llguidance.numpy.fill_next_token_bitmask(matcher, bitmask, 0)
        times.append(time.perf_counter() - t)
        assert not matcher.get_error(), matcher.get_error()
    return {"compile_ms": statistics.median(times) * 1e3, "setup_ms": tokenizer_s * 1e3}


def _outlines_core_child(schema_json: str, queue) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # 3 GB
    try:
        import outlines
        from outlines.types import JsonSchema

        clear_backends()
        backend = make_backend(ModelSpec(n_threads=1), "bench")
        backend.processor({"type": "string"})  # loads the Outlines model wrapper
        t = time.perf_counter()
        outlines.Generator(backend._outlines_model,
                           JsonSchema(schema_json, whitespace_pattern=r"[ ]?"),
                           backend="outlines_core")
        queue.put({"compile_ms": (time.perf_counter() - t) * 1e3})
    except MemoryError:
        queue.put({"error": "out of memory (3 GB cap)"})
    except Exception as exc:  # noqa: BLE001 - report whatever the engine raised
        queue.put({"error": f"{type(exc).__name__}: {str(exc)[:120]}"})


def compile_outlines_core(schema: dict, timeout: float = 300) -> dict:
    queue = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(target=_outlines_core_child,
                                          args=(json.dumps(schema), queue))
    t = time.perf_counter()
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return {"error": f"no result within {timeout:.0f} s"}
    if not queue.empty():
        return queue.get()
    return {"error": f"died (exit code {proc.exitcode}, out of memory at the 3 GB cap?) "
                     f"after {time.perf_counter() - t:.1f} s"}


# -- 2. tokens/s ----------------------------------------------------------------------

def tokens_per_s(backend, processor, seeds: range, max_tokens: int) -> dict:
    import llama_cpp

    prompt, stop = backend.render(PROMPT)
    backend.llama.create_completion(prompt, max_tokens=1)  # warm the prompt prefix
    tokens, seconds = 0, 0.0
    for seed in seeds:
        if processor is not None:
            processor.reset()
        t = time.perf_counter()
        out = backend.llama.create_completion(
            prompt, max_tokens=max_tokens, temperature=1.0, seed=seed, stop=stop,
            logits_processor=llama_cpp.LogitsProcessorList([processor]) if processor else None)
        seconds += time.perf_counter() - t
        tokens += out["usage"]["completion_tokens"]
    return {"tokens": tokens, "tok_s": tokens / seconds}


# -- 3. validity ----------------------------------------------------------------------

def validity(backend, schema: dict, seeds: range, max_tokens: int | None) -> dict:
    """Sample with the constraint of `schema` as given (no re-sampling) and count."""
    import llama_cpp

    processor = backend.processor(schema)
    budget = max_tokens or backend.plan(schema).budget
    prompt, stop = backend.render(PROMPT)
    original = agent_turn_schema(TOOLS)
    valid = cut = 0
    t = time.perf_counter()
    for seed in seeds:
        processor.reset()
        out = backend.llama.create_completion(
            prompt, max_tokens=budget, temperature=1.0, seed=seed, stop=stop,
            logits_processor=llama_cpp.LogitsProcessorList([processor]))
        choice = out["choices"][0]
        cut += choice["finish_reason"] == "length"
        try:
            jsonschema.validate(json.loads(choice["text"]), original)
            valid += 1
        except (json.JSONDecodeError, jsonschema.ValidationError):
            pass
    return {"valid": valid, "n": len(seeds), "cut_off": cut, "budget": budget,
            "s_per_call": (time.perf_counter() - t) / len(seeds)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    clear_backends()
    backend = make_backend(ModelSpec(temperature=1.0, n_threads=args.threads), "bench")
    backend.processor({"type": "string"})  # loads Outlines' model wrapper once
    print(f"load average {os.getloadavg()[0]:.2f}, llama.cpp threads {args.threads}\n")

    print("| grammar backend | schema | compile (ms) | notes |\n|---|---|---|---|")
    for bounded in (False, True):
        name = "bounded" if bounded else "raw"
        r = compile_llguidance(backend, union(bounded))
        print(f"| llguidance | {name} | {r['compile_ms']:.1f} | matcher + first mask; "
              f"tokenizer from llama.cpp vocab {r['setup_ms']:.0f} ms, once per model |")
        r = compile_outlines_core(union(bounded))
        cell = f"{r['compile_ms']:.0f}" if "compile_ms" in r else "—"
        print(f"| outlines_core | {name} | {cell} | {r.get('error', 'Generator build')} |")
    print("| xgrammar | — | — | not installed (needs torch + triton); Outlines 1.3 xgrammar "
          "takes no llama.cpp model |\n")

    t = time.perf_counter()
    processor = backend.processor(union(True))
    print(f"Generator build (llguidance, bounded union): {(time.perf_counter() - t) * 1e3:.0f} ms\n")
    free = tokens_per_s(backend, None, range(10), 128)
    tied = tokens_per_s(backend, processor, range(10, 30), 512)
    print("| decoding | tokens | tokens/s |\n|---|---|---|")
    print(f"| unconstrained | {free['tokens']} | {free['tok_s']:.0f} |")
    print(f"| constrained (llguidance, retail union) | {tied['tokens']} | {tied['tok_s']:.0f} |\n")

    print("| schema | max_tokens | valid | cut off | s/call |\n|---|---|---|---|---|")
    for label, schema, max_tokens, n in (
        ("raw union", union(False), 256, min(args.seeds, 20)),
        ("bounded union (default: strings ≤200)", union(True), None, args.seeds),
    ):
        r = validity(backend, schema, range(1000, 1000 + n), max_tokens)
        print(f"| {label} | {r['budget']} | {r['valid']}/{r['n']} | {r['cut_off']} | "
              f"{r['s_per_call']:.2f} |")


if __name__ == "__main__":
    main()
