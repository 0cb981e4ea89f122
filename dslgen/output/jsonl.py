"""Strict JSON Lines: records end with "\\n" and nothing else separates them.

A message may hold U+2028, U+0085 or a form feed, all of which `str.splitlines` treats as
line ends; splitting on those made a dialogue unreadable to the resume logic, so every
rerun appended it again. Here files are read as bytes and split on b"\\n" only (JSON
escapes a newline inside a string, so a raw one only ends a record).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from dslgen.errors import RunError
from dslgen.redact import redact_json
from dslgen.text import clean


DAMAGED = "the file was edited or damaged; fix or remove that line"


def dumps(record: Any) -> bytes:
    # every record of an output folder passes here: no ${VAR} value is written (dslgen.redact)
    return json.dumps(redact_json(clean(record)), ensure_ascii=False).encode("utf-8") + b"\n"


def iter_jsonl(path: Path, required: Iterable[str] = ()) -> Iterator[dict]:
    """Records of a JSON Lines file, streamed; a last line with no newline (a run killed
    mid-write) is skipped. A broken line elsewhere, or a record that is not an object
    holding the `required` keys, is an error naming the line, not a silent skip or a crash."""
    if not path.exists():
        return
    with path.open("rb") as f:
        for n, line in enumerate(f, 1):  # binary files split on b"\n" only
            if not line.endswith(b"\n"):
                return
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
                raise RunError(f"{path}:{n}: not a JSON line ({exc})", hint=DAMAGED) from None
            problem = _shape_problem(record, required)
            if problem:
                raise RunError(f"{path}:{n}: {problem}", hint=DAMAGED)
            yield record


def _shape_problem(record: Any, required: Iterable[str]) -> str | None:
    if not isinstance(record, dict):
        return "not a JSON object"
    missing = [k for k in required if k not in record]
    return f"not a dslgen record (no {', '.join(map(repr, missing))})" if missing else None


def drop_torn_tail(path: Path) -> None:
    """Cut a last line without its newline (a run killed mid-write) so appends start clean."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as f:
        end = f.seek(0, os.SEEK_END)
        pos = end
        while pos > 0:  # back to the last newline, a block at a time
            step = min(pos, 1 << 16)
            f.seek(pos - step)
            block = f.read(step)
            cut = block.rfind(b"\n")
            if cut >= 0:
                pos = pos - step + cut + 1
                break
            pos -= step
        if pos != end:
            f.truncate(pos)


class Appender:
    """Appends records to a JSON Lines file, each flushed and fsync'd before the next: a
    crash or a kill loses at most the line being written (cut on the next run)."""

    def __init__(self, path: Path):
        self.path = path
        self._file = None

    def __enter__(self) -> "Appender":
        return self

    def append(self, record: Any) -> None:
        if self._file is None:  # opened on the first record: no empty file when nothing is made
            self._file = self.path.open("ab")
        self._file.write(dumps(record))
        self._file.flush()
        os.fsync(self._file.fileno())

    def __exit__(self, *exc) -> None:
        if self._file is not None:
            self._file.close()


class JsonlWriter:
    """Writes a whole JSON Lines file atomically, record by record: the old file stays in
    place until the writer closes without an error."""

    def __init__(self, path: Path):
        self.path, self.count = path, 0
        self._tmp = path.with_name(f".{path.name}.tmp")

    def __enter__(self) -> "JsonlWriter":
        self._file = self._tmp.open("wb")
        return self

    def write(self, record: Any) -> None:
        self._file.write(dumps(record))
        self.count += 1

    def __exit__(self, kind, *exc) -> None:
        try:
            if kind is None:
                self._file.flush()
                os.fsync(self._file.fileno())
            self._file.close()
            if kind is None:
                os.replace(self._tmp, self.path)
                _fsync_dir(self.path.parent)
        finally:
            self._tmp.unlink(missing_ok=True)


def write_jsonl(path: Path, records: Iterable[Any]) -> int:
    """Write a whole file atomically; returns the number of records."""
    with JsonlWriter(path) as out:
        for record in records:
            out.write(record)
    return out.count


def sort_jsonl(path: Path, key: Callable[[dict], Any]) -> bool:
    """Put the records of a file in `key` order (atomically), reading each record once and
    holding only its offset; True when it had to move any. Records that finished out of
    order (many in flight) end where an uninterrupted, one-at-a-time run puts them."""
    if not path.exists():
        return False
    spans, offset = [], 0
    with path.open("rb") as f:
        for line in f:
            if line.strip():
                spans.append((key(json.loads(line)), offset, len(line)))
            offset += len(line)
    ordered = sorted(spans, key=lambda s: s[0])
    if ordered == spans:
        return False
    with path.open("rb") as f:
        write_atomic(path, (_read_at(f, start, size) for _, start, size in ordered))
    return True


def _read_at(f, start: int, size: int) -> bytes:
    f.seek(start)
    return f.read(size)


def write_json(path: Path, value: Any) -> None:
    write_atomic(path, [json.dumps(redact_json(clean(value)), indent=2, ensure_ascii=False).encode("utf-8") + b"\n"])


def write_atomic(path: Path, chunks: Iterable[bytes]) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it: readers see the
    old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
