"""The backend protocol and the logic every backend shares.

Never trust the constraint: a grammar engine that failed to load, a server that ignores
`response_format`, or a token budget that ran out all produce text that looks plausible.
So each structured output is parsed and validated against the caller's ORIGINAL schema;
an invalid or cut-off one is re-sampled with a new seed, counted, and never returned.

One backend serves a role for every dialogue thread: counters are updated under a lock,
a model that cannot run twice at once is used under `_lock`, and text a model returns is
cleaned (`text.clean_text`) before anyone else sees it.
"""
from __future__ import annotations

import asyncio
import json
import random
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

import jsonschema

from dslgen.backends.budget import Fit, fit_for
from dslgen.backends.constraints import tagged_branches
from dslgen.backends.text import clean_text, clean_value
from dslgen.errors import BackendError, InvalidModelOutput
from dslgen.spec.model_settings import ModelSpec

_ID_CACHE = 256


class ContextLimitExceeded(BackendError):
    """The prompt plus the output budget does not fit the context window.

    Raised before generating, so the caller can end a dialogue with reason `context_limit`
    instead of sending a silently truncated prompt."""

    def __init__(self, *, prompt_tokens: int, output_budget: int, context_window: int,
                 role: str = "", hint: str | None = None):
        super().__init__(
            f"{role or 'model'}: prompt of {prompt_tokens} tokens + output budget of "
            f"{output_budget} exceeds the context window of {context_window}",
            hint=hint or "shorten the history or tool list, or use a model with a larger n_ctx",
            retryable=False,
        )
        self.prompt_tokens = prompt_tokens
        self.output_budget = output_budget
        self.context_window = context_window


class InvalidOutput(Exception):
    """A structured output that failed parsing or validation (internal; re-sampled)."""


@runtime_checkable
class Backend(Protocol):
    context_window: int

    def generate_text(self, messages: list[dict], *, max_tokens: int | None = None,
                      seed: int | None = None) -> str: ...

    def generate_json(self, messages: list[dict], schema: Any, *,
                      seed: int | None = None) -> Any: ...

    async def agenerate_text(self, messages: list[dict], *, max_tokens: int | None = None,
                             seed: int | None = None) -> str: ...

    async def agenerate_json(self, messages: list[dict], schema: Any, *,
                             seed: int | None = None) -> Any: ...

    def count_tokens(self, messages: list[dict]) -> int: ...


@dataclass
class Completion:
    text: str
    finish_reason: str = "stop"  # "length" = cut off by the token budget
    prompt_tokens: int | None = None  # as the server counted them, when it says
    completion_tokens: int | None = None


@dataclass
class BackendStats:
    """Counters a run reports: how often the guarantee had to be enforced by re-sampling."""

    calls: int = 0
    json_calls: int = 0
    invalid_outputs: int = 0   # parsed but failed validation against the original schema
    cut_off: int = 0           # hit the token budget
    unparsable: int = 0        # not JSON at all
    request_retries: int = 0   # transport-level retries (server backends)
    prompt_tokens: int = 0     # as the model counted them, where it says (progress: tokens/s)
    completion_tokens: int = 0
    last_rejected: str | None = None  # why the last re-sampled output was rejected

    @property
    def resamples(self) -> int:
        return self.invalid_outputs + self.cut_off + self.unparsable


@dataclass(frozen=True)
class SchemaPlan:
    original: dict
    bounded: dict
    budget: int
    validator: Any
    model_type: Any = None  # a pydantic model class to build the result with, if given
    fit: Fit | None = None  # the bounds chosen to fit the window
    source: Any = None  # the object the caller passed (kept alive: plans are found by its id)
    tag: str | None = None  # a tagged union's key, and a validator per tag value
    tagged: dict[str, Any] = field(default_factory=dict)

    def validator_for(self, value: Any) -> Any:
        """The tagged branch's validator when `value` names one (a 17-branch union is
        validated against one branch, not tried branch by branch), else the whole schema's."""
        if self.tag is not None and isinstance(value, dict):
            tag = value.get(self.tag)
            if isinstance(tag, str) and tag in self.tagged:
                return self.tagged[tag]
        return self.validator


