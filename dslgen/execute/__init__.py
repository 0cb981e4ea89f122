"""Where and how many dialogues run at once: threads of this process (`local`) or Ray
actors (`ray`), C in flight, results handed to one writer as they finish.

An executor knows how to start a job, submit a dialogue index and hand back the next
finished `Outcome`; `outcomes` does the scheduling the same way for all of them: keep C
dialogues in flight, start them in index order, and after a server fault start no new
one (those in flight still finish and are handed back).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator, Protocol

from dslgen.errors import RunError
from dslgen.execute.shard import WHOLE, Shard
from dslgen.plan import SimulateStage
from dslgen.execute.work import LOCAL_BACKENDS, ORDERED_BACKENDS, Job, Outcome

EXECUTORS = ("local", "ray")
SERVER_CONCURRENCY = 16  # dialogues in flight when every role is a model server and nothing says


@dataclass(frozen=True)
class RunOptions:
    """How a run executes (never what it makes: none of this enters a digest or a record)."""

    concurrency: int | None = None  # None: the simulate stage's setting, else a default per backend
    executor: str = "local"
    shard: Shard = WHOLE
    log_format: str = "text"  # text | json
    quiet: bool = False


class Executor(Protocol):
    name: str
    concurrency: int

    def start(self, job: Job) -> None: ...

    def submit(self, index: int) -> None: ...

    def next_done(self) -> Outcome: ...

    def close(self, wait: bool) -> None: ...


def concurrency_for(job: Job, options: RunOptions) -> tuple[int, str | None]:
    """Dialogues in flight, and a note when the setting was overruled."""
    backends = job.backends()
    asked = options.concurrency or job.stage.concurrency
    if backends & ORDERED_BACKENDS:
        note = "scripted models answer in one sequence: one dialogue at a time" if (asked or 1) > 1 else None
        return 1, note
    if asked:
        return asked, None
    return (1 if backends & LOCAL_BACKENDS else SERVER_CONCURRENCY), None


def judge_concurrency(plan, options: RunOptions | None) -> int:
    """Dialogues the validate stage judges at once: as many as the simulate stage has in
    flight when the judge is a model server; one for a model in this process."""
    asked = (options.concurrency if options else None) or getattr(plan.stage(SimulateStage), "concurrency", None)
    if plan.models["judge"].backend != "openai":
        return 1
    return asked or SERVER_CONCURRENCY


def make_executor(job: Job, options: RunOptions) -> tuple[Executor, str | None]:
    if options.executor not in EXECUTORS:
        raise RunError(f"unknown executor {options.executor!r}", hint=f"one of: {', '.join(EXECUTORS)}")
    ordered = job.backends() & ORDERED_BACKENDS
    if ordered and (options.executor != "local" or not options.shard.whole):
        raise RunError("scripted models answer in one sequence for the whole run: their dialogues cannot be "
                       "split into shards or spread over Ray workers",
                       hint="run them with the local executor and no --shard")
    concurrency, note = concurrency_for(job, options)
    if options.executor == "ray":
        from dslgen.execute.ray_actors import RayExecutor

        return RayExecutor(concurrency), note
    from dslgen.execute.local import LocalExecutor

    return LocalExecutor(concurrency), note


def outcomes(executor: Executor, job: Job, indices: Iterable[int]) -> Iterator[Outcome]:
    """Every dialogue's outcome as it finishes (not in index order)."""
    pending = iter(indices)
    in_flight, stopping = 0, False
    with _running(executor, job):
        for index in _take(pending, executor.concurrency):
            executor.submit(index)
            in_flight += 1
        while in_flight:
            outcome = executor.next_done()
            in_flight -= 1
            stopping = stopping or outcome.fault is not None
            if not stopping:
                for index in _take(pending, 1):
                    executor.submit(index)
                    in_flight += 1
            yield outcome


def _take(pending: Iterator[int], n: int) -> list[int]:
    return [i for _, i in zip(range(n), pending)]


@contextmanager
def _running(executor: Executor, job: Job):
    executor.start(job)
    wait = True
    try:
        yield
    except (KeyboardInterrupt, GeneratorExit):
        wait = False  # end now: dialogues in flight are not written, and made again next time
        raise
    finally:
        executor.close(wait)
