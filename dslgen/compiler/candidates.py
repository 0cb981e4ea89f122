"""Check a proposed tool the way a hand-written one is checked.

`tool_checker(loaded)` gives a function that takes a proposal as tools.yaml data, places it
after the spec's own tools and runs every check a tool must pass (unique names, the SQL checks
DSL400–409, DSL410); it returns the diagnostics about the proposal, positioned in its YAML
text. Synthesis receives the function and so never imports the compiler."""
from __future__ import annotations

from typing import Callable

import yaml

from dslgen.compiler.checks import names, simulated_tools
from dslgen.compiler.checks.sql import SQL_CHECKS
from dslgen.compiler.compile import check as check_spec
from dslgen.compiler.context import CheckContext
from dslgen.errors import Diagnostic
from dslgen.spec.loader import Loaded, validate
from dslgen.spec.source_map import load_yaml
from dslgen.spec.sources import Sources
from dslgen.spec.tools import ToolsFile

TOOL_CHECKS = (names.check, *SQL_CHECKS, simulated_tools.check)
ToolCheck = Callable[[dict], list[Diagnostic]]


def tool_checker(loaded: Loaded, file: str = "proposed-tool.yaml") -> ToolCheck:
    spec, schema = loaded.spec, check_spec(loaded).db_schema

    def check_tool(data: dict) -> list[Diagnostic]:
        text = proposal_yaml(data)
        parsed, smap, problems = load_yaml(text, file)
        result = validate(ToolsFile, parsed, smap) if not problems else None
        if problems or result.diagnostics:
            return problems or result.diagnostics
        tools = [*spec.domain.tools, *result.value.tools]
        candidate = spec.model_copy(update={"domain": spec.domain.model_copy(update={"tools": tools})})
        sources = Sources(list(loaded.sources.mounts), dict(loaded.sources.texts))
        sources.mount(("domain", "tools", len(tools) - 1), smap, ("tools", 0))
        ctx = CheckContext(candidate, sources, db_schema=schema)
        for rule in TOOL_CHECKS:
            rule(ctx)
        return [d for d in ctx.diagnostics if d.span is not None and d.span.file == file]

    return check_tool


def proposal_yaml(data: dict) -> str:
    """The proposal as a one-tool tools.yaml (what its diagnostics' positions refer to)."""
    return yaml.safe_dump({"tools": [data]}, sort_keys=False, allow_unicode=True, width=110)
