"""A deadline for one audit, checked by the stages between pieces of work.

Python cannot stop a thread. The HTTP service runs audits on worker threads and answers 504 at
its timeout; without a deadline the abandoned audit kept its slot until it finished, and two slow
requests starved every other client. ``within(seconds)`` scopes a deadline to the calling thread;
the stages call ``check()`` at every sentence, rule, page or block, which raises
``DeadlineExceeded`` once it has passed, and the slot is free a few milliseconds later.
Outside ``within`` (the CLI, a batch worker, a library user) ``check()`` costs one attribute read.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import E504, DeadlineExceeded  # noqa: F401 - DeadlineExceeded re-exported: the stages catch it here

_local = threading.local()


@contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """Audits run by this thread inside the block stop at ``seconds`` from now (None: no limit)."""
    outer = getattr(_local, "at", None)
    at = None if seconds is None else time.monotonic() + seconds
    _local.at = at if outer is None or (at is not None and at < outer) else outer
    try:
        yield
    finally:
        _local.at = outer


def check() -> None:
    at = getattr(_local, "at", None)
    if at is not None and time.monotonic() > at:
        raise E504("deadline")