class BaseBackend:
    """Context checks, schema plans, validation and re-sampling; subclasses talk to a model."""

    name = "base"

    def __init__(self, spec: ModelSpec, role: str):
        self.spec = spec
        self.role = role
        self.context_window = spec.n_ctx
        self.stats = BackendStats()
        self._plans: dict[str, SchemaPlan] = {}  # by the schema's JSON text
        self._plans_by_id: dict[int, SchemaPlan] = {}  # by id() of the object passed
        self._rng = random.Random(spec.seed)
        self._lock = threading.RLock()  # one model instance is not safe to call concurrently
        self._stats_lock = threading.Lock()  # dialogues on many threads share one backend

    # -- to implement -------------------------------------------------------------------
    def _complete_text(self, messages: list[dict], max_tokens: int, seed: int) -> Completion:
        raise NotImplementedError

    def _complete_json(self, messages: list[dict], plan: SchemaPlan, seed: int) -> Completion:
        raise NotImplementedError

    def count_tokens(self, messages: list[dict]) -> int:
        raise NotImplementedError

    def prepare(self, messages: list[dict]) -> list[dict]:
        """The messages as this backend sends them; done once per generate call."""
        return messages

    # -- public -------------------------------------------------------------------------
    def generate_text(self, messages: list[dict], *, max_tokens: int | None = None,
                      seed: int | None = None) -> str:
        budget = max_tokens or self.spec.max_tokens
        messages = self.prepare(messages)
        self.check_context(messages, budget)
        self._count("calls")
        completion = self._complete_text(messages, budget, self._seed(seed))
        self._count_tokens(completion)
        return clean_text(completion.text)

    def generate_json(self, messages: list[dict], schema: Any, *,
                      seed: int | None = None) -> Any:
        plan = self.plan(schema)
        messages = self.prepare(messages)
        self.check_context(messages, plan.budget, plan)
        self._count("calls", "json_calls")
        base_seed = self._seed(seed)
        attempts = self.spec.max_invalid_retries + 1
        last = None
        for attempt in range(attempts):
            completion = self._complete_json(messages, plan, _derive(base_seed, attempt))
            self._count_tokens(completion)
            try:
                return self._accept(completion, plan)
            except InvalidOutput as exc:
                last = exc
                self.stats.last_rejected = str(exc)
        raise InvalidModelOutput(
            f"{self.role} ({self.name}): no valid structured output after {attempts} "
            f"attempt(s); last: {last}",
            hint="raise max_invalid_retries, lower temperature, or use a stronger model",
            retryable=True,
        )

    async def agenerate_text(self, messages: list[dict], *, max_tokens: int | None = None,
                             seed: int | None = None) -> str:
        return await asyncio.to_thread(self.generate_text, messages, max_tokens=max_tokens,
                                       seed=seed)

    async def agenerate_json(self, messages: list[dict], schema: Any, *,
                             seed: int | None = None) -> Any:
        return await asyncio.to_thread(self.generate_json, messages, schema, seed=seed)

    def check_context(self, messages: list[dict], output_budget: int,
                      plan: SchemaPlan | None = None) -> int:
        """Count the prompt in the model's tokens; raise ContextLimitExceeded if it overflows."""
        n = self.count_tokens(messages)
        if n + output_budget > self.context_window:
            self.context_exceeded(n, output_budget, plan)
        return n

    def context_exceeded(self, prompt_tokens: int, output_budget: int,
                         plan: SchemaPlan | None) -> None:
        hint = None
        if plan is not None and plan.fit is not None and not plan.fit.fits:
            hint = (f"the output schema alone needs {output_budget} tokens even with strings "
                    f"cut to {plan.fit.max_string} characters: give role `{self.role}` a model "
                    f"with a larger window (n_ctx) or fewer or smaller tools")
        raise ContextLimitExceeded(prompt_tokens=prompt_tokens, output_budget=output_budget,
                                   context_window=self.context_window, role=self.role,
                                   hint=hint)

    def plan(self, schema: Any) -> SchemaPlan:
        """The bounded schema, token budget and validator for `schema`, cached.

        Found by the identity of the object first (a role passes the same schema object
        every turn), then by its JSON text."""
        plan = self._plans_by_id.get(id(schema))
        if plan is not None and plan.source is schema:
            return plan
        source, model_type = schema, None
        if isinstance(schema, type) and hasattr(schema, "model_json_schema"):
            model_type, schema = schema, schema.model_json_schema()
        key = json.dumps(schema, sort_keys=True)
        plan = self._plans.get(key)
        if plan is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            fit = fit_for(self.spec, schema, self.context_window)
            tag, branches = tagged_branches(schema) or (None, {})
            plan = SchemaPlan(schema, fit.bounded, fit.budget, cls(schema), model_type, fit,
                              tag=tag, tagged={k: cls(b) for k, b in branches.items()})
            plan = self._plans.setdefault(key, plan)
        plan = replace(plan, source=source)
        if len(self._plans_by_id) >= _ID_CACHE:  # callers that build a new schema every call
            self._plans_by_id.clear()
        self._plans_by_id[id(source)] = plan
        return plan

    # -- helpers ------------------------------------------------------------------------
    def _accept(self, completion: Completion, plan: SchemaPlan) -> Any:
        if completion.finish_reason == "length":
            self._count("cut_off")
            raise InvalidOutput(f"cut off at the token budget ({plan.budget} tokens)")
        value = clean_value(_parse(completion.text, self))
        error = jsonschema.exceptions.best_match(plan.validator_for(value).iter_errors(value))
        if error is not None:
            self._count("invalid_outputs")
            raise InvalidOutput(f"invalid against the schema: {error.message}")
        return plan.model_type.model_validate(value) if plan.model_type else value

    def _count(self, *what: str) -> None:
        with self._stats_lock:
            for name in what:
                setattr(self.stats, name, getattr(self.stats, name) + 1)

    def _count_tokens(self, completion: Completion) -> None:
        with self._stats_lock:
            self.stats.prompt_tokens += completion.prompt_tokens or 0
            self.stats.completion_tokens += completion.completion_tokens or 0

    def _seed(self, seed: int | None) -> int:
        if seed is not None:
            return seed
        return self._rng.randrange(2**31)


def _parse(text: str, backend: BaseBackend) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, TypeError, RecursionError) as exc:  # RecursionError: nested too deeply
        backend._count("unparsable")
        raise InvalidOutput(f"not JSON ({exc}): {text[:80]!r}") from None


def _derive(seed: int, attempt: int) -> int:
    """A distinct, reproducible seed per re-sample."""
    return (seed + attempt * 1_000_003) % (2**31 - 1)
