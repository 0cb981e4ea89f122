"""Records of real runs (scripted models, real SQL) for the export tests: two accepted
dialogues of the library example, and one rejected (the agent lends the wrong book)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from dslgen import api
from dslgen.backends import clear_backends
from scripted import variant

ROOT = Path(__file__).resolve().parents[2]
ALL_FORMATS = ["openai", "hf", "sharegpt", "parquet", "arrow", "kto", "dpo"]


def scripted_spec(folder: Path, change=None) -> Path:
    """The scripted library spec exporting every format, with `change` applied to its data
    (its domain copied into `folder`, the spec's project root)."""
    def exporting(data):
        data["pipeline"][-1] = {"stage": "export", "format": ALL_FORMATS, "license": "cc-by-4.0"}
        if change:
            change(data)
    return variant(folder, exporting)


def run(spec: Path, out: Path, limit: int | None = None) -> list[dict]:
    clear_backends()
    try:
        api.run_spec(spec, out=out, limit=limit, progress=False)
    finally:
        clear_backends()
    return [json.loads(line) for line in (out / "validated.jsonl").read_text().splitlines()]


def _wrong_book(data):
    data["models"]["agent"]["outputs"][1]["arguments"]["book_id"] = "b3"


@pytest.fixture(scope="session", autouse=True)
def fresh_datasets_cache(tmp_path_factory):
    """`datasets` caches what it loaded by path: a folder of an earlier session reused under
    the same tmp path would come back stale. Each session gets its own cache."""
    import datasets

    cache = tmp_path_factory.mktemp("hf-cache")
    datasets.config.HF_DATASETS_CACHE = cache
    os.environ["HF_DATASETS_CACHE"] = str(cache)  # for the load_check subprocesses
    yield cache


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory) -> Path:
    """A run folder holding 2 accepted and 1 rejected dialogue, and its export.json."""
    base = tmp_path_factory.mktemp("runs")
    accepted = run(scripted_spec(base / "a"), base / "a" / "out")
    rejected = run(scripted_spec(base / "b", _wrong_book), base / "b" / "out", limit=1)
    folder = base / "run"
    folder.mkdir()
    shutil.copyfile(base / "a" / "out" / "export.json", folder / "export.json")
    lines = "".join(json.dumps(r) + "\n" for r in accepted + rejected)
    (folder / "validated.jsonl").write_text(lines)
    return folder


@pytest.fixture
def export_spec():
    """scripted_spec, for tests that run the spec themselves."""
    return scripted_spec


@pytest.fixture(scope="session")
def records(run_dir) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "validated.jsonl").read_text().splitlines()]


@pytest.fixture
def exported(run_dir, tmp_path):
    """The run exported in every format into a fresh folder."""
    return api.export_run(run_dir, tuple(ALL_FORMATS), tmp_path / "export")
