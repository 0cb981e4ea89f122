"""Outputs of simulated tools: tools declared with no SQL (e.g. an outside service).

A model plays the tool. Its output is constrained to the tool's output schema and, like every
structured output, re-validated against it (the backend re-samples an invalid one). The
earlier calls of the dialogue are shown so that ids and amounts stay consistent.
"""
from __future__ import annotations

import json

from dslgen.templating import render
from dslgen.sim.dialogue import CallRecord, shortened
from dslgen.sql import ToolResult
from dslgen.sql.executor import rejected_arguments
from dslgen.text import clean

# the prompt must stay small: the most recent calls only, long outputs cut
EARLIER_CALLS_SHOWN = 8
OUTPUT_CHARS_SHOWN = 600


class ToolSimulator:
    def __init__(self, backend, template: str, domain: str, policy: str):
        self.backend, self.template, self.domain, self.policy = backend, template, domain, policy

    def messages(self, tool, arguments: dict, earlier: list[CallRecord]) -> list[dict]:
        shown = [{"name": c.name, "arguments": json.dumps(c.arguments, ensure_ascii=False),
                  "output": shortened(c.output, OUTPUT_CHARS_SHOWN)} for c in earlier[-EARLIER_CALLS_SHOWN:]]
        system = render(self.template, domain=self.domain, policy=self.policy, tool=tool, earlier_calls=shown)
        request = f"{tool.name} was called with {json.dumps(arguments, ensure_ascii=False)}. Its output:"
        return [{"role": "system", "content": system}, {"role": "user", "content": request}]

    def call(self, tool, arguments: dict, earlier: list[CallRecord], seed: int) -> ToolResult:
        """Like a database call: bad arguments are an error output; else JSON text that
        matches the tool's return schema."""
        rejected = rejected_arguments(tool, arguments)
        if rejected is not None:
            return rejected
        document = clean(self.backend.generate_json(self.messages(tool, arguments, earlier), tool.return_schema,
                                                    seed=seed))
        return ToolResult(json.dumps(document, ensure_ascii=False), False, tool.writes)
