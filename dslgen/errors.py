"""One exception root for dslgen.

User mistakes (a broken spec) are `SpecError`s carrying every `Diagnostic` found in one
pass. Faults while running are `RunError`s; `ToolError` and `BackendError` refine it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Span:
    """A position in a source file; line and col are 1-based."""

    file: str
    line: int
    col: int
    end_col: int | None = None  # exclusive; None = highlight one character

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    code: str  # e.g. "DSL401"
    message: str
    span: Span | None = None
    hint: str | None = None
    severity: Literal["error", "warning"] = "error"

    def sort_key(self) -> tuple:
        return (self.span.file, self.span.line, self.span.col) if self.span else ("", 0, 0)

    def render(self, source_lines: list[str] | None = None) -> str:
        """`file:line:col: error[CODE]: message`, the source line with a caret, then a hint."""
        head = f"{self.span}: " if self.span else ""
        out = [f"{head}{self.severity}[{self.code}]: {self.message}"]
        if self.span and source_lines and 0 < self.span.line <= len(source_lines):
            text = source_lines[self.span.line - 1].rstrip("\n")
            width = max(1, (self.span.end_col or self.span.col + 1) - self.span.col)
            out.append(f"  {text}")
            out.append("  " + " " * (self.span.col - 1) + "^" * width)
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)


class DslgenError(Exception):
    """Root of every error dslgen raises on purpose."""


@dataclass
class SpecError(DslgenError):
    """The spec is wrong; holds all diagnostics found, sorted by position."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(f"{len(self.diagnostics)} problem(s) in the spec")

    def render(self) -> str:
        cache: dict[str, list[str] | None] = {}
        parts = []
        for d in self.diagnostics:
            path = d.span.file if d.span else None
            if path is not None and path not in cache:
                cache[path] = _read_lines(path)
            parts.append(d.render(cache.get(path) if path else None))
        return "\n".join(parts)


def _read_lines(path: str) -> list[str] | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.readlines()
    except OSError:
        return None


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
