"""`dslgen merge DIR... --out OUT`: join the folders of `--shard i/n` runs into the folder
one machine running the whole would have written.

Refused unless the folders are the n shards of one run: the same spec, every stage made
from the same inputs (equal digests) and finished, shards 1..n each once. Then:
- the dialogue record files (dialogues, validated, rejected) are merged in index order;
  every index of the run must be there, once;
- every other file a stage made from the spec alone (tasks, return schemas, export.json,
  licence files) must be equal in every shard, and is copied;
- report.json and stats.json are worked out again from the merged records, and the
  export formats and dataset card written again from them (as `dslgen export` does).
"""
from __future__ import annotations

import copy
import heapq
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from dslgen.errors import RunError
from dslgen.execute.shard import Shard
from dslgen.output.folder import OutputFolder, file_sha256
from dslgen.output.jsonl import JsonlWriter, iter_jsonl, write_json
from dslgen.output.manifest import Manifest
from dslgen.plan import SimulateStage
from dslgen.plan.artifacts import CARD, DIALOGUES, EXPORT_CONTEXT, LOCK, MANIFEST, REJECTED, REPORT, STATS, VALIDATED
from dslgen.sim.dialogue import RECORD_KEYS, VALIDATED_KEYS, Dialogue
from dslgen.validate.report import Report
from dslgen.validate.result import ValidationResult

RECORD_FILES = (DIALOGUES, VALIDATED, REJECTED)  # one record per dialogue: merged by index
WORKED_OUT = (REPORT, STATS)  # totals over the records: computed again
EXPORT = "export"  # the stage whose format folders and card are written again


@dataclass
class Merged:
    out: Path
    lines: list[str]

    def summary(self) -> str:
        return "\n".join(self.lines + [f"outputs in {self.out}"])


@dataclass
class _Part:
    path: Path
    manifest: Manifest
    shard: Shard
    dialogues: int  # of the whole run

    @classmethod
    def load(cls, path: Path) -> "_Part":
        manifest = Manifest.load(path)
        if not manifest.exists:
            raise RunError(f"{path} holds no {MANIFEST}: it is not the output folder of a run")
        simulate = manifest.stage(SimulateStage.kind)
        if simulate is None:
            raise RunError(f"{path}: no simulate stage ran there", hint="merge the folders of `dslgen run --shard i/n`")
        progress = simulate.get("progress", {})
        return cls(path, manifest, Shard.parse(progress.get("shard", "1/1")), progress.get("dialogues", 0))


def merge_runs(folders: list[str | Path], out: str | Path) -> Merged:
    parts = sorted((_Part.load(Path(f)) for f in folders), key=lambda p: p.shard.number)
    _check(parts)
    with OutputFolder(Path(out)) as folder:
        if any(p.name != LOCK for p in folder.path.iterdir()):
            raise RunError(f"{folder.path} is not empty", hint="merge into a new folder (--out)")
        files = _files(parts[0])
        lines = [f"merge: {len(parts)} shard(s) of {parts[0].dialogues} dialogue(s)"]
        for name in files:
            if name in RECORD_FILES:
                lines.append(f"merge: {name}: {_merge_records(parts, name, folder.path)} record(s)")
            elif name not in WORKED_OUT and not _written_again(name, files[name]):
                _copy_same(parts, name, folder.path)
        if VALIDATED in files:
            _work_out_report(folder.path)
        if EXPORT_CONTEXT in files:
            lines += _export_again(folder.path)
        _write_manifest(parts, folder.path, files)
    return Merged(folder.path, lines)


def _check(parts: list[_Part]) -> None:
    first = parts[0]
    numbers = [p.shard.number for p in parts]
    if any(p.shard.count != first.shard.count for p in parts) or numbers != list(range(1, first.shard.count + 1)):
        shown = ", ".join(f"{p.path} ({p.shard})" for p in parts)
        raise RunError(f"these folders are not the shards 1..n of one run: {shown}",
                       hint=f"give each shard 1/{first.shard.count} .. {first.shard.count}/{first.shard.count} once")
    for p in parts:
        _same_run(first, p)


