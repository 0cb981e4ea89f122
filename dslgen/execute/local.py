"""Dialogues on threads of this process: C of them in flight against model servers.

Dialogue threads only make dialogues; the caller's thread is the one writer. Threads
are daemons: on Ctrl-C the run ends at once, and what a dialogue thread was in the middle
of is simply not written (it is made again by the next run). Requests of all threads go
over the backends' shared connection pool and per-server backoff; a model in this
process (embedded) is used under its lock, one call at a time.
"""
from __future__ import annotations

import queue
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

from dslgen.execute.work import DialogueMaker, Job, Outcome

T = TypeVar("T")
R = TypeVar("R")


class LocalExecutor:
    name = "local"

    def __init__(self, concurrency: int):
        self.concurrency = concurrency
        self._todo: queue.SimpleQueue = queue.SimpleQueue()
        self._done: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []

    def start(self, job: Job) -> None:
        maker = DialogueMaker(job)  # here, not in a thread: a model that cannot load fails the run now
        for n in range(self.concurrency):
            thread = threading.Thread(target=self._work, args=(maker,), name=f"dialogue-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _work(self, maker: DialogueMaker) -> None:
        while (index := self._todo.get()) is not None:
            try:
                self._done.put(maker.make(index))
            except BaseException as exc:  # noqa: BLE001 — handed to the writer's thread, raised there
                self._done.put(exc)

    def submit(self, index: int) -> None:
        self._todo.put(index)

    def next_done(self) -> Outcome:
        item = self._done.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self, wait: bool) -> None:
        """Let the threads end after their current dialogue; `wait` for them (not on Ctrl-C)."""
        for _ in self._threads:
            self._todo.put(None)
        if wait:
            for thread in self._threads:
                thread.join()
        self._threads = []


def ordered_map(fn: Callable[[T], R], items: Iterable[T], concurrency: int) -> Iterator[tuple[T, R]]:
    """(item, fn(item)) in the order of `items`, with up to `concurrency` calls running at
    once (e.g. dialogues waiting on a judge model's server); items are read as needed."""
    if concurrency <= 1:
        yield from ((item, fn(item)) for item in items)
        return
    window: deque = deque()
    with ThreadPoolExecutor(concurrency, thread_name_prefix="ordered") as pool:
        for item in items:
            window.append((item, pool.submit(fn, item)))
            if len(window) >= 2 * concurrency:
                item_, future = window.popleft()
                yield item_, future.result()
        while window:
            item_, future = window.popleft()
            yield item_, future.result()
