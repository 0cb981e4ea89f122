"""Same spec, same seed, same embedded model: the same dialogues."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from dslgen import api
from dslgen.backends import clear_backends

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.model
def test_two_runs_of_the_same_spec_give_the_same_dialogues(tmp_path):
    data = yaml.safe_load((ROOT / "examples" / "minimal" / "spec.yaml").read_text())
    shutil.copytree(ROOT / "examples" / "minimal" / "domain", tmp_path / "domain")  # inside the spec's project
    data["domain"] = "domain"
    data["pipeline"][0].update(dialogues=1, max_turns=2, max_steps=1)
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(data))
    runs = []
    for name in ("a", "b"):
        clear_backends()  # a fresh model instance, as in a new process
        api.run_spec(spec, out=tmp_path / name, progress=False)
        runs.append([json.loads(line) for line in (tmp_path / name / "dialogues.jsonl").read_text().splitlines()])
    a, b = runs
    assert [r["id"] for r in a] == [r["id"] for r in b]
    assert [r["messages"] for r in a] == [r["messages"] for r in b]
    assert len(a[0]["messages"]) > 3  # the model really spoke
