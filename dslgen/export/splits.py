"""Train/validation/test splits by a seeded fraction.

Rows are ordered by a hash of (seed, id), not by position, so the same seed gives the same
splits whatever order the dialogues finished in; the counts follow the fractions as closely
as whole rows allow (largest remainder).
"""
from __future__ import annotations

import hashlib
from typing import Sequence

SPLIT_NAMES = ("train", "validation", "test")


def split_ids(ids: Sequence[str], fractions: dict[str, float], seed: int) -> dict[str, list[str]]:
    """{split: ids} for every split named in `fractions` (some may be empty)."""
    ordered = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}|{i}".encode()).hexdigest())
    out, start = {}, 0
    for name, count in _counts(len(ordered), fractions).items():
        out[name] = ordered[start:start + count]
        start += count
    return out


def _counts(total: int, fractions: dict[str, float]) -> dict[str, int]:
    scale = sum(fractions.values())
    exact = {name: total * f / scale for name, f in fractions.items()}
    counts = {name: int(x) for name, x in exact.items()}
    by_remainder = sorted(exact, key=lambda name: (counts[name] - exact[name], list(exact).index(name)))
    for name in by_remainder[: total - sum(counts.values())]:
        counts[name] += 1
    return counts
