"""Where the tasks run: a local pool of worker processes, or a dask.distributed cluster.

Both engines take a task function (``tasks.scan`` or ``tasks.audit``), an iterable of tasks and a
``fail(task, Failure)`` that makes the result for a task that produced none, and yield results as
they complete. Neither lets one file end the batch:

- a task longer than its timeout is interrupted inside the worker (``tasks._deadline``); one
  that still runs ``HARD_GRACE`` seconds later (stuck in C code) has its worker killed. The
  clock starts when the worker says the task's deadline started (after building the pipeline);
- a local worker that dies fails the task it was running, and a new worker takes its place and
  its queued tasks. Dask re-runs a task whose worker died and gives up with ``KilledWorker``
  after its own retry limit.
"""
from __future__ import annotations

import os
import signal
import time
from collections import deque
from contextlib import contextmanager
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

from .. import errors
from .tasks import ANALYSES_KEPT, Failure, crash_failure, preload, set_start_hook, timeout_failure

HARD_GRACE = 10.0
_POLL = 0.2
_MAX_BREAKS = 3  # workers a task may see die before it starts, before it fails too (see _replace)
# tasks sent ahead to each worker: the next one is waiting in its pipe when a task ends, so the
# worker never idles for a round trip to the parent, and few enough that no worker sits on work
# another could do (a long PDF holds up one task behind it at most)
_DEPTH = 2
# tasks per worker read ahead of the stream, among which a worker is sent the one that follows
# one of its recent ones (``run``'s ``chain``): next year's report goes where this year's analysis is
_LOOKAHEAD = 4


class EngineError(Exception):
    """The engine cannot start (dask missing, scheduler unreachable, workers that die as they
    start): a usage error."""


# Workers that all die before their first task die of their environment, not of a file (a script
# calling run_batch without a main guard re-runs itself in every worker; a broken installation):
# every file would fail, each after three worker starts. Say so once instead.
_UNBORN = -2.0  # a worker's key slot until it listens for tasks
_STILLBORN = ("连续{n}个工作进程在处理任何文件之前退出，批量审核无法进行：若在自己的脚本中调用 run_batch，"
              "请把调用放在 if __name__ == \"__main__\": 之下；否则请检查 Python 环境（可先用 -j 1 或 auditor audit 单个文件排查）")


# --- worker side of the local pool -------------------------------------------------------------
# Each worker owns two doubles of an array shared with the parent: the key of the task it runs
# (-1 between tasks) and when that task's deadline started. The parent reads them to find a task
# past its deadline and, when a worker dies, whether it died running a task.
_slot: tuple | None = None  # (shared array, index of this worker's pair)
_current_key = -1


def _started() -> None:
    board, i = _slot
    board[i + 1] = time.time()  # the time before the key: a reader that sees the key sees its time
    board[i] = _current_key


def _worker_main(conn, board, index: int) -> None:
    """Run the tasks that arrive on ``conn`` in order, answering each with (key, result, error)."""
    global _slot, _current_key
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _slot = (board, 2 * index)
    set_start_hook(_started)
    preload()  # with spawn the pipeline is built by the first audit, outside its deadline
    board[2 * index] = -1  # alive and listening (_UNBORN until here)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        fn, key, task = message
        _current_key = key
        try:
            answer = (key, fn(task), None)
        except Exception as exc:  # noqa: BLE001 - the task functions catch their own; this is a bug
            answer = (key, None, f"{type(exc).__name__}: {exc}")
        finally:
            _current_key = -1
            board[2 * index] = -1
        try:
            conn.send(answer)
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - a result that cannot be pickled
            conn.send((key, None, f"{type(exc).__name__}: {exc}"))


# --- parent side -------------------------------------------------------------------------------
@dataclass
class _Slot:
    key: int
    task: object
    breaks: int = 0  # workers that died with it first in their queue


@dataclass
class _Worker:
    index: int
    proc: object
    conn: object
    queue: deque = field(default_factory=deque)  # its tasks in the order sent: the first runs
    gone: bool = False  # its pipe reached end of file
    recent: deque = field(default_factory=lambda: deque(maxlen=ANALYSES_KEPT))  # what was sent to it last (``chain``)


