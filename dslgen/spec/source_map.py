"""YAML with positions: every node of a loaded file keeps its file:line:col.

Paths are tuples of keys and indexes, e.g. ("tools", 2, "sql"). Text *inside* a scalar
(SQL, templates) maps back to the file too, so an error at line 3 of a `|` block is
reported at its real line and column in the YAML file.

Loading is bounded, because specs arrive in pull requests: the node graph is measured
before anything walks the expanded document, so an alias bomb, a recursive alias or absurd
nesting is a diagnostic at once, and the time taken grows linearly with the file's size.
"""
from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from dslgen.errors import Diagnostic, Span

Path = tuple[Any, ...]

MAX_DEPTH = 100  # nesting of mappings and lists; real specs stay under 20
MAX_VALUES = 1_000_000  # values once aliases are expanded; a 4 MB spec has about 500,000

# YAML's line breaks, counted the way its marks count lines
_BREAKS = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")
# characters YAML refuses (control characters, NUL, lone surrogates, U+FFFE/U+FFFF)
_NOT_YAML = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
# an alias token can only start after a space, a flow indicator or a line start; SQL's `*`
# (`SELECT *`, `count(*)`) does not match, and a false match only costs the measuring walk
_MAY_ALIAS = re.compile(r"(?:^|(?<=[\s\[{,]))\*[^\s,\[\]{}]", re.MULTILINE)
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq", "merge",
                                                  "timestamp")}  # a timestamp is read as text


class NodeInfo(NamedTuple):  # one per value of a file: a tuple is cheap to make
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

    def __post_init__(self) -> None:
        self.lines = _BREAKS.split(self.text)  # once: positions are looked up per node

    def at(self, line: int, col: int, end_col: int | None = None) -> Span:
        """A span in this file, carrying its source line for the caret display."""
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        return Span(self.file, line, col, end_col, source)

    def span(self, path: Path, *, key: bool = False) -> Span:
        """Where `path` is; falls back to the nearest ancestor that exists."""
        path = tuple(path)
        while path not in self.nodes and path:
            path = path[:-1]
        info = self.nodes.get(path)
        if info is None:
            return self.at(1, 1)
        if key and info.key_line is not None:
            return self.at(info.key_line, info.key_col, info.key_col + info.key_len)
        return self.at(info.line, info.col)

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
            return self.at(first + line, indent + col, indent + col + length)
        if line == 1:
            quote = 1 if info.style in ('"', "'") else 0
            start = info.col + quote + col - 1
            return self.at(info.line, start, start + length)
        # multi-line plain or quoted scalar: lines are folded; point at the matching line
        target = info.line + line - 1
        if target <= len(lines):
            indent = len(lines[target - 1]) - len(lines[target - 1].lstrip())
            return self.at(target, indent + col, indent + col + length)
        return self.at(info.line, info.col)


def _block_indent(lines: list[str], first_content_index: int) -> int:
    for text in lines[first_content_index:]:
        if text.strip():
            return len(text) - len(text.lstrip(" "))
    return 0


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when installed
    """Safe YAML; dates stay text (a spec value is JSON data, and JSON has no date type)."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def load_yaml(text: str, file: str) -> tuple[Any, SourceMap, list[Diagnostic]]:
    """Parse YAML text; returns data, its source map, and diagnostics (syntax, duplicates,
    limits). Data is None when the text cannot be used."""
    smap = SourceMap(file, text)
    bad = _NOT_YAML.search(text)
    if bad:
        return None, smap, [_bad_character(smap, bad.start())]
    try:
        with _gc_paused():
            return _load(text, smap)
    except yaml.MarkedYAMLError as exc:
        return None, smap, [_syntax_diagnostic(exc, smap)]
    except (yaml.YAMLError, RecursionError) as exc:  # no position: libyaml missing, say
        return None, smap, [Diagnostic("DSL001", f"invalid YAML: {exc}", smap.at(1, 1))]


def _load(text: str, smap: SourceMap) -> tuple[Any, SourceMap, list[Diagnostic]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, smap, []
        builder = _Builder(smap)
        # without an alias the document is a tree: the build itself checks depth and size
        if _MAY_ALIAS.search(text):
            _measure(node, smap)
        return builder.build(node, (), None), smap, builder.diagnostics
    except _Refused as refused:
        return None, smap, [refused.diagnostic]
    finally:
        loader.dispose()


@contextmanager
def _gc_paused():
    """The node graph is millions of small containers and holds no cycle (recursive aliases
    are refused): collections during loading only cost time, superlinear in file size."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _bad_character(smap: SourceMap, offset: int) -> Diagnostic:
    line = len(_BREAKS.findall(smap.text, 0, offset)) + 1
    start = max(smap.text.rfind(ch, 0, offset) for ch in "\n\r\x85\u2028\u2029") + 1
    char = smap.text[offset]
    return Diagnostic("DSL001", f"invalid YAML: character U+{ord(char):04X} is not allowed",
                      smap.at(line, offset - start + 1), "remove it; YAML files are printable text")


