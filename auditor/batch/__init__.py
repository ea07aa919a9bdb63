"""Batch mode: many report files -> a results directory (``auditor batch``, docs/batch.md).

Two passes over the inputs, both on the chosen engine (a local process pool or dask):

1. scan: read each file, its sha256, agency and year, and its narrative paragraphs' 5-grams;
   a file that cannot be read becomes its error row here; the normalized text is kept in
   ``OUT/.ingested`` (workers on this machine only) so that no file is parsed twice;
2. audit: each readable file with last year's report of the same agency (``auditor.across.pairing``)
   and its copied paragraphs (``auditor.across.copy_index``, computed once over the whole batch).

Results are written as they complete (``outputs.ResultWriter``). What the parent knows of each
file between the passes (its name, scan, pair, paragraphs, copies) is in ``ledger.Ledger``, on
disk: the parent's memory does not grow with the batch.

Exit codes: 0 every file audited and no finding at or above ``fail_on``; 1 findings at or above
``fail_on``; 2 usage error or no inputs; 3 some files failed (takes precedence over 1).
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from ..ingest.ocr import OcrSettings
from .tasks import AuditResult, AuditTask, ScanResult, ScanTask, audit, scan

__all__ = ["run_batch", "DEFAULT_TIMEOUT", "EXIT_OK", "EXIT_FINDINGS", "EXIT_USAGE", "EXIT_FAILED"]

DEFAULT_TIMEOUT = 120.0
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
_FAIL_ON = ("high", "medium", "low", "info", "none")
INGEST_CACHE = ".ingested"  # in the results folder while a batch runs (tasks.remember_document)


def _console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _progress(console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn(), console=console, disable=not console.is_terminal, transient=False)


def _usage_error(console, message: str) -> int:
    from rich.markup import escape

    console.print(f"[red]错误：[/red]{escape(message)}")  # "pip install 'auditor[dask]'" is not markup
    return EXIT_USAGE


def run_batch(inputs, out, *, jobs: int = 1, resume: bool = False, engine: str = "local",
              scheduler: str | None = None, shared_storage: bool = False, fail_on: str = "none",
              timeout: float = DEFAULT_TIMEOUT,
              max_bytes: int | None = None, console=None, _engine=None, _ingest_cache: bool = True) -> int:
    """Audit every report under ``inputs`` into ``out``; returns the exit code.

    ``shared_storage``: the dask workers of ``scheduler`` see ``out`` (shared storage), so they write
    the reports themselves, as local workers do, instead of sending them back;
    ``_engine`` replaces the engine built from ``engine``/``jobs``/``scheduler`` (tests);
    ``_ingest_cache=False`` parses each file again in the audit pass (tests compare the two).
    """
    from ..ingest import DEFAULT_MAX_BYTES
    from .engines import EngineError, open_engine
    from .inputs import InputsError, check_inputs
    from .ledger import LEDGER, Ledger
    from .outputs import ResultWriter, print_summary

    console = console or _console()
    out = Path(out)
    if jobs < 1 or timeout <= 0 or fail_on not in _FAIL_ON:
        return _usage_error(console, f"参数无效：-j 须≥1，超时须>0，--fail-on 须为 {'/'.join(_FAIL_ON)}")
    if out.exists() and not out.is_dir():
        return _usage_error(console, f"结果目录 {out} 已存在且不是目录")
    try:
        check_inputs(inputs)
    except InputsError as exc:
        return _usage_error(console, str(exc))
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(out / LEDGER)
    if not ledger.add_inputs(inputs, exclude=out):
        ledger.close()
        if made:
            shutil.rmtree(out, ignore_errors=True)
        return _usage_error(console, "没有找到可审核的报告文件")
    limit = max_bytes or DEFAULT_MAX_BYTES
    t0 = time.perf_counter()
    cache = out / INGEST_CACHE
    try:
        eng = _engine or open_engine(engine, jobs=jobs, timeout=timeout, scheduler=scheduler,
                                    shared_storage=shared_storage)
        with eng, ResultWriter(out) as writer, _progress(console) as progress:
            shares_files = getattr(eng, "writes_here", False)
            cache_dir = _fresh_dir(cache) if _ingest_cache and shares_files else None
            ocr = OcrSettings(threads=max(1, (os.cpu_count() or 1) // jobs))  # one worker's share of the cores
            _scan_all(eng, ledger, limit, timeout, writer, progress, cache_dir, ocr)
            n_readable = ledger.scanned()
            order = _plan_audits(ledger, writer, resume)
            tasks = _audit_tasks(ledger, order, writer, limit, timeout, worker_writes=shares_files,
                                 cache_dir=cache_dir, ocr=ocr)
            _audit_all(eng, ledger, tasks, writer, progress, n_readable, len(order))
    except EngineError as exc:
        return _usage_error(console, str(exc))
    except KeyboardInterrupt:
        console.print(f"[yellow]已中断[/yellow]：已完成的结果保留在 {out}")
        raise
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        ledger.close()
    print_summary(console, writer.tally, time.perf_counter() - t0, out)
    if writer.tally.failed:
        return EXIT_FAILED
    if fail_on != "none" and writer.tally.worst >= _rank(fail_on):
        return EXIT_FINDINGS
    return EXIT_OK


def _fresh_dir(path: Path) -> str | None:
    """An empty ``path`` (a batch that was killed may have left one), or None: no cache, no error."""
    shutil.rmtree(path, ignore_errors=True)
    try:
        path.mkdir(parents=True)
    except OSError:
        return None
    return str(path)


def _rank(level: str) -> int:
    from ..checks.finding import SEVERITY_RANK

    return SEVERITY_RANK[level]


def _scan_all(eng, ledger, limit, timeout, writer, progress, cache_dir: str | None = None,
              ocr: OcrSettings = OcrSettings(threads=1)) -> None:
    """Read every file; the ledger keeps what the plan needs of each, the writer the failures."""
    total = ledger.count()
    bar = progress.add_task("读取", total=total)
    tasks = (ScanTask(path, limit, timeout, cache_dir, ocr) for path in ledger.paths())
    for res in eng.run(scan, tasks, lambda task, failure: ScanResult(task.path, failure=failure), count=total):
        progress.advance(bar)
        if res.failure:
            writer.write_failure(res.source, res.failure, sha256=res.sha256, seconds=res.seconds)
        else:
            ledger.record_scan(res)


def _plan_audits(ledger, writer, resume: bool):
    """Pair the years, find the copies, skip what ``--resume`` finds already done, and put each
    report right after last year's (``pairing.chain_sequence``; the engine keeps them on one worker)."""
    from .. import __version__
    from .outputs import load_result

    writer.tally.pairs = ledger.pair()
    ledger.copies.find()

    def keep(path: str, name: str, sha256: str, prev_sha: str | None) -> bool:
        if not resume:
            return True
        old = load_result(writer.reports_dir / name)
        if old and _still_valid(old, sha256, __version__, prev_sha):
            writer.write_report(old, name, resumed=True)
            return False
        return True

    return ledger.plan(keep)


