"""Where the tasks run: a local pool of worker processes, or a dask.distributed cluster.

Both engines take a task function (``tasks.scan`` or ``tasks.audit``), an iterable of tasks and a
``fail(task, Failure)`` that makes the result for a task that produced none, and yield results as
they complete. Neither lets one file end the batch:

- a task longer than its timeout is interrupted inside the worker (``tasks._deadline``); one
  that still runs ``HARD_GRACE`` seconds later (stuck in C code) has its workers killed. The
  clock starts when the worker says the task's deadline started (after building the pipeline);
- a worker that dies takes the local pool down with it: the tasks that were running are
  re-run one at a time, and the one that kills its worker again is the culprit. Dask re-runs a
  task whose worker died and gives up with ``KilledWorker`` after its own retry limit.
"""
from __future__ import annotations

import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import count

from .tasks import E_INTERNAL, Failure, crash_failure, preload, set_start_hook, timeout_failure

HARD_GRACE = 10.0
_POLL = 0.2
_MAX_BREAKS = 3
# tasks queued per worker: a scan takes a few ms, and a worker waiting for the parent to hand it
# the next one idles meanwhile. Deadlines start when a task does, not when it is queued; after a
# crash the queued tasks that had not started are resubmitted as they were, and only those that
# had started are suspects.
_DEPTH = 8


class EngineError(Exception):
    """The engine cannot start (dask missing, scheduler unreachable): a usage error."""


# --- worker side of the local pool -------------------------------------------------------------
_current_key = -1


def _init_worker(starts) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    set_start_hook(lambda: starts.put((_current_key, time.time())))  # when the task's deadline starts
    preload()  # with spawn the pipeline is built by the first audit, outside its deadline


def _call(fn, key: int, task):
    global _current_key
    _current_key = key
    return fn(task)


# --- parent side -------------------------------------------------------------------------------
@dataclass
class _Slot:
    key: int
    task: object
    alone: bool = False
    breaks: int = 0  # pools that broke while it was in flight


class LocalEngine:
    """A ``ProcessPoolExecutor`` of forkserver workers (spawn where there is no forkserver): the
    server builds the pipeline once (``warm.py``) and each worker starts from it; the tasks
    cross processes by pickling only, as with spawn."""

    writes_here = True  # workers see this machine's files: they write their reports themselves

    def __init__(self, jobs: int, timeout: float, grace: float = HARD_GRACE) -> None:
        import multiprocessing

        self.jobs, self.timeout, self.grace = jobs, timeout, grace
        if "forkserver" in multiprocessing.get_all_start_methods():
            self._mp = multiprocessing.get_context("forkserver")
            self._mp.set_forkserver_preload(["auditor.batch.warm"])
        else:
            self._mp = multiprocessing.get_context("spawn")
        self._keys = count()
        self._pool: ProcessPoolExecutor | None = None
        self._starts_q = None
        self._starts: dict[int, float] = {}

    def __enter__(self) -> "LocalEngine":
        self._open()
        return self

    def __exit__(self, *exc) -> None:
        self._close(kill=exc[0] is not None)

    def _open(self) -> None:
        self._starts_q = self._mp.SimpleQueue()  # no feeder thread: the message is out before the task runs
        self._starts = {}
        self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=self._mp, initializer=_init_worker,
                                         initargs=(self._starts_q,))

    def _close(self, kill: bool) -> None:
        if self._pool is None:
            return
        if kill:
            for proc in list((getattr(self._pool, "_processes", None) or {}).values()):
                proc.kill()
        self._pool.shutdown(wait=not kill, cancel_futures=True)
        self._starts_q.close()
        self._pool = None

    def _restart(self) -> None:
        self._close(kill=True)
        self._open()

    def _read_starts(self) -> None:
        try:
            while not self._starts_q.empty():
                key, t = self._starts_q.get()
                self._starts[key] = t
        except (OSError, EOFError, ValueError):
            pass

    def _overdue(self, slot: _Slot, now: float) -> bool:
        t = self._starts.get(slot.key)
        return t is not None and now - t > self.timeout + self.grace

    def _fill(self, fn, fresh: Iterator, retry: deque, solo: deque, inflight: dict) -> None:
        if any(s.alone for s in inflight.values()):
            return
        while len(inflight) < _DEPTH * self.jobs:
            if solo:
                if not inflight:
                    slot = solo.popleft()
                    slot.alone = True
                    inflight[self._pool.submit(_call, fn, slot.key, slot.task)] = slot
                return
            if retry:
                slot = retry.popleft()
            else:
                task = next(fresh, None)
                if task is None:
                    return
                slot = _Slot(next(self._keys), task)
            inflight[self._pool.submit(_call, fn, slot.key, slot.task)] = slot

    def run(self, fn: Callable, tasks: Iterable, fail: Callable) -> Iterator:
        fresh, retry, solo = iter(tasks), deque(), deque()
        inflight: dict[Future, _Slot] = {}
        while True:
            self._fill(fn, fresh, retry, solo, inflight)
            if not inflight:
                return
            done, _ = wait(list(inflight), timeout=_POLL, return_when=FIRST_COMPLETED)
            self._read_starts()
            broken = False
            for fut in done:
                exc = fut.exception()
                if isinstance(exc, BrokenProcessPool):
                    broken = True
                    continue
                slot = inflight.pop(fut)
                self._starts.pop(slot.key, None)
                if exc is None:
                    yield fut.result()
                else:  # the call itself failed (a task that cannot be sent, say)
                    yield fail(slot.task, Failure(E_INTERNAL, f"内部错误：{type(exc).__name__}: {exc}"))
            if broken:
                yield from self._after_crash(inflight, retry, solo, fail)
                continue
            now = time.time()
            overdue = [f for f, s in inflight.items() if self._overdue(s, now)]
            if overdue:
                for fut in overdue:
                    yield fail(inflight.pop(fut).task, timeout_failure(self.timeout))
                retry.extend(inflight.values())
                inflight.clear()
                self._restart()

    def _after_crash(self, inflight: dict, retry: deque, solo: deque, fail: Callable) -> Iterator:
        """A worker died: keep what finished; the one task that was running is the culprit, else
        re-run the running ones alone to find it. A task in three broken pools fails all the same."""
        self._read_starts()
        unfinished = []
        for fut, slot in inflight.items():
            if fut.done() and fut.exception() is None:
                yield fut.result()
            else:
                slot.breaks += 1
                unfinished.append(slot)
        running = [s for s in unfinished if s.key in self._starts]
        for slot in unfinished:
            if slot.alone or running == [slot] or slot.breaks >= _MAX_BREAKS:
                yield fail(slot.task, crash_failure())
            elif slot in running or slot.breaks > 1:
                solo.append(slot)
            else:
                retry.append(slot)
        inflight.clear()
        self._restart()


