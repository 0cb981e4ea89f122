"""YAML with positions: every node of a loaded file keeps its file:line:col.

Paths are tuples of keys and indexes, e.g. ("tools", 2, "sql"). Text *inside* a scalar
(SQL, templates) maps back to the file too, so an error at line 3 of a `|` block is
reported at its real line and column in the YAML file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
import re
from typing import Any

import yaml

from dslgen.errors import Diagnostic, Span

Path = tuple[Any, ...]


@dataclass(frozen=True)
class NodeInfo:
    line: int  # 1-based start of the value
    col: int
    key_line: int | None = None  # 1-based start of the mapping key naming this value
    key_col: int | None = None
    key_len: int = 0
    style: str | None = None  # scalar style: None (plain), '|', '>', '"', "'"
    end_line: int = 0


@dataclass
class SourceMap:
    file: str
    text: str
    nodes: dict[Path, NodeInfo] = field(default_factory=dict)

    def span(self, path: Path, *, key: bool = False) -> Span:
        """Where `path` is; falls back to the nearest ancestor that exists."""
        path = tuple(path)
        while path not in self.nodes and path:
            path = path[:-1]
        info = self.nodes.get(path)
        if info is None:
            return Span(self.file, 1, 1)
        if key and info.key_line is not None:
            return Span(self.file, info.key_line, info.key_col, info.key_col + info.key_len)
        return Span(self.file, info.line, info.col)

    @cached_property
    def lines(self) -> list[str]:
        """The text's lines, split once (a big file has a scalar on every line)."""
        return self.text.splitlines()

    def has(self, path: Path) -> bool:
        return tuple(path) in self.nodes

    def span_in_scalar(self, path: Path, line: int, col: int, length: int = 1) -> Span:
        """Map (line, col), 1-based inside a scalar's text, to the file position."""
        info = self.nodes.get(tuple(path))
        if info is None:
            return self.span(path)
        lines = self.lines
        if info.style in ("|", ">"):
            # content starts on the line after the indicator, at the block's indentation
            first = info.line  # 1-based indicator line; content begins at index `first`
            indent = _block_indent(lines, first)
            return Span(self.file, first + line, indent + col, indent + col + length)
        if line == 1:
            quote = 1 if info.style in ('"', "'") else 0
            start = info.col + quote + col - 1
            return Span(self.file, info.line, start, start + length)
        # multi-line plain or quoted scalar: lines are folded; point at the matching line
        target = info.line + line - 1
        if target <= len(lines):
            indent = len(lines[target - 1]) - len(lines[target - 1].lstrip())
            return Span(self.file, target, indent + col, indent + col + length)
        return Span(self.file, info.line, info.col)


def _block_indent(lines: list[str], first_content_index: int) -> int:
    for text in lines[first_content_index:]:
        if text.strip():
            return len(text) - len(text.lstrip(" "))
    return 0


class _Loader(yaml.SafeLoader):
    """SafeLoader that reports duplicate keys instead of silently keeping the last."""


def load_yaml(text: str, file: str) -> tuple[Any, SourceMap, list[Diagnostic]]:
    """Parse YAML text; returns data, its source map, and diagnostics (syntax, duplicates)."""
    smap = SourceMap(file, text)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = Span(file, mark.line + 1, mark.column + 1) if mark else Span(file, 1, 1)
        msg = f"invalid YAML: {exc.problem or exc.context}"
        hint = "check indentation and quoting near this position (a ':' inside a value needs quotes)"
        return None, smap, [Diagnostic("DSL001", msg, span, hint)]
    diagnostics: list[Diagnostic] = []
    if node is not None:
        _index(node, (), smap, diagnostics, None)
    return data, smap, diagnostics


_SWALLOWED = re.compile(r" #\S")


def _warn_swallowed_hash(node: yaml.ScalarNode, smap: SourceMap, diags: list) -> None:
    """`order #W123` unquoted: YAML reads ` #W123` as a comment and drops it silently."""
    lines = smap.lines
    line, col = node.end_mark.line, node.end_mark.column
    rest = lines[line][col:] if line < len(lines) else ""
    if _SWALLOWED.match(rest):
        diags.append(Diagnostic(
            "DSL004", f"'{rest.strip()[:30]}' is a YAML comment, not part of the value",
            Span(smap.file, line + 1, col + 2, col + 2 + len(rest.strip())),
            "quote the whole value if the '#...' belongs to it", severity="warning"))


def _index(node: yaml.Node, path: Path, smap: SourceMap, diags: list, key_node) -> None:
    style = node.style if isinstance(node, yaml.ScalarNode) else None
    kl = kc = None
    klen = 0
    if key_node is not None:
        kl, kc = key_node.start_mark.line + 1, key_node.start_mark.column + 1
        klen = len(str(key_node.value))
    smap.nodes[path] = NodeInfo(
        node.start_mark.line + 1, node.start_mark.column + 1, kl, kc, klen, style,
        node.end_mark.line + 1,
    )
    if isinstance(node, yaml.ScalarNode) and style is None:
        _warn_swallowed_hash(node, smap, diags)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, yaml.Node] = {}
        for k, v in node.value:
            key = k.value
            if key in seen:
                diags.append(Diagnostic(
                    "DSL002", f"duplicate key '{key}'",
                    Span(smap.file, k.start_mark.line + 1, k.start_mark.column + 1,
                         k.start_mark.column + 1 + len(str(key))),
                    f"'{key}' is already set on line {seen[key].start_mark.line + 1}; keep one",
                ))
            seen[key] = k
            _index(v, path + (key,), smap, diags, k)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, path + (i,), smap, diags, None)
