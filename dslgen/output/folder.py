"""An output folder, held by one run at a time.

Two runs appending to one dialogues.jsonl would interleave; the second run finds the
folder locked (an advisory `flock`, released by the kernel even when a run is killed) and
stops with a clear error instead.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path

from dslgen.errors import RunError
from dslgen.plan.artifacts import LOCK


class OutputFolder:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = None

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    def __enter__(self) -> "OutputFolder":
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunError(f"cannot create the output folder {self.path}: {exc.strerror}") from None
        lock = (self.path / LOCK).open("a+")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            lock.close()
            raise RunError(f"{self.path} is in use by another run ({holder})",
                           hint="wait for it to finish, or write into another folder with --out") from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"pid {os.getpid()}\n")
        lock.flush()
        self._lock = lock
        return self

    def __exit__(self, *exc) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def sha256(self, name: str) -> str | None:
        """Content digest of a file in the folder (None if it is missing)."""
        return file_sha256(self.path / name)


def file_sha256(path: Path) -> str | None:
    """None for a missing file or a folder (a format's folder of split files)."""
    if not path.is_file():
        return None
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
