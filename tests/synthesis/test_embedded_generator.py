"""The embedded model as generator, through the pipeline: generate_tasks (hand-written and
generated tasks) and expand_tools, then simulate, validate and export on the admitted tasks.
The model is weak (most proposals are rejected): the test shows the path runs end to end and
every proposal ends admitted or rejected with a reason, in the stage's files."""
import json
import shutil

import pytest
import yaml

from dslgen import api
from dslgen.backends import clear_backends
from dslgen.synthesis.reasons import REASONS
from scripted import lines
from synthesis.conftest import ROOT

LIBRARY = ROOT / "examples" / "minimal"
# short strings and lists keep the output budget (and the time on two cores) small
GENERATOR = {"backend": "embedded", "seed": 0, "max_string": 60, "max_items": 2, "max_invalid_retries": 1}
PIPELINE = [
    {"stage": "generate_tasks", "source": ["hand_written", "generated"],
     "generated": {"proposals": 2, "rows_per_table": 1}},
    {"stage": "expand_tools", "proposals": 2, "rows_per_table": 1},
    {"stage": "simulate", "dialogues": 1, "max_turns": 2, "max_steps": 1},
    {"stage": "validate", "keep": "all", "judge": False},
    {"stage": "export"},
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("embedded-generator")
    data = yaml.safe_load((LIBRARY / "spec.yaml").read_text())
    shutil.copytree(LIBRARY / "domain", folder / "domain")  # inside the spec's project root
    data.update(domain="domain", models={"generator": GENERATOR}, pipeline=PIPELINE)
    spec = folder / "spec.yaml"
    spec.write_text(yaml.safe_dump(data))
    clear_backends()
    result = api.run_spec(spec, out=folder / "out", progress=False)
    clear_backends()
    for stage in result.stages:
        print("\n".join(stage.lines))
    return result, folder / "out"


def _accounted(counts: dict, rejected: list[dict]) -> None:
    assert counts["rejected"] == len(rejected) == sum(counts["rejected_by_reason"].values())
    assert all(r["reason"] in REASONS and r["detail"] for r in rejected)


@pytest.mark.model
def test_generate_tasks_with_the_embedded_model(run):
    result, out = run
    counts = result.result("generate_tasks").counts
    tasks = lines(out / "tasks.jsonl")
    generated = [t for t in tasks if t["id"].startswith("generated-")]
    rejected = lines(out / "tasks.rejected.jsonl")
    assert len(generated) + len(rejected) == 2  # both proposals accounted for
    assert counts["tasks"] == len(tasks) == 2 + len(generated)  # the two hand-written ones, and the admitted
    _accounted(counts, rejected)
    assert all(t["rubric"]["expected_calls"] for t in generated)


@pytest.mark.model
def test_expand_tools_with_the_embedded_model(run):
    result, out = run
    counts = result.result("expand_tools").counts
    rejected = lines(out / "proposed_tools.rejected.jsonl")
    fragment = yaml.safe_load((out / "proposed_tools.yaml").read_text()) or {}
    assert counts["admitted"] == len(fragment.get("tools", [])) and counts["admitted"] + len(rejected) == 2
    _accounted(counts, rejected)


@pytest.mark.model
def test_the_run_goes_on_to_simulate_validate_and_export(run):
    result, out = run
    assert [s.kind for s in result.stages] == ["generate_tasks", "expand_tools", "simulate", "validate", "export"]
    admitted = {t["id"] for t in lines(out / "tasks.jsonl")}
    [dialogue] = lines(out / "dialogues.jsonl")
    assert {t["id"] for t in dialogue["task"]} <= admitted
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"tasks.rejected.jsonl", "proposed_tools.yaml", "proposed_tools.rejected.jsonl"} <= set(manifest["files"])
