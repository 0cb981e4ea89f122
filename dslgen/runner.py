"""Execute a Plan: visit its stages in order, each reading and writing files in the output
folder, with a manifest entry per stage.

Before anything is written, every selected stage's digest is worked out from the plan and
the files it reads, and the run is refused (a RunError saying what differs and what to
do) when it would mix outputs: another spec's folder, dialogues made from other inputs,
a file a person edited that a stage would overwrite, a tasks file older than the spec.
"""
from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass
from pathlib import Path

from dslgen.errors import RunError
from dslgen.execute import RunOptions
from dslgen.execute.shard import Shard
from dslgen.output.folder import OutputFolder, file_sha256
from dslgen.output.manifest import EDITED, Manifest
from dslgen.plan import Plan, SimulateStage, Stage
from dslgen.plan.artifacts import DIALOGUES, FROM_SPEC, MANIFEST
from dslgen.plan.digest import combined, stage_parts
from dslgen.spec.models import StartState
from dslgen.stages import StageContext, StageResult, visitor

APPEND_ONLY = frozenset({DIALOGUES})  # grown across runs: never mixed from two digests


@dataclass
class RunResult:
    output_dir: Path
    stages: list[StageResult]

    def result(self, kind: str) -> StageResult | None:
        return next((r for r in self.stages if r.kind == kind), None)

    def _count(self, kind: str, key: str) -> int:
        result = self.result(kind)
        return result.counts.get(key, 0) if result else 0

    @property
    def new(self) -> int:
        return self._count("simulate", "new")

    @property
    def skipped(self) -> int:
        return self._count("simulate", "skipped")

    @property
    def kept(self) -> int:
        return self._count("export", "kept")

    @property
    def stats(self) -> dict:
        validate = self.result("validate")
        return validate.data.table_generated.to_json() if validate else {}

    def table(self) -> str:
        """The statistics as a text table in the shape of the paper's Table 1."""
        head = f"{'mode':<15}{'dialogues':>10}{'turns mean/max':>17}{'steps mean/max':>17}{'tasks mean/max':>17}"
        rows = [head]
        for mode, s in self.stats.items():
            cells = [f"{s[k]['mean']:.2f} / {s[k]['max']}" for k in ("turns", "steps", "tasks")]
            rows.append(f"{mode:<15}{s['dialogues']:>10}" + "".join(f"{c:>17}" for c in cells))
        return "\n".join(rows) if len(rows) > 1 else ""

    def summary(self) -> str:
        return "\n".join(line for r in self.stages for line in r.lines) + f"\noutputs in {self.output_dir}"


def run_plan(plan: Plan, *, stages: list[str] | None = None, from_dir: str | Path | None = None,
             limit: int | None = None, mode: str | None = None, start: StartState | None = None,
             progress: bool = True, options: RunOptions | None = None, resume: bool = False) -> RunResult:
    """Run the plan's stages (all, or those named in `stages`) into `plan.output_dir`.
    `from_dir`: a folder whose files (e.g. an edited tasks.jsonl) stand in for the stages
    that make them. `mode` and `start` override the simulate stage's own settings.
    `options`: how dialogues execute (concurrency, executor, shard, log format). `resume`:
    finish the run the folder holds, with the shard and limit it was started with."""
    plan = with_overrides(plan, mode, start)
    options = options or RunOptions()
    with OutputFolder(plan.output_dir) as folder:
        manifest = Manifest.load(folder.path)
        _check_owner(plan, manifest, folder)
        if resume:
            options, limit = _resumed(manifest, folder, options, limit)
        source = Path(from_dir).resolve() if from_dir else None
        schedule = Schedule(plan, manifest, folder, select(plan, stages, source), source)
        schedule.adopt()
        results = []
        for stage in plan.stages:
            if stage.kind in schedule.selected:
                ctx = _context(plan, stage, schedule, folder, manifest, limit, progress, options)
                results.append(_visit(stage, ctx, manifest))
    return RunResult(plan.output_dir, results)


def _context(plan: Plan, stage: Stage, schedule: "Schedule", folder: OutputFolder, manifest: Manifest,
             limit: int | None, progress: bool, options: RunOptions) -> StageContext:
    digest, parts = schedule.digests[stage.kind]
    earlier = manifest.stage(stage.kind)
    reuse = earlier is not None and earlier["digest"] == digest and earlier["status"] == "done"
    manifest.begin(plan.name, stage, digest, parts, APPEND_ONLY)
    return StageContext(plan, folder, digest, limit, progress, reuse, options, manifest)