def _audit_tasks(ledger, order, writer, limit: int, timeout: float, worker_writes: bool, cache_dir: str | None,
                 ocr: OcrSettings):
    def make(path, name, sha256, previous, previous_sha256, found) -> AuditTask:
        return AuditTask(path, limit, timeout, sha256, previous, previous_sha256, found.matches, found.share,
                         report_path=str(writer.reports_dir / name) if worker_writes else None,
                         cache_dir=cache_dir, ocr=ocr)

    return ledger.audit_tasks(order, make)


def _still_valid(old: dict, sha256: str, version: str, prev_sha: str | None) -> bool:
    return (old.get("report", {}).get("sha256") == sha256 and old.get("tool", {}).get("version") == version
            and (old.get("batch") or {}).get("previous_sha256") == prev_sha)


def _audit_all(eng, ledger, tasks, writer, progress, scanned: int, planned: int) -> None:
    bar = progress.add_task("审核", total=scanned)
    progress.advance(bar, scanned - planned)
    for res in eng.run(audit, tasks, lambda task, failure: AuditResult(task.path, failure=failure),
                       chain=lambda task: (task.path, task.previous), count=planned):
        progress.advance(bar)
        _, name, sha256 = ledger.file(res.source)
        if res.failure:
            writer.write_failure(res.source, res.failure, sha256=sha256, seconds=res.seconds)
        else:
            writer.write_report(res.result, name, written=res.written)