class DaskEngine:
    """The same tasks on dask.distributed: ``scheduler`` address, or a local cluster of ``jobs``."""

    def __init__(self, scheduler: str | None, jobs: int, timeout: float, grace: float = HARD_GRACE) -> None:
        self.scheduler, self.jobs, self.timeout, self.grace = scheduler, jobs, timeout, grace
        self._client = self._cluster = None
        self.capacity = jobs
        self.writes_here = scheduler is None  # a remote cluster's workers send their reports back

    def __enter__(self) -> "DaskEngine":
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EngineError("未安装 dask.distributed，无法使用 --engine dask（pip install 'auditor[dask]'）") from None
        try:
            if self.scheduler:
                self._client = Client(self.scheduler, timeout=30)
            else:
                self._cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                             dashboard_address=None)
                self._client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"无法连接 dask 调度器 {self.scheduler}：{exc}") from None
        self.capacity = max(1, sum(self._client.nthreads().values()))
        return self

    def __exit__(self, *exc) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def run(self, fn: Callable, tasks: Iterable, fail: Callable) -> Iterator:
        from distributed import wait as dask_wait

        fresh = iter(tasks)
        inflight: dict = {}  # future -> (task, submitted); at most one task per thread, so ≈ started
        while True:
            while len(inflight) < self.capacity and (task := next(fresh, None)) is not None:
                inflight[self._client.submit(fn, task, pure=False)] = (task, time.monotonic())
            if not inflight:
                return
            try:
                done = dask_wait(list(inflight), timeout=_POLL, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                done = set()
            for fut in done:
                task, _ = inflight.pop(fut)
                if fut.status == "finished":
                    yield fut.result()
                else:
                    exc = fut.exception() if fut.status == "error" else None
                    killed = exc is not None and type(exc).__name__ == "KilledWorker"
                    yield fail(task, crash_failure() if killed or exc is None else
                               Failure(E_INTERNAL, f"内部错误：{type(exc).__name__}: {exc}"))
            now = time.monotonic()
            for fut in [f for f, (_, t) in inflight.items() if now - t > self.timeout + self.grace]:
                fut.cancel()  # a thread cannot be stopped; its result is abandoned
                yield fail(inflight.pop(fut)[0], timeout_failure(self.timeout))


def open_engine(engine: str, *, jobs: int, timeout: float, scheduler: str | None, grace: float = HARD_GRACE):
    if engine == "local":
        return LocalEngine(jobs, timeout, grace)
    if engine == "dask":
        return DaskEngine(scheduler, jobs, timeout, grace)
    raise EngineError(f"未知的执行引擎：{engine}（可选 local 或 dask）")

