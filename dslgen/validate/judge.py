"""The judge: a model decides, for each rubric checkpoint, whether a dialogue shows it.

Checkpoints are what SQL cannot check ("the agent tells the user the order status"). The
judge answers with a constrained {reason, verdict}: met, not_met, or invalid_rubric (the
point does not apply; the paper's fourth category, which never rejects a dialogue).
"""
from __future__ import annotations

import zlib

from dslgen.templating import render
from dslgen.sim.dialogue import shortened
from dslgen.text import clean

VERDICTS = ("met", "not_met", "invalid_rubric")
VERDICT_SCHEMA = {
    "type": "object",
    "properties": {"reason": {"type": "string", "maxLength": 200}, "verdict": {"enum": list(VERDICTS)}},
    "required": ["reason", "verdict"],
    "additionalProperties": False,
}
OUTPUT_CHARS_SHOWN = 300  # tool outputs are cut in the transcript: the judge needs the gist


class Judge:
    def __init__(self, backend, template: str):
        self._backend, self.template, self._make = backend, template, None

    @classmethod
    def on_first_use(cls, make_backend, template: str) -> "Judge":
        """A judge whose model is loaded only when first asked: most weak-model dialogues
        fail a critical item before any checkpoint is judged."""
        judge = cls(None, template)
        judge._make = make_backend
        return judge

    @property
    def backend(self):
        if self._backend is None:
            self._backend = self._make()
        return self._backend

    def verdict(self, goal: str, checkpoint: str, messages: list[dict], seed_key: str) -> tuple[str, str]:
        """(verdict, reason) for one checkpoint over the messages of one task."""
        prompt = render(self.template, goal=goal, checkpoint=checkpoint, transcript=transcript(messages))
        seed = zlib.crc32(seed_key.encode())  # the same dialogue and item always draw the same seed
        out = clean(self.backend.generate_json([{"role": "user", "content": prompt}], VERDICT_SCHEMA, seed=seed))
        return out["verdict"], out["reason"].strip()


def transcript(messages: list[dict]) -> str:
    """The dialogue as plain lines, tool calls and their (cut) outputs included."""
    lines = []
    for m in messages:
        if m["role"] == "user":
            lines.append(f"Customer: {m['content']}")
        elif m["role"] == "assistant" and m.get("tool_calls"):
            for call in m["tool_calls"]:
                lines.append(f"Agent calls {call['function']['name']}({call['function']['arguments']})")
        elif m["role"] == "assistant":
            lines.append(f"Agent: {m['content']}")
        elif m["role"] == "tool":
            lines.append(f"Tool result: {shortened(m['content'], OUTPUT_CHARS_SHOWN)}")
    return "\n".join(lines)
