"""Fitting a structured output's token budget into the model's context window.

`bound_schema` caps every string and list so the longest output is finite, and the token
budget is set above that longest output. With many tools, or tools taking lists of
objects, that budget can outgrow the window (a 14-tool union at the default bounds needs
~11.5k tokens; the embedded model has 8192), and every call would fail before it starts.
So when the budget at the configured bounds takes more than `OUTPUT_SHARE` of the window,
the bounds shrink together (strings, list items, list lengths) to the largest that fits.
Outputs are still validated against the caller's original schema.

Where even the smallest bounds do not fit, `budget_problem` says which role and setting to
change; `check` and the runner can call it before any model is loaded.
"""
from __future__ import annotations

from dataclasses import dataclass

from dslgen.backends.constraints import bound_schema, max_output_tokens
from dslgen.spec.model_settings import ModelSpec

OUTPUT_SHARE = 0.5  # of the window; the prompt (system prompt, tools, history) gets the rest
ITEM_STRING = 64  # strings inside lists (mostly ids), as `bound_schema` defaults
MIN_STRING, MIN_ITEM_STRING, MIN_ITEMS = 16, 12, 1
_SEARCH_STEPS = 12


@dataclass(frozen=True)
class Fit:
    """The bounded schema chosen for a window, its budget and the bounds that made it."""

    bounded: dict
    budget: int
    max_string: int
    max_items: int
    max_item_string: int
    room: int  # tokens of the window the output may take

    @property
    def fits(self) -> bool:
        return self.budget <= self.room


def output_room(context_window: int, share: float = OUTPUT_SHARE) -> int:
    return int(context_window * share)


def fit_output(schema: dict, *, max_string: int, max_items: int, context_window: int,
               share: float = OUTPUT_SHARE) -> Fit:
    """The configured bounds if their budget fits `share` of the window, else the largest
    bounds scaled down together that fit, else the smallest bounds (with `fits` False)."""
    room = output_room(context_window, share)

    def at(scale: float) -> Fit:
        s = max(MIN_STRING, round(max_string * scale))
        item = min(s, max(MIN_ITEM_STRING, round(ITEM_STRING * scale)))
        n = max(MIN_ITEMS, round(max_items * scale))
        bounded = bound_schema(schema, max_string=s, max_items=n, max_item_string=item)
        return Fit(bounded, max_output_tokens(bounded), s, n, item, room)

    full = at(1.0)
    if full.fits:
        return full
    smallest = at(0.0)
    if not smallest.fits:
        return smallest
    lo, hi, best = 0.0, 1.0, smallest  # the budget grows with the scale: bisect it
    for _ in range(_SEARCH_STEPS):
        mid = (lo + hi) / 2
        fit = at(mid)
        if fit.fits:
            lo, best = mid, fit
        else:
            hi = mid
    return best


@dataclass(frozen=True)
class BudgetProblem:
    message: str
    hint: str


def budget_problem(spec: ModelSpec, schema: dict, role: str) -> BudgetProblem | None:
    """None when `role`'s structured output fits its window (maybe with smaller bounds);
    else what is wrong and which setting to change. Pure: no model is loaded. For the
    agent, `schema` is `agent_turn_schema(tool signatures)`."""
    fit = fit_for(spec, schema, spec.n_ctx)
    if fit.fits:
        return None
    return BudgetProblem(
        f"{role}: its longest structured output needs {fit.budget} tokens even with strings "
        f"cut to {fit.max_string} characters and lists to {fit.max_items} item(s); only "
        f"{fit.room} of its {spec.n_ctx}-token window are left for output",
        f"give role `{role}` a model with a larger window (models.{role}.n_ctx) or offer "
        f"it fewer or smaller tools",
    )


def fit_for(spec: ModelSpec, schema: dict, context_window: int) -> Fit:
    """`fit_output` with a role's settings."""
    return fit_output(schema, max_string=spec.max_string, max_items=spec.max_items,
                      context_window=context_window)
