"""Where each part of a spec came from, across files.

A spec is assembled from several files (the spec YAML, the domain's tools.yaml and
tasks.yaml, schema.sql, templates). `Sources` maps a path in the assembled spec, e.g.
("domain", "tools", 2, "sql"), to the file and node it was read from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from dslgen.errors import Span
from dslgen.spec.source_map import Path, SourceMap


@dataclass
class Sources:
    # (prefix in the assembled spec, source map of the file, prefix inside that file)
    mounts: list[tuple[Path, SourceMap, Path]] = field(default_factory=list)
    # whole text files (schema.sql, templates): prefix → (file, its lines)
    texts: dict[Path, tuple[str, list[str]]] = field(default_factory=dict)

    def mount(self, prefix: Path, smap: SourceMap, inner: Path = ()) -> None:
        # longest prefix first, so a nested file wins over the file that names it
        self.mounts.append((tuple(prefix), smap, tuple(inner)))
        self.mounts.sort(key=lambda m: -len(m[0]))

    def mount_text(self, prefix: Path, file: str, text: str) -> None:
        self.texts[tuple(prefix)] = (file, _LINES.split(text))

    def _resolve(self, path: Path) -> tuple[SourceMap, Path] | None:
        path = tuple(path)
        for prefix, smap, inner in self.mounts:
            if path[: len(prefix)] == prefix:
                return smap, inner + path[len(prefix):]
        return None

    def span(self, path: Path, *, key: bool = False) -> Span | None:
        if tuple(path) in self.texts:
            return self._text_span(tuple(path), 1, 1, None)
        found = self._resolve(path)
        return found[0].span(found[1], key=key) if found else None

    def span_in(self, path: Path, line: int, col: int, length: int = 1) -> Span | None:
        """Position (1-based line/col) inside the text at `path` (a YAML scalar or a file)."""
        if tuple(path) in self.texts:
            return self._text_span(tuple(path), line, col, col + length)
        found = self._resolve(path)
        return found[0].span_in_scalar(found[1], line, col, length) if found else None

    def _text_span(self, path: Path, line: int, col: int, end_col: int | None) -> Span:
        file, lines = self.texts[path]
        return Span(file, line, col, end_col, lines[line - 1] if 0 < line <= len(lines) else None)


_LINES = re.compile(r"\r\n|\r|\n")  # how SQL and Jinja count lines
