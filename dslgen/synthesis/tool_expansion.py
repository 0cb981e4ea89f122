"""Tool expansion (the paper's tool preparation): the generator proposes tools the toolset
lacks, and a proposal is admitted only when it passes every check a hand-written tool passes
(tool_checks.py) and runs on the seed data, with arguments drawn from that data, without an
engine error."""
from __future__ import annotations

import json
import random

from pydantic import ValidationError

from dslgen.spec.tools import ToolSpec
from dslgen.synthesis.data_view import ArgumentSampler
from dslgen.synthesis.proposals import Stop, prompt_context, proposals, strict_object
from dslgen.synthesis.reasons import Admission, Rejection
from dslgen.synthesis.tool_checks import ToolChecker
from dslgen.templating import render

SOURCE = "expand_tools"
_NAME = r"^[a-z][a-z0-9_]{2,47}$"


def tool_schema(max_parameters: int = 4) -> dict:
    """A proposal: one tool in the `sql:` shorthand of the tool language."""
    parameter = strict_object({"name": {"type": "string", "pattern": _NAME.replace("{2,47}", "{0,39}")},
                         "type": {"enum": ["string", "integer", "number", "boolean"]},
                         "description": {"type": "string", "maxLength": 120}})
    return strict_object({"name": {"type": "string", "pattern": _NAME},
                    "description": {"type": "string", "minLength": 1, "maxLength": 240},
                    "parameters": {"type": "array", "items": parameter, "maxItems": max_parameters},
                    "sql": {"type": "string", "minLength": 1, "maxLength": 400}})


def tool_data(proposal: dict) -> dict:
    """The proposal as tools.yaml data."""
    params = {p["name"]: {"type": p["type"], **({"description": p["description"]} if p["description"] else {})}
              for p in proposal["parameters"]}
    return {"name": proposal["name"], "description": proposal["description"], "parameters": params,
            "sql": proposal["sql"].strip()}


class ToolAdmission:
    """Checks, compiles and runs proposed tools on forks of the seed database."""

    def __init__(self, db, tools, samples: int = 3, seed: int = 0):
        self.db, self.checker = db, ToolChecker(tools, db.schema)
        self.samples, self.rng = samples, random.Random(f"{seed}|{SOURCE}")

    def admit(self, data: dict, name: str) -> ToolSpec | Rejection:
        try:
            spec = ToolSpec.model_validate(data)
        except ValidationError as exc:
            return Rejection(SOURCE, name, "invalid", str(exc.errors()[0]["msg"]), data)
        tool, found = self.checker.check(spec)
        verdict = self._verdict(spec.name, tool, found)
        if verdict is not None:
            return Rejection(SOURCE, spec.name, *verdict, data)
        self.checker.admitted(tool)
        return spec

    def _verdict(self, name: str, tool, found: list) -> tuple[str, str] | None:
        if any(f.code == "DSL201" for f in found):
            return ("duplicate", f"a tool named '{name}' already exists")
        if found:
            return ("diagnostics", "; ".join(map(str, found)))
        return self._sampled(tool)

    def _sampled(self, tool) -> tuple[str, str] | None:
        """Run the tool on fresh copies with sampled arguments: no engine error, and at least
        one call that succeeds (a guard may refuse some arguments; the SQL may not break)."""
        last = ""
        for _ in range(self.samples):
            with self.db.fork() as session:
                arguments = ArgumentSampler(session, self.rng).arguments(tool.parameters_schema)
                result = session.call(tool, arguments)
            call = f"{tool.name}({json.dumps(arguments, ensure_ascii=False)})"
            if result.fault:
                return ("sample_error", f"{call}: {result.output}")
            if not result.is_error:
                return None
            last = f"{call}: {result.output}"
        return ("never_succeeds", last)


def expand_tools(plan, backend, db, count: int, *, rows_per_table: int = 2, samples: int = 3) -> Admission:
    """Up to `count` proposed tools; each admitted (as a ToolSpec) or kept with its reason."""
    rng = random.Random(f"{plan.seed}|{SOURCE}")
    with db.fork() as session:
        context = prompt_context(plan, session, rows_per_table, rng)
    admission, out = ToolAdmission(db, plan.tools, samples, plan.seed), Admission()
    written: list[str] = []
    prompt = lambda i: render(plan.prompts["tool_generator"], **context, written=written)  # noqa: E731
    try:
        for index, value in proposals(backend, prompt, tool_schema(), count, plan.seed, SOURCE, lambda i: f"proposal-{i}"):
            made = value if isinstance(value, Rejection) else admission.admit(tool_data(value), value["name"])
            (out.rejected if isinstance(made, Rejection) else out.admitted).append(made)
            if isinstance(value, dict):
                written.append(value["name"])  # the next prompt asks for a different tool
    except Stop as stop:
        out.fault = stop.fault
    return out
