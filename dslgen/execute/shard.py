"""`--shard i/n`: which dialogues one of n machines makes.

Shard i of n makes the dialogues whose index leaves the remainder i-1 when divided by n:
deterministic, disjoint, together exactly a whole run, and balanced even when dialogue
lengths drift with the index. A dialogue's id and record do not depend on the shard.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from dslgen.errors import RunError


@dataclass(frozen=True)
class Shard:
    number: int  # 1-based
    count: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise RunError(f"--shard {text!r} is not i/n with 1 <= i <= n", hint="e.g. --shard 2/4")
        return cls(int(match[1]), int(match[2]))

    def indices(self, total: int) -> range:
        return range(self.number - 1, total, self.count)

    @property
    def whole(self) -> bool:
        return self.count == 1

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"


WHOLE = Shard(1, 1)