def _syntax_diagnostic(exc: yaml.MarkedYAMLError, smap: SourceMap) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    span = smap.at(mark.line + 1, mark.column + 1) if mark else smap.at(1, 1)
    if "nesting depth" in str(exc.problem):
        return _too_deep(span)
    hint = "check indentation and quoting near this position (a ':' inside a value needs quotes)"
    return Diagnostic("DSL001", f"invalid YAML: {exc.problem or exc.context}", span, hint)


def _too_deep(span: Span) -> Diagnostic:
    return Diagnostic("DSL006", f"YAML nested more than {MAX_DEPTH} levels deep", span,
                      "a spec needs a few levels; flatten this value")


class _Refused(Exception):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic


def _measure(root: yaml.Node, smap: SourceMap) -> None:
    """Raises DSL005/6/7 before the expanded document is walked: every node of the graph
    is visited once, whatever its aliases expand to."""
    _size(root, 1, {}, set(), smap)


def _size(node: yaml.Node, depth: int, memo: dict, active: set, smap: SourceMap) -> tuple[int, int]:
    """(values once aliases are expanded, height) of `node`, memoized per node."""
    key = id(node)
    if key in memo:
        size, height = memo[key]
        if depth + height - 1 > MAX_DEPTH:
            raise _Refused(_too_deep(_start(node, smap)))
        return size, height
    if depth > MAX_DEPTH:
        raise _Refused(_too_deep(_start(node, smap)))
    if key in active:
        raise _Refused(Diagnostic("DSL007", "recursive alias: this value contains itself", _start(node, smap),
                                  "an alias (*name) must not appear inside the value it names"))
    active.add(key)
    size, height = 1, 1
    for child in _children(node):
        child_size, child_height = _size(child, depth + 1, memo, active, smap)
        size += child_size
        height = max(height, child_height + 1)
        if size > MAX_VALUES:
            raise _Refused(_too_big(node, smap))
    active.discard(key)
    memo[key] = (size, height)
    return size, height


def _too_big(node: yaml.Node, smap: SourceMap) -> Diagnostic:
    return Diagnostic("DSL005", f"this value expands to more than {MAX_VALUES:,} values", _start(node, smap),
                      "aliases (*name) repeat whole values; use fewer")


def _start(node: yaml.Node, smap: SourceMap) -> Span:
    return smap.at(node.start_mark.line + 1, node.start_mark.column + 1)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [v for _, v in node.value]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


_SWALLOWED = re.compile(r" #\S")


def _warn_swallowed_hash(node: yaml.ScalarNode, smap: SourceMap, diags: list) -> None:
    """`order #W123` unquoted: YAML reads ` #W123` as a comment and drops it silently."""
    line, col = node.end_mark.line, node.end_mark.column
    rest = smap.lines[line][col:] if line < len(smap.lines) else ""
    if _SWALLOWED.match(rest):
        diags.append(Diagnostic(
            "DSL004", f"'{rest.strip()[:30]}' is a YAML comment, not part of the value",
            smap.at(line + 1, col + 2, col + 2 + len(rest.strip())),
            "quote the whole value if the '#...' belongs to it", severity="warning"))


