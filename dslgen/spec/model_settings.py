"""Settings of the model that plays one role (agent, user simulator, judge, generator)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from dslgen.redact import hide_url_passwords
from dslgen.spec.base import SpecModel

MAX_SEED = 2**31 - 1  # seeds reach numpy and llama.cpp, which take 32-bit values


class ModelSpec(SpecModel):
    """Which model plays a role and how it is called. The default is the embedded model."""

    backend: Annotated[
        Literal["embedded", "openai", "transformers", "scripted"],
        Field(
            description="embedded: SmolLM2-135M GGUF on llama.cpp (offline, no setup); "
            "openai: any OpenAI-compatible server (vLLM, SGLang, Ollama, llama.cpp server, "
            "hosted APIs); transformers: a local Hugging Face model (optional extra); "
            "scripted: canned outputs, for tests."
        ),
    ] = "embedded"
    model: Annotated[
        str | None,
        Field(
            description="Server model name (openai), Hugging Face id or path (transformers), "
            "or a GGUF file path (embedded). None = the bundled SmolLM2-135M-Instruct."
        ),
    ] = None
    base_url: Annotated[
        str | list[str] | None,
        Field(
            description="Server base URL for backend openai, e.g. http://127.0.0.1:8000/v1; "
            "or a list of URLs of servers running the same model: each request goes to the "
            "one with the fewest requests in flight, and a server that fails is set aside "
            "for a while (backoff_s .. max_backoff_s) and tried again later."
        ),
    ] = None
    api_key: Annotated[
        str | None,
        Field(
            description="API key for backend openai; write it as ${ENV_VAR} so it stays out "
            "of the spec. Never logged, and left out of model_dump()/plan JSON.",
            repr=False,
            exclude=True,
        ),
    ] = None
    structured_output: Annotated[
        Literal["auto", "json_schema", "json_object", "guided_json"],
        Field(
            description="How the server takes a JSON schema: json_schema = response_format "
            "json_schema (OpenAI, vLLM, SGLang); json_object = response_format json_object "
            "with a schema (llama.cpp server); guided_json = vLLM's extra guided_json field; "
            "auto = try json_schema, fall back to json_object when the server refuses it."
        ),
    ] = "auto"
    temperature: Annotated[
        float, Field(ge=0.0, le=2.0, description="Sampling temperature.")
    ] = 0.7
    top_p: Annotated[
        float, Field(gt=0.0, le=1.0, description="Nucleus sampling threshold.")
    ] = 1.0
    max_tokens: Annotated[
        int, Field(gt=0, le=1_000_000, description="Token budget of a free-text answer.")
    ] = 256
    seed: Annotated[
        int | None,
        Field(ge=0, le=MAX_SEED, description="Base seed; each call derives its own. None = random per run."),
    ] = None
    n_ctx: Annotated[
        int,
        Field(
            gt=0,
            le=10_000_000,
            description="Context window in tokens; prompt + output budget must fit in it "
            "(the embedded model has 8192).",
        ),
    ] = 8192
    grammar_backend: Annotated[
        Literal["llguidance", "xgrammar", "outlines_core"],
        Field(
            description="Constraint engine for local models. llguidance compiles fastest and "
            "enforces numeric bounds; outlines_core ignores minimum/maximum."
        ),
    ] = "llguidance"
    max_string: Annotated[
        int,
        Field(
            gt=0,
            le=1_000_000,
            description="maxLength given to free strings in structured output, so a weak "
            "model cannot run on inside a string until the token budget is gone.",
        ),
    ] = 200
    max_items: Annotated[
        int, Field(gt=0, le=10_000, description="maxItems given to arrays without one.")
    ] = 8
    max_invalid_retries: Annotated[
        int,
        Field(
            ge=0,
            le=100,
            description="Re-samples (with a new seed) after a structured output fails "
            "validation or is cut off; after that the call fails.",
        ),
    ] = 3
    timeout_s: Annotated[
        float, Field(gt=0, le=86_400, description="Per-request timeout for server backends, seconds.")
    ] = 60.0
    max_retries: Annotated[
        int,
        Field(
            ge=0,
            le=100,
            description="Retries of a failed server request (down, timeout, 429, 5xx, "
            "malformed response) before giving up.",
        ),
    ] = 4
    backoff_s: Annotated[
        float,
        Field(ge=0, le=3600, description="First retry delay, doubled each retry (with jitter)."),
    ] = 1.0
    max_backoff_s: Annotated[
        float, Field(ge=0, le=3600, description="Upper bound of one retry delay (also caps Retry-After).")
    ] = 30.0
    n_threads: Annotated[
        int | None,
        Field(ge=1, le=1024, description="CPU threads for llama.cpp; None = half the cores (llama.cpp "
                          "slows down sharply when its threads compete for cores)."),
    ] = None
    tool_messages: Annotated[
        Literal["fold", "native"],
        Field(
            description="fold: tool calls and results are rendered as plain assistant/user "
            "text (works with any chat template); native: sent as OpenAI tool messages."
        ),
    ] = "fold"
    outputs: Annotated[
        list[str | dict | list | int | float | bool | None] | None,
        Field(description="Canned outputs, in order, for backend scripted."),
    ] = None


def urls_of(base_url: str | list[str] | None) -> list[str]:
    """A role's server URLs as requests use them (one URL or a list; no trailing slash)."""
    urls = [base_url] if isinstance(base_url, str) else list(base_url or [])
    return [u.rstrip("/") if isinstance(u, str) else u for u in urls]


def base_url_problem(base_url: str | list[str] | None) -> str | None:
    """Why `base_url` cannot name a role's servers, or None. `check` (DSL602) and the openai
    backend both ask this, so a URL that passes `check` is one the backend takes."""
    urls = urls_of(base_url)
    if not urls:
        return "backend openai needs base_url"
    for url in urls:
        problem = _url_problem(url)
        if problem:
            shown = hide_url_passwords(url) if isinstance(url, str) else repr(url)
            return f"base_url {shown!r} is not a usable server URL: {problem}"
    dupes = sorted({hide_url_passwords(u) for u in urls if urls.count(u) > 1})
    return f"base_url lists {', '.join(dupes)} more than once" if dupes else None


def _url_problem(url: object) -> str | None:
    import httpx  # the client that sends the requests parses the URL; imported only when asked

    if not isinstance(url, str):
        return "not a string"
    if any(c.isspace() for c in url):
        return "it contains a space"
    try:
        parsed = httpx.URL(url)
        parsed.port  # noqa: B018 -- a port that is not a number raises here
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        return str(exc) or "not a URL"
    if parsed.scheme not in ("http", "https"):
        return "the scheme must be http or https"
    if not parsed.host:
        return "there is no host"
    if parsed.query or parsed.fragment:
        return "a base URL takes no query or fragment"
    return None
