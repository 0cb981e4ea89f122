from pathlib import Path

import pytest

from dslgen import api

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_SPEC = ROOT / "examples" / "minimal" / "spec.yaml"


@pytest.fixture(scope="session")
def example_plan():
    """The compiled minimal example (library domain)."""
    return api.compile_file(EXAMPLE_SPEC)
