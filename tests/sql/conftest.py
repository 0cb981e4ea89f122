from pathlib import Path

import pytest
import yaml

from dslgen.spec.tools import ToolsFile
from dslgen.sql import Database, compile_tool, parse_schema
from sql.pg import postgres_url  # noqa: F401 — the shared PostgreSQL server fixture

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "domains" / "retail"


@pytest.fixture(scope="session")
def retail_schema():
    return parse_schema((RETAIL / "schema.sql").read_text())


@pytest.fixture(scope="session")
def retail_tools(retail_schema):
    spec = ToolsFile.model_validate(yaml.safe_load((RETAIL / "tools.yaml").read_text()))
    return {t.name: compile_tool(t, retail_schema) for t in spec.tools}


@pytest.fixture(scope="session")
def retail_db():
    return Database.from_domain(RETAIL)
