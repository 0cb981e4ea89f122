"""The generated path with the embedded model as generator: how many proposals each stage
admits, why the others were rejected, and the time per proposal.

Usage: PYTHONPATH=. python bench/synthesis_generator.py [SPEC] [--proposals N]
Runs `dslgen run SPEC --stages generate_tasks,expand_tools` with a pipeline of
generate_tasks (source: generated) and expand_tools, N proposals each, the generator being
the embedded SmolLM2-135M (short strings and lists, as in the tests).
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import yaml

from dslgen import api

ROOT = Path(__file__).resolve().parents[1]
REJECTED = {"generate_tasks": "tasks.rejected.jsonl", "expand_tools": "proposed_tools.rejected.jsonl"}
GENERATOR = {"backend": "embedded", "seed": 0, "max_string": 60, "max_items": 2, "max_invalid_retries": 1}


def bench_spec(spec: Path, folder: Path, proposals: int) -> Path:
    data = yaml.safe_load(spec.read_text())
    data["domain"] = str((spec.parent / data["domain"]).resolve())
    data.setdefault("models", {})["generator"] = GENERATOR
    data["pipeline"] = [
        {"stage": "generate_tasks", "source": "generated", "generated": {"proposals": proposals, "rows_per_table": 1}},
        {"stage": "expand_tools", "proposals": proposals, "rows_per_table": 1}]
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("spec", nargs="?", default=str(ROOT / "examples" / "minimal" / "spec.yaml"))
    parser.add_argument("--proposals", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        spec = bench_spec(Path(args.spec), Path(tmp), args.proposals)
        for stage in ("generate_tasks", "expand_tools"):
            t0 = time.perf_counter()
            result = api.run_spec(spec, out=Path(tmp) / "out", stages=[stage], progress=False)
            took = time.perf_counter() - t0
            print("\n".join(result.result(stage).lines))
            print(f"{stage}: {took:.1f} s, {took / args.proposals:.1f} s per proposal")
            rejected = Path(tmp) / "out" / REJECTED[stage]
            for line in rejected.read_text().splitlines()[:3]:  # what the rejections look like
                print("  e.g.", json.loads(line)["detail"][:160])


if __name__ == "__main__":
    main()
