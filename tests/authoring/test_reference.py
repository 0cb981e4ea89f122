"""docs/reference is generated from the models and kept in sync: a field added to a model
without regenerating fails here."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
from pydantic import Field

from dslgen.authoring import reference
from dslgen.spec.tools import ToolSpec

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "reference"


def test_the_reference_matches_the_models():
    for name, text in reference.generate().items():
        assert (DOCS / name).read_text() == text, \
            f"docs/reference/{name} is stale: run `make reference` (python -m dslgen.authoring.reference docs/reference)"


def test_every_field_of_every_model_is_documented_with_an_example():
    for page in reference.PAGES:
        text = (DOCS / page.file).read_text()
        for model in reference.models_of(page.root):
            section = text.split(f"## {model.__name__}\n", 1)[1].split("\n## ", 1)[0]
            for name, f in model.model_fields.items():
                assert f"| `{f.alias or name}` |" in section, (model.__name__, name)
            assert "Example:\n\n```yaml\n" in section, model.__name__


def test_a_field_added_to_a_model_shows_up_so_a_stale_page_fails(monkeypatch):
    class ToolSpecPlus(ToolSpec):
        cost: Annotated[int, Field(description="What a call costs.")] = 0

    monkeypatch.setitem(reference.EXAMPLES, "ToolSpecPlus", reference.EXAMPLES["ToolSpec"])
    row = "| `cost` | integer | `0` | What a call costs. |"
    assert row in reference.render_model(ToolSpecPlus)
    assert row not in (DOCS / "tools.md").read_text()


def test_an_example_that_no_longer_fits_its_model_stops_generation(monkeypatch):
    monkeypatch.setitem(reference.EXAMPLES, "Guard", "require: SELECT 1\nerror: x\nerorr_code: 3\n")
    with pytest.raises(Exception, match="erorr_code"):
        reference.render_model(next(m for m in reference.models_of(reference.ToolsFile) if m.__name__ == "Guard"))