@contextmanager
def _children_import_this_package() -> Iterator[None]:
    """Workers start as ``python -c …``, with the current directory first on their path. Run from
    the folder that holds a checkout named ``auditor`` (an editable install), they imported that
    folder as a namespace package and failed every file with E900. While a worker (or the
    forkserver) starts, the directory this package lives in goes on its path (a regular package
    beats a namespace one wherever it is), and from Python 3.11 the current directory is left off
    (PYTHONSAFEPATH). Our own environment is restored after."""
    import site

    import auditor

    home = str(Path(auditor.__file__).resolve().parent.parent)
    installed = {str(Path(d).resolve()) for d in [*site.getsitepackages(), site.getusersitepackages()]}
    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "PYTHONSAFEPATH")}
    paths = [p for p in (saved["PYTHONPATH"] or "").split(os.pathsep) if p]
    if home not in installed and home not in paths:  # a site-packages early on the path could shadow the stdlib
        os.environ["PYTHONPATH"] = os.pathsep.join([home, *paths])
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class LocalEngine:
    """Worker processes of our own, one pipe each, driven from the parent's one thread: no
    executor threads to wake per task. With a forkserver (spawn where there is none) the server
    builds the pipeline once (``warm.py``) and each worker starts from it; the tasks cross
    processes by pickling only, as with spawn."""

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
        self._board = None
        self._workers: list[_Worker] = []
        self._stillborn = 0  # workers in a row that died before they could listen for a task

    def __enter__(self) -> "LocalEngine":
        self._board = self._mp.RawArray("d", [-1.0, 0.0] * self.jobs)
        self._workers = [self._spawn(i) for i in range(self.jobs)]
        return self

    def __exit__(self, *exc) -> None:
        for w in self._workers:
            if exc[0] is None:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        for w in self._workers:
            if exc[0] is not None:
                w.proc.kill()
            w.proc.join(timeout=5)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join()
            w.conn.close()
        self._workers = []

    def _spawn(self, index: int) -> _Worker:
        self._board[2 * index] = _UNBORN
        mine, theirs = self._mp.Pipe()
        proc = self._mp.Process(target=_worker_main, args=(theirs, self._board, index), daemon=True)
        with _children_import_this_package():
            proc.start()
        theirs.close()
        return _Worker(index, proc, mine)

    def _running(self, w: _Worker) -> float | None:
        """When the first task queued on ``w`` started, or None if it has not."""
        key, t = self._board[2 * w.index], self._board[2 * w.index + 1]
        return t if w.queue and key == w.queue[0].key else None

    def _fill(self, fn, fresh: Iterator, retry: deque, ahead: deque, chain: Callable | None) -> None:
        ahead.extendleft(reversed(retry))  # tasks to run again go first
        retry.clear()
        for w in self._workers:
            while len(w.queue) < _DEPTH:
                while len(ahead) < _LOOKAHEAD * self.jobs and (task := next(fresh, None)) is not None:
                    ahead.append(_Slot(next(self._keys), task))
                if not ahead:
                    return
                slot = self._next_for(w, ahead, chain)
                if slot is None:
                    break  # what waits here follows other workers' tasks: they take it next
                w.queue.append(slot)
                try:
                    w.conn.send((fn, slot.key, slot.task))
                except OSError:  # it died and run() has not seen it yet: _replace resends its tasks
                    w.gone = True
                    break

    def _next_for(self, w: _Worker, ahead: deque, chain: Callable | None) -> _Slot | None:
        """The first task that follows one of ``w``'s recent tasks (the analyses a worker keeps,
        ``ANALYSES_KEPT``: one report may be followed by two next year); else the first that follows
        neither another worker's recent ones (theirs to take) nor a task still waiting here; else
        None when a task waiting here follows another worker's: that worker takes it next (``_fill``
        asks every worker), and ``w`` waits rather than audit next year's report without the
        analysis of last year's, which the other worker has or is making (at the end of a batch,
        where the stream holds nothing else). Only tasks that follow no worker at all (a cycle) go
        to ``w``."""
        if chain is None:
            return ahead.popleft()
        links = [chain(slot.task) for slot in ahead]
        pick = next((i for i, (_, after) in enumerate(links) if after is not None and after in w.recent), None)
        if pick is None:
            others = {own for o in self._workers if o is not w for own in o.recent}
            held = others | {own for own, _ in links}
            pick = next((i for i, (_, after) in enumerate(links) if after is None or after not in held), None)
            if pick is None and any(after in others for _, after in links):
                return None
        pick = pick or 0
        slot = ahead[pick]
        del ahead[pick]
        own, after = chain(slot.task)
        w.recent.append(own)
        if after is not None and after in w.recent:  # used again: the worker keeps it longest (Analyses.recall)
            w.recent.remove(after)
            w.recent.append(after)
        return slot

    def run(self, fn: Callable, tasks: Iterable, fail: Callable, chain: Callable | None = None,
            count: int | None = None) -> Iterator:
        """``chain(task)`` is (what the task is, what it follows or None): a task is sent, when it
        can be, to the worker whose last task it follows (batch: a report after last year's).
        ``count``, how many tasks there are, is for engines that group them (dask)."""
        from multiprocessing.connection import wait

        for w in [w for w in self._workers if w.queue]:  # left with tasks by a run abandoned midway
            self._renew(w, kill=True)
        fresh, retry, ahead = iter(tasks), deque(), deque()
        while True:
            self._fill(fn, fresh, retry, ahead, chain)
            busy = [w for w in self._workers if w.queue]
            if not busy:
                return
            ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=_POLL))
            for w in busy:
                if w.conn in ready:
                    yield from self._answers(w, fail)
                if w.proc.sentinel in ready or w.gone:
                    yield from self._answers(w, fail)  # what it sent before it died
                    yield from self._replace(w, retry, fail, crash_failure(), kill=False)
            now = time.time()
            for w in self._workers:
                started = self._running(w)
                if started is not None and now - started > self.timeout + self.grace:
                    yield from self._replace(w, retry, fail, timeout_failure(self.timeout), kill=True)

    def _answers(self, w: _Worker, fail: Callable) -> Iterator:
        """The results waiting on ``w``'s pipe, each for the first task of its queue."""
        try:
            while w.queue and w.conn.poll():
                key, result, error = w.conn.recv()
                slot = w.queue.popleft()
                assert slot.key == key, "a worker answers its tasks in order"
                yield result if error is None else fail(slot.task, Failure.of(errors.E900, error=error))
        except (EOFError, OSError):
            w.gone = True  # the worker died: _replace sees to its tasks

    def _renew(self, w: _Worker, kill: bool) -> None:
        """A fresh worker in ``w``'s place; ``w`` is killed first, or else waited for (it is dying:
        its pipe or process ended), and killed should it live on unreachable."""
        if kill:
            w.proc.kill()
        w.proc.join(timeout=None if kill else 5)
        if w.proc.is_alive():
            w.proc.kill()
            w.proc.join()
        w.conn.close()
        self._workers[w.index] = self._spawn(w.index)

    def _replace(self, w: _Worker, retry: deque, fail: Callable, failure: Failure, kill: bool) -> Iterator:
        """``w`` is dead or to be killed: the task it was running fails with ``failure``; the tasks
        still in its pipe go to the next free worker. Its first task, received but not started (the
        worker died before the deadline began, or between tasks), goes too, and fails with the
        _MAX_BREAKS-th worker it sees die that way: a worker that cannot start fails its tasks,
        never loops."""
        head_ran = self._running(w) is not None
        self._stillborn = self._stillborn + 1 if self._board[2 * w.index] == _UNBORN else 0
        if self._stillborn >= max(_MAX_BREAKS, 2 * self.jobs):
            raise EngineError(_STILLBORN.format(n=self._stillborn))
        queued = list(w.queue)
        w.queue.clear()
        self._renew(w, kill)
        if queued:
            head = queued[0]
            head.breaks += 1
            if head_ran or head.breaks >= _MAX_BREAKS:
                yield fail(head.task, failure if head_ran else crash_failure())
            else:
                retry.append(head)
        retry.extend(queued[1:])


