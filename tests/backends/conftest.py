import json
from pathlib import Path

import pytest

RETAIL_SIGNATURES = (
    Path(__file__).resolve().parents[1] / "data/tau-bench-retail/tool_signatures.json"
)


@pytest.fixture(scope="session")
def retail_tools() -> list[dict]:
    """The 16 τ-bench retail tools as {name, description, parameters}."""
    tools = json.loads(RETAIL_SIGNATURES.read_text())
    for tool in tools:
        tool.setdefault("description", tool["name"].replace("_", " "))
    return tools
