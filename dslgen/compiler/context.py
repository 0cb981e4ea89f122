"""What every compiler check receives, and how it reports."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from dslgen.errors import Diagnostic
from dslgen.spec.source_map import Path
from dslgen.spec.sources import Sources


@dataclass
class CheckContext:
    spec: Any  # dslgen.spec.models.Spec
    sources: Sources
    db_schema: Any = None  # dslgen.sql.schema.DbSchema, None when schema.sql failed to parse
    seed: Any = None  # dslgen.sql.seed.ParsedSeed (rows, problems, digest), once the seed check ran
    tool_analyses: Any = None  # tool index → dslgen.sql.ToolAnalysis, once the tool check ran
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, path: Path, hint: str | None = None,
              *, key: bool = False) -> None:
        self.diagnostics.append(Diagnostic(code, message, self.sources.span(path, key=key), hint))

    def error_in(self, code: str, message: str, path: Path, line: int, col: int,
                 length: int = 1, hint: str | None = None) -> None:
        """An error at (line, col) inside the text at `path`, e.g. a token in a tool's SQL."""
        span = self.sources.span_in(path, line, col, length)
        self.diagnostics.append(Diagnostic(code, message, span, hint))


# A check is a small pure function over the context; checks/__init__.py lists them in order.
Check = Callable[[CheckContext], None]