def _same_run(first: _Part, other: _Part) -> None:
    if other.manifest.spec != first.manifest.spec or other.dialogues != first.dialogues:
        raise RunError(f"{other.path} is a run of '{other.manifest.spec}' ({other.dialogues} dialogues), "
                       f"{first.path} of '{first.manifest.spec}' ({first.dialogues})")
    mine, theirs = first.manifest.data["stages"], other.manifest.data["stages"]
    if sorted(mine) != sorted(theirs):
        raise RunError(f"{other.path} ran the stages {', '.join(sorted(theirs))}, {first.path} "
                       f"{', '.join(sorted(mine))}", hint="run the same stages in every shard")
    for kind, entry in theirs.items():
        if entry["status"] != "done":
            raise RunError(f"{other.path}: stage '{kind}' did not finish",
                           hint=f"finish it: dslgen run SPEC --out {other.path} --resume")
        if entry["digest"] != mine[kind]["digest"]:
            differ = sorted(k for k in entry["parts"] if entry["parts"][k] != mine[kind]["parts"].get(k))
            raise RunError(f"{other.path}: stage '{kind}' was made from other inputs than in {first.path} "
                           f"({', '.join(differ) or 'settings'} differ)", hint="run every shard from the same spec")


def _files(part: _Part) -> dict[str, str]:
    """The files the stages made in a shard → the stage that made them."""
    return {name: entry["made_by"] for name, entry in part.manifest.data["files"].items()
            if (part.path / name).exists()}


def _written_again(name: str, made_by: str) -> bool:
    return made_by == EXPORT and (name.endswith("/") or name == CARD)


def _merge_records(parts: list[_Part], name: str, out: Path) -> int:
    """Merge one record file of every shard in index order; every index of the run once
    (the rejected ones: a subset)."""
    streams = [_indexed(p.path / name) for p in parts]
    seen = []
    with JsonlWriter(out / name) as writer:
        for index, record in heapq.merge(*streams, key=lambda pair: pair[0]):
            if seen and seen[-1] == index:
                raise RunError(f"dialogue {index} is in two shards' {name}")
            seen.append(index)
            writer.write(record)
    if name != REJECTED and seen != list(range(parts[0].dialogues)):
        missing = sorted(set(range(parts[0].dialogues)) - set(seen))[:5]
        raise RunError(f"the shards' {name} lack dialogue(s) {missing}",
                       hint="finish every shard (dslgen run SPEC --out DIR --resume), then merge")
    return len(seen)


def _indexed(path: Path) -> Iterator[tuple[int, dict]]:
    for record in iter_jsonl(path, RECORD_KEYS):
        yield record["provenance"]["index"], record


def _copy_same(parts: list[_Part], name: str, out: Path) -> None:
    digests = {file_sha256(p.path / name) for p in parts}
    if len(digests) > 1:
        raise RunError(f"{name} differs between the shards", hint="it was edited in one of them")
    shutil.copyfile(parts[0].path / name, out / name)


def _work_out_report(out: Path) -> None:
    report = Report()
    for record in iter_jsonl(out / VALIDATED, VALIDATED_KEYS):
        report.add(Dialogue.from_json(record), ValidationResult.from_json(record["validation"]))
    write_json(out / REPORT, report.to_json())
    write_json(out / STATS, report.table_generated.to_json())


def _export_again(out: Path) -> list[str]:
    from dslgen.export.folder import export_folder

    exported = export_folder(out)
    return [f"merge: export {w.format}: {w.total} row(s)" for w in exported.written]


def _write_manifest(parts: list[_Part], out: Path, files: dict[str, str]) -> None:
    """The manifest of a run of the whole: the shards' stage entries, one for all."""
    data = copy.deepcopy(parts[0].manifest.data)
    simulate = data["stages"][SimulateStage.kind]
    simulate["progress"] = {**simulate.get("progress", {}), "shard": "1/1", "done": parts[0].dialogues,
                            "total": parts[0].dialogues, "merged_from": [str(p.path) for p in parts]}
    for name, entry in data["files"].items():
        entry["sha256"] = file_sha256(out / name)
    manifest = Manifest(out / MANIFEST, data)
    manifest.save()