def run_chunk(fn: Callable, tasks: list) -> list:
    """A dask task of many files, run one after another on one worker thread: one future and one
    round trip to the scheduler for all of them (a future a file cost the submitter ~8 ms a file)."""
    return [fn(task) for task in tasks]


class DaskEngine:
    """The same tasks on dask.distributed: ``scheduler`` address, or a local cluster of ``jobs``.

    Tasks go in chunks of up to ``chunk`` files (``run_chunk``, ``chunk_for``), two chunks in flight per worker thread
    (the next one is at the worker when a chunk ends: no idle round trip to the submitter), so a
    chunk may wait for one chunk before it runs: it may take ``timeout`` a file of both. The workers
    read the files themselves (shared storage) and, on a local cluster, write the reports. A chunk
    that fails (its worker died) or overruns is tried again file by file, so that only the file to
    blame fails. Consecutive tasks stay in one chunk: next year's report usually runs where this
    year's did. A local cluster's worker processes are forked from a forkserver that built the
    pipeline once (``warm.py``), as the local engine's are: they start ready to audit.
    """

    def __init__(self, scheduler: str | None, jobs: int, timeout: float, grace: float = HARD_GRACE,
                 chunk: int | None = None, shared_storage: bool = False) -> None:
        self.scheduler, self.jobs, self.timeout, self.grace = scheduler, jobs, timeout, grace
        self.chunk = chunk or DASK_CHUNK
        self._client = self._cluster = None
        self.capacity = jobs
        # workers that see the output folder write the reports; a remote cluster's send them back
        self.writes_here = scheduler is None or shared_storage

    def __enter__(self) -> "DaskEngine":
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EngineError("未安装 dask.distributed，无法使用 --engine dask（pip install 'auditor[dask]'）") from None
        try:
            if self.scheduler:
                self._client = Client(self.scheduler, timeout=30)
            else:
                self._cluster = _warm_local_cluster(LocalCluster, self.jobs)
                self._client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"无法连接 dask 调度器 {self.scheduler}：{exc}") from None
        self.capacity = _IN_FLIGHT * max(1, sum(self._client.nthreads().values()))
        return self

    def __exit__(self, *exc) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def run(self, fn: Callable, tasks: Iterable, fail: Callable, chain: Callable | None = None,
            count: int | None = None) -> Iterator:
        from itertools import islice

        from distributed import wait as dask_wait

        fresh = iter(tasks)
        size = chunk_for(count, max(1, self.capacity // _IN_FLIGHT), self.chunk)
        alone: deque = deque()  # tasks of a chunk that failed, tried again one by one
        inflight: dict = {}  # future -> (its tasks, submitted); one chunk a thread, so ≈ started
        while True:
            while len(inflight) < self.capacity:
                chunk = [alone.popleft()] if alone else list(islice(fresh, size))
                if not chunk:
                    break
                inflight[self._client.submit(run_chunk, fn, chunk, pure=False)] = (chunk, time.monotonic())
            if not inflight:
                return
            try:
                done = dask_wait(list(inflight), timeout=_POLL, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                done = set()
            for fut in done:
                chunk, _ = inflight.pop(fut)
                if fut.status == "finished":
                    yield from fut.result()
                elif len(chunk) > 1:
                    alone.extend(chunk)
                else:
                    exc = fut.exception() if fut.status == "error" else None
                    killed = exc is not None and type(exc).__name__ == "KilledWorker"
                    yield fail(chunk[0], crash_failure() if killed or exc is None else
                               Failure.of(errors.E900, error=f"{type(exc).__name__}: {exc}"))
            now = time.monotonic()
            allowed = self.timeout * size * (_IN_FLIGHT - 1)  # the chunk ahead of it, at most
            for fut in [f for f, (c, t) in inflight.items() if now - t > self.timeout * len(c) + allowed + self.grace]:
                fut.cancel()  # a thread cannot be stopped; its result is abandoned
                chunk, _ = inflight.pop(fut)
                if len(chunk) > 1:
                    alone.extend(chunk)
                else:
                    yield fail(chunk[0], timeout_failure(self.timeout))


_IN_FLIGHT = 2  # chunks a dask worker thread holds: the one it runs and the next
DASK_CHUNK = 64  # files a dask task at most (eval/bench_dask.py --chunks measures others)
_CHUNKS_PER_THREAD = 4  # a batch is cut into at least this many tasks a worker thread


def chunk_for(count: int | None, threads: int, most: int) -> int:
    """Files a dask task: ``most`` (one round trip to the scheduler for all of them: at 16 files a
    task the submitting process spent about 0.6 ms of CPU a file on dask, at 64 about 0.1), fewer
    when the batch is small for the cluster, so that every thread still gets several tasks and none
    waits at the end for one long task of another's."""
    if not count:
        return most
    return max(1, min(most, -(-count // (_CHUNKS_PER_THREAD * threads))))


def _warm_local_cluster(local_cluster, jobs: int):
    """A LocalCluster of ``jobs`` one-thread worker processes forked from the forkserver that built
    the pipeline (where there is a forkserver), instead of spawned ones that import everything and
    build it each (seconds of start-up that a batch of a few thousand files notices)."""
    import multiprocessing

    import dask

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return local_cluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(["auditor.batch.warm"])
    with _children_import_this_package():
        forkserver.ensure_running()  # started now, with our preload; dask's own preload list comes too late
    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        return local_cluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)


def open_engine(engine: str, *, jobs: int, timeout: float, scheduler: str | None, grace: float = HARD_GRACE,
                shared_storage: bool = False):
    if engine == "local":
        return LocalEngine(jobs, timeout, grace)
    if engine == "dask":
        return DaskEngine(scheduler, jobs, timeout, grace, shared_storage=shared_storage)
    raise EngineError(f"未知的执行引擎：{engine}（可选 local 或 dask）")

