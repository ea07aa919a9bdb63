"""HTTP service limits: configuration, the body-size middleware, the bounded audit runner.

An audit runs in a worker thread under a deadline of the request's timeout (``deadline.py``):
the stages check it between sentences, rules, pages and blocks, so an audit that times out
stops within moments of its 504 and frees its slot for the next client. Work that does not
check (a single call into a native library) keeps its slot until it returns: the slot bounds it.
"""
from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from fastapi.responses import JSONResponse

from .. import deadline, errors
from ..errors import ApiError


@dataclass(frozen=True)
class ServerConfig:
    max_body_bytes: int = 20 * 1024 * 1024
    timeout_s: float = 60.0
    max_concurrency: int = 2
    queue_wait_s: float = 2.0  # how long a request may wait for a free slot before 503
    warm_up: bool = True
    cors_origins: str = ""  # origins a browser may call from, comma-separated ("*" for any); none by default

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type not in ("bool", "str") and not value > 0:
                raise errors.E206("not_positive", name=f.name, value=value)

    def origins(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @classmethod
    def from_env(cls, env=os.environ, **overrides) -> "ServerConfig":
        """Defaults, then ``AUDITOR_MAX_BODY_BYTES`` etc. from the environment, then ``overrides``."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"AUDITOR_{f.name.upper()}")
            if raw is None:
                continue
            try:
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on") if f.type == "bool" else (
                    raw.strip() if f.type == "str" else int(raw) if f.type == "int" else float(raw))
            except ValueError:
                raise errors.E206("env", name=f.name.upper(), raw=raw) from None
        return cls(**{**values, **overrides})


HTTP_MESSAGES = errors.http_messages()


def error_response(status: int, code: str, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status, headers=headers)


def too_large(limit: int) -> ApiError:
    return errors.E413.api("too_large", limit=limit)


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: 413 for a declared Content-Length over the limit, and for a body that
    grows past it while streaming. The rest of the body is read and dropped first (up to a cap)
    so that the client, still sending, gets to read the 413 instead of a reset connection."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def _drain(self, receive, already: int) -> None:
        cap = 4 * self.max_bytes + (1 << 20)
        while already < cap:
            msg = await receive()
            if msg["type"] != "http.request" or not msg.get("more_body"):
                return
            already += len(msg.get("body", b""))

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._drain(receive, 0)
            err = too_large(self.max_bytes)
            return await error_response(err.status, err.code, err.message)(scope, receive, send)
        received = 0

        async def limited():
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > self.max_bytes:
                    if msg.get("more_body"):
                        await self._drain(receive, received)
                    raise BodyTooLarge()
            return msg

        await self.app(scope, limited, send)


def release_memory() -> None:
    """Hand the heap freed by an audit back to the system (glibc keeps it otherwise: 1,000 mixed
    requests left the server 90 MB larger, 33 MB of it free memory malloc had not returned).
    A no-op where there is no glibc."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def limit_malloc_arenas(arenas: int = 1) -> None:
    """glibc gives each thread that allocates its own heap (arena) and keeps what each one ever
    held: with the worker threads the server settled 75 MB above its start after 1,000 mixed
    requests (the same after 2,000: fragmentation, not a leak); with one arena 20 MB, and no
    slower, as the GIL lets one thread run Python at a time anyway. Called before any worker
    thread starts; a no-op where there is no glibc."""
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(-8, arenas)  # M_ARENA_MAX


@lru_cache(maxsize=1)
def _libc():
    try:
        import ctypes
        import ctypes.util

        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def _malloc_trim():
    libc = _libc()
    return getattr(libc, "malloc_trim", None) if libc is not None else None


class Runner:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.executor = ThreadPoolExecutor(max_workers=config.max_concurrency, thread_name_prefix="audit")
        self.slots = asyncio.Semaphore(config.max_concurrency)

    async def run(self, job):
        try:
            await asyncio.wait_for(self.slots.acquire(), self.config.queue_wait_s)
        except TimeoutError:
            raise errors.E503.api(headers={"Retry-After": "5"}) from None
        def bounded():
            try:
                with deadline.within(self.config.timeout_s):
                    return job()
            finally:
                release_memory()

        fut = asyncio.get_running_loop().run_in_executor(self.executor, bounded)
        fut.add_done_callback(lambda f: (self.slots.release(), f.cancelled() or f.exception()))
        try:
            return await asyncio.wait_for(asyncio.shield(fut), self.config.timeout_s)
        except (TimeoutError, deadline.DeadlineExceeded):
            raise errors.E504.api("timeout", seconds=self.config.timeout_s) from None
