"""Which tasks a dialogue pursues: a first task, then tasks that continue from it."""
from __future__ import annotations

import random

from dslgen.spec.tasks import TaskSpec


def pick_tasks(tasks: tuple[TaskSpec, ...], per_dialogue: int, seed: int, index: int) -> list[TaskSpec]:
    """Deterministic per (seed, index). Dialogue i starts with task i (round robin); each next
    task is one that follows the previous (continues from its results) if there is one,
    otherwise an independent task of the same domain."""
    rng = random.Random(seed * 1_000_003 + index)
    starts = [t for t in tasks if t.follows is None] or list(tasks)
    chain = [starts[index % len(starts)]]
    while len(chain) < per_dialogue:
        followers = [t for t in tasks if t.follows == chain[-1].id and t not in chain]
        others = [t for t in starts if t not in chain]
        pool = followers or others
        if not pool:
            break
        chain.append(rng.choice(pool))
    return chain
