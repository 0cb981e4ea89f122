"""Dialogues on Ray actors (`--executor ray`; `pip install dslgen[ray]`).

One actor per CPU of the Ray cluster, each holding a `DialogueMaker` (roles, seeded
database, backends with their connection pools) and running its share of the C dialogues
in flight on threads (`max_concurrency`). The job is put in the object store once; each
dialogue is one actor call returning its `Outcome`, and this process writes it. Ray is
joined where `RAY_ADDRESS` (or `ray start`) points, else started on this machine.
"""
from __future__ import annotations

import math
import os

from dslgen.errors import RunError
from dslgen.execute.work import DialogueMaker, Job, Outcome

LOCAL_OBJECT_STORE = 128 << 20  # a local instance: records are small, the plan is under 1 MB


class _DialogueActor:
    def __init__(self, job: Job):
        self.maker = DialogueMaker(job)

    def make(self, index: int) -> Outcome:
        return self.maker.make(index)


class RayExecutor:
    name = "ray"

    def __init__(self, concurrency: int):
        self.concurrency = concurrency
        self._ray = _import_ray()
        self._actors: list = []
        self._calls: dict = {}  # ObjectRef → the actor it went to
        self._load: dict[int, int] = {}  # actor number → calls in flight
        self._own_instance = False  # started here: shut down when done

    def start(self, job: Job) -> None:
        ray = self._ray
        if not ray.is_initialized():
            _init(ray)
            self._own_instance = True
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        n = min(cpus, self.concurrency)
        per_actor = math.ceil(self.concurrency / n)
        actor = ray.remote(num_cpus=1, max_concurrency=per_actor)(_DialogueActor)
        job_ref = ray.put(job)
        self._actors = [actor.remote(job_ref) for _ in range(n)]
        self._load = dict.fromkeys(range(n), 0)

    def submit(self, index: int) -> None:
        number = min(self._load, key=self._load.get)  # the least busy actor
        self._load[number] += 1
        self._calls[self._actors[number].make.remote(index)] = number

    def next_done(self) -> Outcome:
        ray = self._ray
        [ready], _ = ray.wait(list(self._calls), num_returns=1)
        self._load[self._calls.pop(ready)] -= 1
        try:
            return ray.get(ready)
        except ray.exceptions.RayError as exc:
            raise RunError(f"a Ray worker failed: {_first_line(exc)}",
                           hint="dialogues already written are kept; rerun to resume") from None

    def close(self, wait: bool) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors, self._calls = [], {}
        if self._own_instance:
            self._ray.shutdown()


def _import_ray():
    try:
        import ray
    except ImportError:
        raise RunError("--executor ray needs Ray, which is not installed",
                       hint="pip install 'dslgen[ray]'") from None
    return ray


def _init(ray) -> None:
    """Join the cluster RAY_ADDRESS names, or start a small local instance."""
    if os.environ.get("RAY_ADDRESS"):
        ray.init(log_to_driver=False)
    else:
        ray.init(object_store_memory=LOCAL_OBJECT_STORE, include_dashboard=False, log_to_driver=False)


def _first_line(exc: Exception) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[-1].strip() if lines else type(exc).__name__
