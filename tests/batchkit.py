"""A batch engine whose workers crash, hang or dawdle on chosen files (by name), for tests.

The misbehaviour happens where a real one would, inside the audit's deadline (reading the
file). It lives in an importable module, not in a test file: the spawned workers import it.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import time
from pathlib import Path

from auditor import ingest
from auditor.batch import tasks
from auditor.batch.engines import LocalEngine

_read_document = ingest.read_document


def _misbehaving_read(path, **kw):
    name = Path(path).name
    if "crash" in name:
        os._exit(3)
    if "hang" in name:  # stuck where SIGALRM cannot reach: only the engine can stop it
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(60)
    if "slow" in name:  # the worker's own deadline stops it
        time.sleep(60)
    return _read_document(path, **kw)


def flaky_audit(task):
    ingest.read_document = _misbehaving_read
    task = dataclasses.replace(task, cache_dir=None)  # read the file here, not the scan's copy
    if any(w in Path(task.path).name for w in ("crash", "hang")):
        tasks._READY = True  # never reaches the pipeline: skip building it
    return tasks.audit(task)


class FlakyEngine(LocalEngine):
    def run(self, fn, tasks_, fail, chain=None, count=None):
        return super().run(flaky_audit if fn is tasks.audit else fn, tasks_, fail, chain, count)


def die_once(task):
    """``task`` is (marker path, value): the first call for a marker kills its worker before any
    deadline starts (as an external kill between tasks would); later calls return the value."""
    marker, value = task
    if not os.path.exists(marker):
        Path(marker).write_text("x")
        os._exit(9)
    return value


def always_die(task):
    os._exit(9)


def whose(task):
    """Which worker process ran ``task``."""
    time.sleep(0.02)
    return task, os.getpid()
