"""The dataset card and the export context: what generated the data, licence, no secrets."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from dslgen import api
from dslgen.export.context import context_from_plan, public_model_settings
from dslgen.spec.model_settings import ModelSpec
from dslgen.templating import render

ROOT = Path(__file__).resolve().parents[2]


def front_matter(card: Path) -> dict:
    return yaml.safe_load(card.read_text().split("---\n")[1])


def test_the_card_declares_configs_splits_types_and_licence(exported, records):
    meta = front_matter(exported.card)
    assert meta["license"] == "cc-by-4.0"
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert set(configs) == {"hf", "sharegpt", "openai", "kto", "dpo", "dialogues"}
    assert configs["hf"]["default"] is True
    assert configs["hf"]["data_files"] == [{"split": "train", "path": "hf/train.jsonl"}]
    info = {i["config_name"]: i for i in meta["dataset_info"]}
    assert info["hf"]["splits"] == [{"name": "train", "num_bytes": (exported.out_dir / "hf/train.jsonl").stat().st_size,
                                     "num_examples": 2}]
    messages = next(f for f in info["hf"]["features"] if f["name"] == "messages")
    assert {f["name"] for f in messages["list"]} == {"role", "content", "tool_calls", "tool_call_id", "name"}


def test_the_card_says_what_generated_the_data(exported, run_dir):
    text = exported.card.read_text()
    context = json.loads((run_dir / "export.json").read_text())
    assert f"digest `{context['spec_digest'][:16]}`" in text and f"dslgen {context['dslgen_version']}" in text
    assert "| user | scripted | – | 0.7 | 1.0 | 256 | – |" in text  # each role's model and sampling
    assert "3 generated, 2 accepted, 1 rejected" in text
    assert "`critical_failed:expected_call:borrow_book` | 1 |" in text
    assert "| user_oriented | 3 |" in text  # Table 1
    assert 'load_dataset("' in text and "json.loads(c[\"function\"][\"arguments\"])" in text


def test_retail_carries_its_data_licence_and_no_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("DSLGEN_TEST_KEY", "sk-secret-value")
    spec = (ROOT / "specs" / "retail.yaml").read_text().replace(
        "  user:\n    backend: embedded",
        '  agent:\n    backend: openai\n    base_url: "http://me:pw@127.0.0.1:9/v1"\n    model: m\n'
        '    api_key: "${DSLGEN_TEST_KEY}"\n  user:\n    backend: embedded')
    shutil.copytree(ROOT / "domains" / "retail", tmp_path / "domains" / "retail")  # inside its project root
    (tmp_path / "specs").mkdir()
    path = tmp_path / "specs" / "retail.yaml"
    path.write_text(spec)
    (tmp_path / "dslgen.toml").write_text("")
    context = context_from_plan(api.compile_file(path))
    assert context.settings.license == "mit"
    assert "Copyright (c) 2024 Sierra" in context.notices["LICENSE-tau-bench"]
    dumped = json.dumps(context.to_json())
    assert "sk-secret-value" not in dumped and "DSLGEN_TEST_KEY" not in dumped and "me:pw" not in dumped
    assert context.models["agent"]["base_url"] == "http://127.0.0.1:9/v1"


def test_a_list_of_servers_is_shown_without_credentials():
    model = ModelSpec(backend="openai", base_url=["http://me:pw@127.0.0.1:9/v1", "http://127.0.0.1:10/v1"])
    assert public_model_settings(model)["base_url"] == ["http://127.0.0.1:9/v1", "http://127.0.0.1:10/v1"]


def test_prompts_list_parameter_names_and_the_export_one_has_no_protocol(example_plan):
    tools = example_plan.tool_signatures()
    agent = render(example_plan.prompts["agent_system"], domain="library", policy="Be kind.", tools=tools)
    assert "- borrow_book(member_id, book_id):" in agent
    assert "type, properties" not in agent
    plain = render(example_plan.prompts["export_system"], domain="library", policy="Be kind.", tools=[])
    listed = render(example_plan.prompts["export_system"], domain="library", policy="Be kind.", tools=tools)
    assert "exactly one tool" not in plain and "Be kind." in plain and "borrow_book" not in plain
    assert "- borrow_book(member_id, book_id):" in listed