class _Builder:
    """One walk over the expanded document (bounded by `_measure`): records where every
    path is, builds the data, and reports problems of a node once, however often an alias
    repeats it."""

    def __init__(self, smap: SourceMap):
        self.smap, self.diagnostics, self.seen = smap, [], set()

    def build(self, node: yaml.Node, path: Path, key_node: yaml.Node | None) -> Any:
        key_at = (key_node.start_mark.line + 1, key_node.start_mark.column + 1, len(str(key_node.value))
                  ) if key_node is not None else (None, None, 0)
        style = (node.style or None) if node.__class__ is yaml.ScalarNode else None  # libyaml: '' = plain
        self.smap.nodes[path] = NodeInfo(node.start_mark.line + 1, node.start_mark.column + 1, *key_at, style,
                                         node.end_mark.line + 1)
        first_visit = id(node) not in self.seen
        if first_visit:
            self.seen.add(id(node))
            self._check(node)
        if node.__class__ is yaml.ScalarNode:
            return self.scalar(node)
        if len(path) >= MAX_DEPTH:
            raise _Refused(_too_deep(_start(node, self.smap)))
        if len(self.smap.nodes) > MAX_VALUES:
            raise _Refused(_too_big(node, self.smap))
        if node.__class__ is yaml.MappingNode:
            entries = self._entries(node, first_visit)
            return {key: self.build(v, path + (key,), k) for key, (k, v) in entries.items()}
        return [self.build(item, path + (i,), None) for i, item in enumerate(node.value)]

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        make = _Loader.yaml_constructors.get(node.tag)
        try:
            return make(_CONSTRUCTOR, node) if make else node.value  # an unknown tag: _check says so
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            self._report(node, f"invalid YAML: {node.value!r} is not a valid {node.tag.rsplit(':', 1)[-1]}: {exc}")
            return None

    def _check(self, node: yaml.Node) -> None:
        if node.tag not in _PLAIN_TAGS:
            self._report(node, f"invalid YAML: a value of type {_tag_name(node.tag)} cannot be used here",
                         "a spec holds text, numbers, booleans, lists and mappings")
        if node.__class__ is yaml.ScalarNode:
            if not node.style:
                _warn_swallowed_hash(node, self.smap, self.diagnostics)
            if "\0" in node.value:
                self.diagnostics.append(Diagnostic(
                    "DSL009", "a value contains a NUL character", _start(node, self.smap),
                    "remove the \\0 or \\x00 escape; databases and files refuse it"))

    def _report(self, node: yaml.Node, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic("DSL001", message, _start(node, self.smap), hint))

    def _entries(self, node: yaml.MappingNode, report: bool) -> dict:
        """key → (key node, value node) as the mapping reads once merge keys (`<<: *base`)
        are applied: its own keys win, then earlier merged mappings over later ones."""
        own: dict[Any, tuple] = {}
        merged: list[yaml.Node] = []
        for k, v in node.value:
            if k.tag == _MERGE:
                merged += v.value if v.__class__ is yaml.SequenceNode else [v]
                continue
            if k.__class__ is not yaml.ScalarNode:
                if report:
                    self._report(k, "invalid YAML: a key must be a plain value, not a list or mapping")
                continue
            key = self.scalar(k)
            if key in own and report:
                self._duplicate(k, own[key][0])
            own[key] = (k, v)
        for source in merged:
            if source.__class__ is not yaml.MappingNode:
                if report:
                    self._report(source, "invalid YAML: a merge key (<<) takes a mapping or a list of mappings")
                continue
            for key, entry in self._entries(source, False).items():
                own.setdefault(key, entry)
        return own

    def _duplicate(self, k: yaml.Node, first: yaml.Node) -> None:
        col = k.start_mark.column + 1
        self.diagnostics.append(Diagnostic(
            "DSL002", f"duplicate key '{k.value}'", self.smap.at(k.start_mark.line + 1, col, col + len(k.value)),
            f"'{k.value}' is already set on line {first.start_mark.line + 1}; keep one"))


_CONSTRUCTOR = _Loader("")  # builds scalars of other types (int, float, bool, null) by their tag


def _tag_name(tag: str) -> str:
    return "!!" + tag.rsplit(":", 1)[1] if tag.startswith("tag:yaml.org,2002:") else tag
