"""manifest.json: for each stage, the digest of what its outputs were made from; for each
file, the digest it stands for and its content hash when last written.

    {"manifest": 1, "spec": "retail",
     "stages": {"simulate": {"digest": ..., "parts": {"policy": ..., ...}, "status": "done"}},
     "files": {"dialogues.jsonl": {"digest": ..., "made_by": "simulate", "sha256": ...}}}

A file's digest is the digest of the stage that made it, or `edited:<sha256>` for a file a
person edited (or that came from elsewhere with `--from`): what is made from it then
derives its ids from its content.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dslgen.errors import RunError
from dslgen.output.folder import file_sha256
from dslgen.output.jsonl import write_json
from dslgen.plan.artifacts import MANIFEST
from dslgen.plan.stages import Stage

FORMAT = 1
EDITED = "edited"


class Manifest:
    def __init__(self, path: Path, data: dict[str, Any]):
        self.path, self.data = path, data

    @classmethod
    def load(cls, folder: Path) -> "Manifest":
        path = Path(folder) / MANIFEST
        if not path.exists():
            return cls(path, {"manifest": FORMAT, "spec": None, "stages": {}, "files": {}})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            assert data.get("manifest") == FORMAT and {"stages", "files"} <= set(data)
        except (ValueError, AssertionError, UnicodeDecodeError):
            raise RunError(f"{path} is not a dslgen manifest",
                           hint="it was damaged or written by something else; use another --out") from None
        return cls(path, data)

    @property
    def exists(self) -> bool:
        return self.path.exists()

    @property
    def spec(self) -> str | None:
        return self.data.get("spec")

    def stage(self, kind: str) -> dict[str, Any] | None:
        return self.data["stages"].get(kind)

    def file(self, name: str) -> dict[str, Any] | None:
        return self.data["files"].get(name)

    def begin(self, spec: str, stage: Stage, digest: str, parts: dict[str, str], growing: frozenset) -> None:
        """Before a stage writes anything: what its outputs are made from. A file that grows
        a record at a time (`growing`) is this digest's from its first line; a whole file
        only once it is replaced (an interrupted stage leaves the old one, and its entry)."""
        self.data["spec"] = spec
        self.data["stages"][stage.kind] = {"digest": digest, "parts": parts, "status": "running", "started": _now()}
        for name in set(stage.outputs) & growing:
            self.data["files"][name] = {"digest": digest, "made_by": stage.kind, "sha256": None}
        self.save()

    def finish(self, stage: Stage) -> None:
        entry = self.data["stages"][stage.kind]
        entry["status"], entry["finished"] = "done", _now()
        for name in stage.outputs:
            self.data["files"][name] = {"digest": entry["digest"], "made_by": stage.kind,
                                        "sha256": file_sha256(self.path.parent / name)}
        self.save()

    def progress(self, kind: str, values: dict[str, Any]) -> None:
        """How far a running stage has come (shown to a person, never trusted on resume:
        the output files are)."""
        self.data["stages"][kind]["progress"] = values
        self.save()

    def adopt(self, name: str, digest: str, sha256: str, source: str) -> None:
        """A file taken as it is (edited by a person, or copied from another folder)."""
        made_by = EDITED if digest.startswith(EDITED) else "copied"
        self.data["files"][name] = {"digest": digest, "made_by": made_by, "sha256": sha256, "from": source}
        self.save()

    def save(self) -> None:
        write_json(self.path, self.data)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
