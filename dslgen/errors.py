"""One exception root for dslgen.

User mistakes (a broken spec) are `SpecError`s carrying every `Diagnostic` found in one
pass. Faults while running are `RunError`s; `ToolError` and `BackendError` refine it.
A diagnostic shows the source line its span carries, as the loader read it: rendering never
opens a file again (it could have changed, or lie outside the project).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Literal

from dslgen.catalogue import CODES

EXCERPT = 300  # characters of a source line a diagnostic shows (a seed line can be megabytes)


@dataclass(frozen=True)
class Span:
    """A position in a source file; line and col are 1-based."""

    file: str
    line: int
    col: int
    end_col: int | None = None  # exclusive; None = highlight one character
    source: str | None = field(default=None, compare=False, repr=False)  # the text of `line`

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    code: str  # e.g. "DSL401"
    message: str
    span: Span | None = None
    hint: str | None = None
    severity: Literal["error", "warning"] = "error"

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"diagnostic code {self.code} is not in dslgen/catalogue.py")

    def sort_key(self) -> tuple:
        return (self.span.file, self.span.line, self.span.col) if self.span else ("", 0, 0)

    def render(self) -> str:
        """`file:line:col: error[CODE]: message`, the source line with a caret, then a hint."""
        head = f"{self.span}: " if self.span else ""
        out = [f"{head}{self.severity}[{self.code}]: {self.message}"]
        if self.span and self.span.source is not None:
            width = max(1, (self.span.end_col or self.span.col + 1) - self.span.col)
            text, col, width = _excerpt(self.span.source.rstrip("\r\n"), self.span.col, width)
            out.append(f"  {text}")
            out.append("  " + " " * (col - 1) + "^" * width)
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)


def _excerpt(text: str, col: int, width: int) -> tuple[str, int, int]:
    """At most EXCERPT characters of a source line around `col` (a seed line or a JSON file
    can be one line of megabytes), with the column and caret width moved to match."""
    if len(text) <= EXCERPT:
        return text, col, width
    start = max(0, min(col - 1 - EXCERPT // 3, len(text) - EXCERPT))
    before = "…" if start > 0 else ""
    after = "…" if start + EXCERPT < len(text) else ""
    col = col - start + len(before)
    return before + text[start:start + EXCERPT] + after, col, max(1, min(width, EXCERPT + len(before) - col + 1))


class DslgenError(Exception):
    """Root of every error dslgen raises on purpose."""


@dataclass
class SpecError(DslgenError):
    """The spec is wrong; holds all diagnostics found, sorted by position."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(f"{len(self.diagnostics)} problem(s) in the spec")

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known name, if one is close enough."""
    match = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None


class RunError(DslgenError):
    """A fault while running a plan (not a spec mistake)."""

    def __init__(self, message: str, *, hint: str | None = None, retryable: bool = False):
        super().__init__(message)
        self.hint = hint
        self.retryable = retryable

    def render(self) -> str:
        return f"error: {self}" + (f"\n  hint: {self.hint}" if self.hint else "")


class ToolError(RunError):
    """A tool call failed in a way the agent should see (bad arguments, a guard failed)."""


class BackendError(RunError):
    """A model backend failed: server down, timeout, garbage output after retries."""


class InvalidModelOutput(BackendError):
    """The model kept producing output that fails its schema: this dialogue ends, the run goes on."""