def _visit(stage: Stage, ctx: StageContext, manifest: Manifest) -> StageResult:
    result = visitor(stage)(stage, ctx)
    manifest.finish(stage)
    return result


def _resumed(manifest: Manifest, folder: OutputFolder, options: RunOptions,
             limit: int | None) -> tuple[RunOptions, int | None]:
    """The shard and limit of the run being resumed (those given win)."""
    earlier = manifest.stage(SimulateStage.kind)
    if earlier is None:
        raise RunError(f"{folder.path} holds no run to resume",
                       hint="start one: dslgen run SPEC --out DIR (a plain rerun resumes too)")
    noted = earlier.get("progress", {})
    if options.shard.whole and noted.get("shard", "1/1") != "1/1":
        options = dataclasses.replace(options, shard=Shard.parse(noted["shard"]))
    return options, limit if limit is not None else noted.get("limit")


def with_overrides(plan: Plan, mode: str | None, start: StartState | None) -> Plan:
    stage = plan.stage(SimulateStage)
    if stage is None or (mode is None and start is None):
        return plan
    changed = dataclasses.replace(stage, mode=mode or stage.mode, start=start if start is not None else stage.start)
    return dataclasses.replace(plan, stages=tuple(changed if s is stage else s for s in plan.stages))


def select(plan: Plan, names: list[str] | None, source: Path | None) -> list[str]:
    """The stages to run: those named, else those whose outputs `source` does not hold."""
    kinds = [s.kind for s in plan.stages]
    if names:
        unknown = [n for n in names if n not in kinds]
        if unknown:
            raise RunError(f"the plan has no stage {', '.join(repr(n) for n in unknown)}",
                           hint=f"its stages: {', '.join(kinds)}")
        return [k for k in kinds if k in names]
    if source is None:
        return kinds
    return [s.kind for s in plan.stages if not all((source / f).exists() for f in s.outputs if f not in s.REPORTS)]


def _check_owner(plan: Plan, manifest: Manifest, folder: OutputFolder) -> None:
    """An output folder belongs to one spec; files with no manifest are nobody's to touch."""
    if manifest.spec is not None and manifest.spec != plan.name:
        raise RunError(f"{folder.path} holds the output of spec '{manifest.spec}', not '{plan.name}'",
                       hint="outputs of two specs are never mixed: write into another folder with --out")
    if not manifest.exists:
        known = {f for s in plan.stages for f in s.outputs}
        found = sorted(p.name for p in folder.path.iterdir() if p.name in known)
        if found:
            raise RunError(f"{folder.path} holds {', '.join(found)} but no {MANIFEST}: they were not made "
                           "by this version of dslgen", hint="write into another folder with --out")


