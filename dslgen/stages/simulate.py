"""simulate: dialogues for the tasks of tasks.jsonl, each on its own database copy, C at a
time (threads, or Ray actors), appended to dialogues.jsonl by one writer the moment each
is finished, and put in index order when the stage ends.

Resumable, also after `kill -9`: a dialogue's id derives from the stage digest and its
index, and its record from nothing else, so a rerun skips the ids already written, makes
again those that ended on a server fault, cuts a torn last line, and ends with the same
file an uninterrupted run writes. The manifest's entry for the stage shows the progress.
"""
from __future__ import annotations

import time

from dslgen.errors import RunError
from dslgen.execute import RunOptions, make_executor, outcomes
from dslgen.execute.progress import Progress, Tally
from dslgen.execute.work import Job, Outcome
from dslgen.output.jsonl import Appender, drop_torn_tail, iter_jsonl, sort_jsonl, write_jsonl
from dslgen.plan import SimulateStage
from dslgen.plan.artifacts import DIALOGUES, TASKS
from dslgen.sim.dialogue import RECORD_KEYS, Termination
from dslgen.stages import StageContext, StageResult
from dslgen.stages.generate_tasks import read_tasks
from dslgen.stages.return_schemas import with_predicted_schemas

PROGRESS_EVERY_S = 2.0  # the manifest's progress is rewritten at most this often


def run(stage: SimulateStage, ctx: StageContext) -> StageResult:
    options = ctx.options or RunOptions()
    plan = with_predicted_schemas(ctx.plan, ctx.folder)  # outputs of simulated tools that declare none
    job = Job(plan, stage, tuple(read_tasks(plan, ctx.folder / TASKS)), ctx.digest)
    log = ctx.folder / DIALOGUES
    done, redo = _finished_ids(log)
    count = min(stage.dialogues, ctx.limit) if ctx.limit else stage.dialogues
    mine = options.shard.indices(count)
    todo = [i for i in mine if job.dialogue_id(i) not in done]
    executor, note = make_executor(job, options)
    tally = _write(job, executor, todo, ctx, options, len(mine) - len(todo), count)
    sort_jsonl(log, key=lambda record: record["provenance"]["index"])
    return StageResult(stage.kind, _lines(tally, len(mine), redo, options, executor, note),
                       {"new": len(todo), "skipped": len(mine) - len(todo), "tally": tally.to_json()})


def _write(job: Job, executor, todo: list[int], ctx: StageContext, options: RunOptions, skipped: int,
           count: int) -> Tally:
    """One writer: each finished dialogue is appended (fsync'd) as it comes."""
    fault: Outcome | None = None
    manifest = _ProgressNote(ctx, options, skipped, len(todo), count)
    with Appender(ctx.folder / DIALOGUES) as out, \
            Progress(Tally(len(todo)), enabled=ctx.progress and not options.quiet,
                     log_format=options.log_format) as shown:
        for outcome in outcomes(executor, job, todo):
            if outcome.record is not None:
                out.append(outcome.record)
            shown.add(outcome)
            manifest.update(shown.tally)
            if outcome.fault is not None and (fault is None or outcome.index < fault.index):
                fault = outcome
    manifest.update(shown.tally, force=True)
    if fault is not None:
        raise RunError(f"stopped at dialogue {fault.index}: {fault.fault}",
                       hint=fault.hint or "dialogues already written are kept; rerun to resume")
    return shown.tally


class _ProgressNote:
    """The stage's progress in the manifest: done, total, shard, requests; not too often."""

    def __init__(self, ctx: StageContext, options: RunOptions, skipped: int, todo: int, count: int):
        self.ctx, self.skipped, self.last = ctx, skipped, 0.0
        # total: this shard's dialogues; dialogues: the whole run's (what `merge` checks)
        self.base = {"shard": str(options.shard), "limit": ctx.limit, "dialogues": count,
                     "total": skipped + todo, "executor": options.executor}

    def update(self, tally: Tally, force: bool = False) -> None:
        now = time.monotonic()
        if self.ctx.manifest is None or not (force or now - self.last >= PROGRESS_EVERY_S):
            return
        self.last = now
        self.ctx.manifest.progress("simulate", {**self.base, "done": self.skipped + tally.done,
                                                "requests": tally.usage.requests})


def _finished_ids(log) -> tuple[set[str], int]:
    """Ids already in the log; dialogues that ended on a server fault are taken out of it
    (atomically), so they are made again instead of kept cut short."""
    drop_torn_tail(log)
    done, faulted = set(), 0
    for record in iter_jsonl(log, RECORD_KEYS):
        if record["termination"]["reason"] == Termination.BACKEND_ERROR.value:
            faulted += 1
        else:
            done.add(record["id"])
    if faulted:
        write_jsonl(log, (r for r in iter_jsonl(log)
                          if r["termination"]["reason"] != Termination.BACKEND_ERROR.value))
    return done, faulted


def _lines(tally: Tally, mine: int, redo: int, options: RunOptions, executor, note: str | None) -> list[str]:
    shard = f" (shard {options.shard})" if not options.shard.whole else ""
    line = f"simulate{shard}: {tally.done} new dialogue(s), {mine - tally.done} already there"
    line += f" ({redo} made again after a server fault)" if redo else ""
    line += f"; {executor.concurrency} in flight ({executor.name})" if tally.done else ""
    requests, tokens = tally.rates()
    if tally.usage.requests:
        line += f"; {tally.usage.requests} model requests, {requests:.1f}/s, {tokens:.0f} tokens/s"
    return [line] + ([f"simulate: note: {note}"] if note else [])
