"""Every export loads with `datasets`, the pinned version and the oldest supported one, with
one column schema whatever tools a row used; empty inputs and a large log load too."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from datasets import load_dataset, load_from_disk

from dslgen import api
from dslgen.export import context as export_context

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ["hf", "sharegpt", "openai", "kto", "dpo", "dialogues"]
OLDEST = ROOT / ".venv-datasets-oldest" / "bin" / "python"


def nulls(value, path="") -> list[str]:
    """Paths of every null inside a loaded row."""
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in nulls(v, f"{path}[{i}]")]
    return []


def test_every_format_loads_with_one_schema_and_no_nulls(exported):
    for config in CONFIGS[:-1]:
        ds = load_dataset(str(exported.out_dir), config, split="train")
        assert ds.num_rows > 0, config
        if config != "openai":  # the API format keeps tools' parameter objects as the API has them
            for row in ds:
                assert nulls(row) == [], (config, nulls(row)[:3])
    hf = load_dataset(str(exported.out_dir), "hf", split="train")
    tools_used = [{c["function"]["name"] for m in r["messages"] for c in m["tool_calls"]} for r in hf]
    assert len({frozenset(t) for t in tools_used}) > 1  # rows of different tools ...
    message = str(hf.data.schema.field("messages").type)
    assert "function: struct<name: string, arguments: string>" in message  # ... share one type
    disk = load_from_disk(str(exported.out_dir / "arrow"))
    assert disk["train"].features == hf.features
    parquet = load_dataset("parquet", data_files=str(exported.out_dir / "parquet" / "train.parquet"), split="train")
    assert parquet.features == hf.features and parquet.to_list() == hf.to_list()


def test_the_oldest_supported_datasets_loads_them_the_same(exported):
    """datasets 3.0.1 (pyproject's floor) in its own venv, made by scripts/ensure_datasets_oldest.sh.
    (An arrow folder is read by the datasets that wrote it or a newer one: not compared here.)"""
    subprocess.run(["bash", str(ROOT / "scripts" / "ensure_datasets_oldest.sh")], check=True, cwd=ROOT)
    script = Path(__file__).with_name("load_check.py")
    args = [str(exported.out_dir), *CONFIGS, "--parquet", str(exported.out_dir / "parquet" / "train.parquet")]
    old = json.loads(subprocess.run([str(OLDEST), str(script), *args], check=True, capture_output=True,
                                    text=True, cwd=exported.out_dir).stdout)
    new = json.loads(subprocess.run([sys.executable, str(script), *args], check=True, capture_output=True,
                                    text=True, cwd=exported.out_dir).stdout)
    assert old["version"] == "3.0.1" and new["version"] != old["version"]
    for config in CONFIGS:
        assert old["configs"][config]["train"]["data"] == new["configs"][config]["train"]["data"], config
    assert old["parquet"]["train"]["data"] == new["parquet"]["train"]["data"]


def test_splits_follow_the_fractions_and_each_loads(run_dir, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "validated.jsonl").write_text((run_dir / "validated.jsonl").read_text())
    context = export_context.load(run_dir)
    many = [json.loads(line) for line in (run_dir / "validated.jsonl").read_text().splitlines()]
    copies = [{**r, "id": f"{r['id']}-copy{i}"} for i in range(10) for r in many]  # 30 dialogues
    (folder / "validated.jsonl").write_text("".join(json.dumps(r) + "\n" for r in copies))
    from dataclasses import replace
    context = replace(context, settings=replace(context.settings, splits={"train": 0.6, "validation": 0.2, "test": 0.2}))
    export_context.save(context, folder)
    result = api.export_run(folder, ("hf", "sharegpt"))
    hf = next(w for w in result.written if w.format == "hf")
    assert hf.counts == {"train": 12, "validation": 4, "test": 4}  # the 20 accepted ones
    loaded = load_dataset(str(folder), "hf")
    assert {s: loaded[s].num_rows for s in loaded} == hf.counts
    sharegpt = load_dataset(str(folder), "sharegpt")
    for split in ("train", "validation", "test"):  # one seeded assignment for every format
        assert sorted(loaded[split]["id"]) == sorted(sharegpt[split]["id"])


def test_an_empty_input_exports_files_that_load(run_dir, tmp_path):
    """datasets cannot load a data file with no rows (StopIteration, "corresponds to no
    data"): an empty split gets no file and no config; the arrow folder loads, empty."""
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "validated.jsonl").write_text("")
    export_context.save(export_context.load(run_dir), folder)
    result = api.export_run(folder, ("hf", "sharegpt", "openai", "arrow", "kto", "dpo"))
    assert all(w.total == 0 and not w.files for w in result.written)
    assert not list(folder.rglob("*.jsonl"))[1:]  # only the (empty) log
    disk = load_from_disk(str(folder / "arrow"))
    assert disk["train"].num_rows == 0 and "messages" in disk["train"].features
    assert "configs: []" in result.card.read_text()


def test_all_rejected_exports_preference_rows_and_the_log_only(run_dir, tmp_path):
    folder = tmp_path / "rejected"
    folder.mkdir()
    records = [json.loads(line) for line in (run_dir / "validated.jsonl").read_text().splitlines()]
    rejected = [r for r in records if not r["validation"]["valid"]]
    (folder / "validated.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rejected))
    export_context.save(export_context.load(run_dir), folder)
    result = api.export_run(folder, ("hf", "kto"))
    assert {w.format: w.total for w in result.written} == {"hf": 0, "kto": 1}
    assert load_dataset(str(folder), "kto", split="train")["label"] == [False]
    assert load_dataset(str(folder), "dialogues", split="train").num_rows == 1
    assert load_dataset(str(folder), split="train").column_names[:3] == ["id", "tasks", "prompt"]  # default: kto


def test_a_13_mb_log_with_one_error_late_loads(run_dir, tmp_path):
    """datasets guesses types from the first ~10 MB: an error string after thousands of nulls
    used to fail with "Couldn't cast array of type string to null". The card declares the
    types found over the whole log."""
    folder = tmp_path / "big"
    folder.mkdir()
    records = [json.loads(line) for line in (run_dir / "validated.jsonl").read_text().splitlines()]
    lines, size, i = [], 0, 0
    while size < 13 * 2**20:
        record = {**records[i % len(records)], "id": f"dialogue-{i:06d}"}
        lines.append(json.dumps(record) + "\n")
        size, i = size + len(lines[-1]), i + 1
    last = json.loads(lines[-1])
    last["termination"] = {"reason": "backend_error", "error": "server closed the connection"}
    lines[-1] = json.dumps(last) + "\n"
    (folder / "validated.jsonl").write_text("".join(lines))
    export_context.save(export_context.load(run_dir), folder)
    api.export_run(folder, ("hf",))
    log = load_dataset(str(folder), "dialogues", split="train")
    assert log.num_rows == len(lines)
    assert log[-1]["termination"]["error"] == "server closed the connection"
    assert log[0]["termination"]["error"] is None