class Schedule:
    """The digest of every selected stage, worked out before anything is written, and the
    files taken from `--from`."""

    def __init__(self, plan: Plan, manifest: Manifest, folder: OutputFolder, selected: list[str],
                 source: Path | None):
        self.plan, self.manifest, self.folder, self.selected = plan, manifest, folder, selected
        self.source = source
        self.files: dict[str, str] = {}  # file → the digest it stands for
        self.digests: dict[str, tuple[str, dict[str, str]]] = {}
        self.adopted: dict[str, tuple[str, str]] = {}  # file → (digest, sha256) taken from --from
        for stage in plan.stages:
            if stage.kind in selected:
                self._plan_stage(stage)
            else:
                self._read_outputs(stage)

    def _plan_stage(self, stage: Stage) -> None:
        for name in stage.inputs:
            if name not in self.files:
                raise RunError(f"stage '{stage.kind}' reads {name}, which is not in {self.folder.path}",
                               hint=f"run the stage that makes it too (--stages {self._maker(name)},{stage.kind}), "
                                    "or give the file with --from DIR")
        parts = stage_parts(self.plan, stage, {n: self.files[n] for n in stage.inputs})
        digest = combined(parts)
        for name in stage.outputs:
            self._may_write(stage, name, digest, parts)
            self.files[name] = digest
        self.digests[stage.kind] = (digest, parts)

    def _may_write(self, stage: Stage, name: str, digest: str, parts: dict[str, str]) -> None:
        path = self.folder / name
        if not path.exists():
            return
        record = self.manifest.file(name)
        if name in APPEND_ONLY:
            earlier = self.manifest.stage(stage.kind)
            if earlier is not None and earlier["digest"] != digest and path.stat().st_size > 0:
                raise RunError(_mixing_message(path, earlier.get("parts", {}), parts), hint=_MIXING_HINT)
            return
        interrupted = (self.manifest.stage(stage.kind) or {}).get("status") == "running"
        if not interrupted and (record is None or (record.get("sha256") and record["sha256"] != file_sha256(path))):
            raise RunError(f"{path} was changed since dslgen wrote it; stage '{stage.kind}' would overwrite it",
                           hint=f"to keep the edit, run from it: --from {self.folder.path}; to make it "
                                "again, delete it")

    def _read_outputs(self, stage: Stage) -> None:
        """Digests of the files of a stage that does not run (made earlier, or given)."""
        for name in stage.outputs:
            given = self._given(name)
            if given is not None:
                self._may_replace(name, given[1])
                self.adopted[name] = given
                self.files[name] = given[0]
            elif (self.folder / name).exists():
                self.files[name] = self._made_earlier(stage, name)

    def _given(self, name: str) -> tuple[str, str] | None:
        """(digest, sha256) of a file in the --from folder."""
        if self.source is None or not (self.source / name).exists():
            return None
        sha = file_sha256(self.source / name)
        record = Manifest.load(self.source).file(name) if (self.source / MANIFEST).exists() else None
        if record is not None and record.get("sha256") == sha:
            return record["digest"], sha  # the same file as its run made: its lineage holds
        return f"{EDITED}:{sha}", sha

    def _may_replace(self, name: str, sha: str) -> None:
        """A given file never replaces a different one already in the output folder."""
        if self.source != self.folder.path.resolve() and self.folder.sha256(name) not in (None, sha):
            raise RunError(f"{self.folder / name} is there already and differs from {self.source / name}",
                           hint="start from the given files in a new output folder (--out), or move the old file away")

    def _made_earlier(self, stage: Stage, name: str) -> str:
        record = self.manifest.file(name)
        sha = self.folder.sha256(name)
        if record is None or (record.get("sha256") and record["sha256"] != sha):
            return f"{EDITED}:{sha}"  # changed by a person since: what is made from it follows its content
        if name in FROM_SPEC and not record["digest"].startswith(EDITED) and self._consumed(name):
            current = combined(stage_parts(self.plan, stage, {n: self.files.get(n, "") for n in stage.inputs}))
            if current != record["digest"]:
                raise RunError(f"{self.folder / name} is out of date: the spec changed since stage "
                               f"'{stage.kind}' made it",
                               hint=f"run it again too (--stages {stage.kind},{','.join(self.selected)}), or "
                                    f"keep the file as it is with --from {self.folder.path}")
        return record["digest"]

    def _consumed(self, name: str) -> bool:
        return any(name in s.inputs for s in self.plan.stages if s.kind in self.selected)

    def _maker(self, name: str) -> str:
        return next(s.kind for s in self.plan.stages if name in s.outputs)

    def adopt(self) -> None:
        """Copy the given files in (atomically) and record where they came from."""
        in_place = self.source == self.folder.path.resolve()
        for name, (digest, sha) in self.adopted.items():
            record = self.manifest.file(name)
            if in_place and record is not None and record["digest"] == digest:
                continue  # unchanged since its stage wrote it
            if not in_place:
                _copy(self.source / name, self.folder / name)
            self.manifest.adopt(name, digest, sha, str(self.source))


def _copy(source: Path, target: Path) -> None:
    """Copy a file or a folder in under a temporary name, then rename it into place."""
    tmp = target.with_name(f".{target.name.rstrip('/')}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    if source.is_dir():
        shutil.copytree(source, tmp)
        shutil.rmtree(target, ignore_errors=True)
    else:
        shutil.copyfile(source, tmp)
    tmp.replace(target)


_MIXING_HINT = ("dialogues made from different inputs are never mixed in one folder: write into another "
                "folder (--out), or move the old dialogues away to start over, or validate them as they are "
                "against the edited spec with --stages validate,export (adding generate_tasks if the tasks "
                "changed)")


def _mixing_message(path: Path, before: dict[str, str], now: dict[str, str]) -> str:
    differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    return f"{path} was made from other inputs than this run's: {', '.join(differ) or 'settings'} differ"
