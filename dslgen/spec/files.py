"""The files a spec reads: inside its project root, and UTF-8 text.

Specs arrive in pull requests and reviewers run `dslgen check` and `dslgen run` on them, so
a spec must not make dslgen read a file elsewhere on their machine (`../../../etc/passwd`, a
policy.md that is a symbolic link to a key). Every path is resolved, links followed, then
compared with the project root: the nearest folder above the spec holding `.git` or
`dslgen.toml`, else the spec's own folder. A spec may narrow it with `root:`.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

ROOT_MARKER = "dslgen.toml"
MARKERS = (ROOT_MARKER, ".git")
# what `dslgen init` writes into ROOT_MARKER (the file's presence is what counts)
ROOT_MARKER_TEXT = ("# Marks this folder as a dslgen project root: every file a spec below it reads (domain\n"
                    "# folders, templates, seed data) must lie inside this folder.\n")


class Refused(Exception):
    """A path or file the spec may not use: `code` and a message, for a diagnostic."""

    def __init__(self, code: str, message: str, hint: str | None = None):
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


def real(path: Path | str) -> Path:
    """The path with every link followed; a NUL byte in it is refused."""
    if "\0" in str(path):
        raise Refused("DSL110", "the path contains a NUL character")
    return Path(os.path.realpath(path))


def project_root(spec_dir: Path) -> Path:
    """The nearest folder from `spec_dir` upward that holds a marker, else `spec_dir`."""
    start = real(spec_dir)
    for folder in (start, *start.parents):
        if any((folder / m).exists() for m in MARKERS):
            return folder
    return start


def declared_root(spec_dir: Path, declared: str) -> Path:
    """`root:` of a spec: its folder or one above it, inside the project."""
    project, here = project_root(spec_dir), real(spec_dir)
    root = real(spec_dir / declared)
    if here != root and root not in here.parents:
        raise Refused("DSL116", f"root '{declared}' is not the spec's folder or a folder above it",
                      "root narrows the project to a folder holding the spec, e.g. `root: ..`")
    if project != root and project not in root.parents:
        raise Refused("DSL116", f"root '{declared}' is above the project root {project}",
                      "the project root is the nearest folder above the spec holding .git or dslgen.toml")
    return root


def inside(root: Path, base: Path, rel: str, what: str) -> Path:
    """`rel` (relative to `base`) resolved, links followed, if it stays inside `root`."""
    path = real(base / rel)
    if path != root and root not in path.parents:
        plain = Path(os.path.normpath(os.path.abspath(base / rel)))
        shown = f"'{rel}'" + (f" (a link to {path})" if plain != path else "")
        raise Refused("DSL114", f"{what} {shown} is outside the project root {root}",
                      "keep every file a spec reads inside its project; the root is the nearest folder "
                      "above the spec holding .git or dslgen.toml")
    hidden = [p for p in path.relative_to(root).parts if p.startswith(".")]
    if hidden:
        raise Refused("DSL115", f"{what} '{rel}' is inside the hidden '{hidden[0]}'",
                      "dslgen reads no hidden files or folders (.git, .env)")
    _usable(path, rel, what)
    return path


def _usable(path: Path, rel: str, what: str) -> None:
    """A path that is missing is the caller's to report; one too long, looping through
    links or not accessible is refused here."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:
        raise Refused("DSL110", f"{what} '{rel[:80]}' cannot be used: {exc.strerror}") from None


class NotText(Exception):
    """A file that is not UTF-8 text: `line` and `col` (1-based) of its first bad byte."""

    def __init__(self, message: str, line: int, col: int):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def read_text(path: Path) -> str:
    """The file as text; raises OSError, or NotText naming the first byte that is not. Only
    a regular file is read: a FIFO or a device would block `check` or never end."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        raise NotText(f"byte 0x{data[exc.start]:02X} is not UTF-8", line, col) from None
    nul = data.find(b"\0")
    if nul >= 0:
        raise NotText("the file contains a NUL byte", *_position(data, nul))
    return text


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, col
