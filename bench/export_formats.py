"""Export a large run log in every format and load it back with `datasets`: seconds and rows/s.

Usage: PYTHONPATH=. .venv/bin/python bench/export_formats.py [--megabytes 13]

The log is the scripted library example's records (two accepted, one rejected dialogue, from
a real run with real SQL) repeated under new ids to the size asked for, with one record's
termination.error set at the end (the case `datasets` used to fail on).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("openai", "hf", "sharegpt", "parquet", "arrow", "kto", "dpo")


def sample_run(folder: Path) -> Path:
    from dslgen import api

    data = yaml.safe_load((ROOT / "tests/fixtures/scripted/spec.yaml").read_text())
    data["domain"] = str(ROOT / "examples/minimal/domain")
    spec = folder / "spec.yaml"
    spec.write_text(yaml.safe_dump(data))
    api.run_spec(spec, out=folder / "run", progress=False)
    return folder / "run"


def grow(run: Path, megabytes: float) -> int:
    records = [json.loads(line) for line in (run / "validated.jsonl").read_text().splitlines()]
    lines, size = [], 0
    while size < megabytes * 2**20:
        r = {**records[len(lines) % len(records)], "id": f"d{len(lines):07d}"}
        lines.append(json.dumps(r) + "\n")
        size += len(lines[-1])
    last = json.loads(lines[-1])
    last["termination"] = {"reason": "backend_error", "error": "server closed the connection"}
    lines[-1] = json.dumps(last) + "\n"
    (run / "validated.jsonl").write_text("".join(lines))
    return len(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=13)
    args = parser.parse_args()
    from datasets import disable_progress_bars, load_dataset

    from dslgen import api

    disable_progress_bars()
    with tempfile.TemporaryDirectory() as tmp:
        run = sample_run(Path(tmp))
        n = grow(run, args.megabytes)
        print(f"log: {n} dialogues, {(run / 'validated.jsonl').stat().st_size / 2**20:.1f} MB", file=sys.stderr)
        for fmt in FORMATS:
            start = time.perf_counter()
            written = api.export_run(run, (fmt,)).written[0]
            seconds = time.perf_counter() - start
            print(f"export {fmt:<9} {written.total:>6} rows  {seconds:6.2f} s  {written.total / seconds:8.0f} rows/s")
        api.export_run(run, ("hf",))  # the card then declares hf (and the log)
        for config in ("hf", "dialogues"):
            shutil.rmtree(Path(tmp) / "cache", ignore_errors=True)
            start = time.perf_counter()
            ds = load_dataset(str(run), config, split="train", cache_dir=str(Path(tmp) / "cache"))
            print(f"load_dataset {config:<9} {ds.num_rows:>6} rows  {time.perf_counter() - start:6.2f} s")


if __name__ == "__main__":
    main()
