"""What a worker does with one file: read it (scan) or audit it. Spawn-safe: module-level
functions and frozen dataclasses only, the pipeline built once per process.

Every exception but ``KeyboardInterrupt`` becomes a ``Failure`` with a Chinese message; a run
longer than the task's timeout is interrupted (SIGALRM, in a worker's main thread) and becomes
one too. The engines add the failures a worker cannot report itself (a crash, a hang in C code).
"""
from __future__ import annotations

import json
import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .. import errors
from ..across.similarity import CopyMatch, CorpusDoc
from ..errors import Code
from ..ingest.ocr import OcrSettings


@dataclass(frozen=True)
class Failure:
    code: str
    message: str  # Chinese, for reports.csv

    @classmethod
    def of(cls, entry: Code, variant: str | None = None, /, **fields) -> Failure:
        """The row for a catalogued code: ``Failure.of(errors.E901, seconds=120)``."""
        return cls(entry.code, entry.message(variant, **fields))


@dataclass(frozen=True)
class ScanTask:
    path: str
    max_bytes: int
    timeout: float
    cache_dir: str | None = None  # where the normalized text is kept for the audit pass (ingest_cache)
    ocr: OcrSettings = OcrSettings(threads=1)


@dataclass(frozen=True)
class ScanResult:
    source: str
    sha256: str = ""
    agency: str | None = None
    year: int | None = None
    corpus: CorpusDoc | None = None
    failure: Failure | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class AuditTask:
    path: str
    max_bytes: int
    timeout: float
    sha256: str = ""  # as scanned, for the error row should the audit fail
    previous: str | None = None
    previous_sha256: str | None = None
    copies: tuple[CopyMatch, ...] = ()
    copied_share: float = 0.0
    report_path: str | None = None  # the worker writes the report's JSON here itself
    cache_dir: str | None = None  # the scan pass's normalized texts (ingest_cache), read before the files
    ocr: OcrSettings = OcrSettings(threads=1)


@dataclass(frozen=True)
class AuditResult:
    source: str
    result: dict | None = None  # the findings contract plus a "batch" entry (without tables and claims once written)
    failure: Failure | None = None
    seconds: float = 0.0
    written: bool = False  # the JSON file is at the task's report_path


# what the parent needs of a report the worker has written: its rows in reports.csv and findings.csv
SUMMARY_KEYS = ("tool", "report", "findings", "coverage", "batch", "errors", "warnings")


class _Timeout(BaseException):
    """Raised by SIGALRM; a BaseException so that no ``except Exception`` in a stage swallows it."""


def timeout_failure(seconds: float) -> Failure:
    return Failure.of(errors.E901, seconds=seconds)


def crash_failure() -> Failure:
    return Failure.of(errors.E902)


def _raise_timeout(signum, frame):
    raise _Timeout()


@contextmanager
def _deadline(seconds: float):
    usable = seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    old = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


_on_start = None  # set in a pool worker: tells the parent when a deadline starts (engines.py)


def set_start_hook(hook) -> None:
    global _on_start
    _on_start = hook


def _guarded(work, timeout: float):
    """(value, failure): the work's value, or the reason it has none."""
    from ..errors import AuditorError

    try:
        if _on_start is not None:
            _on_start()
        with _deadline(timeout):
            return work(), None
    except KeyboardInterrupt:
        raise
    except _Timeout:
        return None, timeout_failure(timeout)
    except AuditorError as exc:
        return None, Failure(exc.code, exc.message)
    except MemoryError:
        return None, Failure.of(errors.E903)
    except Exception as exc:  # noqa: BLE001 - a bad file is an error row, never the end of the batch
        return None, Failure.of(errors.E900, error=f"{type(exc).__name__}: {exc}")


_READY = False
# analyses a worker keeps for a later audit; the engine sends next year's report where last year's is
ANALYSES_KEPT = 8
_ANALYSES = None  # this process's recent analyses (pipeline.Analyses), made by warm_up
_WARM_TEXT = "示例单位2023年政府信息公开工作年度报告\n一、总体情况\n2023年，本机关共收到政府信息公开申请5件，予以公开3件。\n"


def warm_up() -> None:
    """Build the pipeline once per process (templates, rules, lazy NLP resources)."""
    global _READY, _ANALYSES
    if _READY:
        return
    _READY = True
    from ..pipeline import Analyses, audit_text

    _ANALYSES = Analyses(size=ANALYSES_KEPT)

    try:
        audit_text(_WARM_TEXT, filename="<warm-up>")
    except Exception:  # noqa: BLE001 - warming is an optimisation; the real run reports errors
        pass


def preload() -> None:
    """Import what a scan needs, so that a first scan's deadline does not pay for imports."""
    from ..claims import facts  # noqa: F401
    from ..ingest import read_document  # noqa: F401


def scan(task: ScanTask) -> ScanResult:
    """Read a file far enough to pair it and compare its paragraphs: sha256, agency, year."""
    t0 = time.perf_counter()

    def work() -> ScanResult:
        from ..claims.facts import identify, not_a_report
        from ..ingest import read_document
        from ..across.pairing import year_of
        from ..across.similarity import corpus_doc

        doc = read_document(task.path, max_bytes=task.max_bytes, ocr=task.ocr)
        facts = identify(doc.text)
        why = not_a_report(doc.text, facts)
        if why:
            return ScanResult(task.path, doc.meta.sha256, failure=Failure(errors.E904.code, why))
        if task.cache_dir:
            remember_document(task.cache_dir, doc)
        year = year_of(facts.year, task.path)
        corpus = corpus_doc(task.path, doc.text, sha256=doc.meta.sha256, agency=facts.agency, year=year)
        return ScanResult(task.path, doc.meta.sha256, facts.agency, year, corpus)

    value, failure = _guarded(work, task.timeout)
    seconds = time.perf_counter() - t0
    if failure:
        return ScanResult(task.path, failure=failure, seconds=seconds)
    return ScanResult(**{**value.__dict__, "seconds": seconds})  # a value may carry its own failure


def audit(task: AuditTask) -> AuditResult:
    """Audit one file, with last year's report and the batch's copy matches when there are any."""

    def work() -> dict:
        from ..ingest import read_document, shown_name
        from ..pipeline import audit_document

        doc = (recall_document(task.cache_dir, task.path, task.sha256)
               or read_document(task.path, max_bytes=task.max_bytes, ocr=task.ocr))
        prev = None
        if task.previous:
            prev = (recall_document(task.cache_dir, task.previous, task.previous_sha256)
                    or read_document(task.previous, max_bytes=task.max_bytes, ocr=task.ocr))
        report = audit_document(doc, previous=prev, config={"copies": task.copies} if task.copies else None,
                                analyses=_ANALYSES)
        out = report.to_dict(timing=False)  # the batch records seconds in reports.csv
        out["batch"] = {"previous": shown_name(task.previous) if task.previous else None, "previous_sha256": task.previous_sha256,
                        "copied_share": task.copied_share}
        return out

    warm_up()  # outside the deadline: the first task of a process must not pay for it
    t0 = time.perf_counter()
    value, failure = _guarded(work, task.timeout)
    seconds = time.perf_counter() - t0
    if value is None:
        return AuditResult(task.path, None, failure, seconds)
    value["batch"]["seconds"] = round(seconds, 3)
    if task.report_path is None:
        return AuditResult(task.path, value, failure, seconds)
    write_json(Path(task.report_path), value)  # encoded in the worker, not in the one parent
    return AuditResult(task.path, {k: value[k] for k in SUMMARY_KEYS if k in value}, failure, seconds, written=True)


def write_json(path: Path, value: dict) -> None:
    """Write atomically: a reader (or ``--resume``) never sees half a report."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")  # C encoder
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # never a half-written report left behind
        raise


# --- the ingest cache: each file parsed once per batch -------------------------------------------
# The scan pass parses every file (a PDF page costs milliseconds, a DOCX ten or more) and the audit
# pass needs the same Document again, for the report and for the next year's report that pairs
# with it. The scan keeps what the audit reads of a Document (text, kind, encoding, size, pages,
# warnings; never blocks or raw tables, which only the ingest stage uses) in one file per sha256
# and extension; the audit reads it and falls back to parsing the file when it is absent or
# unreadable. The batch is a snapshot at scan time: a file changed between the passes is audited
# as scanned, which is also what its pairing and copy search saw.

def _cache_path(cache_dir: str, sha256: str, path: str) -> Path:
    """By content and extension: the same bytes named .html and .txt are read two ways."""
    return Path(cache_dir) / f"{sha256}{Path(path).suffix.lower()}.json"


def remember_document(cache_dir: str, doc) -> None:
    m = doc.meta
    path = _cache_path(cache_dir, m.sha256, m.source)
    if path.exists():
        return
    payload = {"text": doc.text, "input_kind": m.input_kind, "encoding": m.encoding, "size": m.size,
               "pages": m.pages, "warnings": list(doc.warnings), "page_starts": doc.page_starts,
               "ocr_pages": doc.ocr_pages, "unsure": doc.unsure}
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        # surrogatepass: a text decoded with surrogateescape comes back as it was
        tmp.write_bytes(json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        os.replace(tmp, path)
    except OSError:  # a full disk costs the audit a second parse, nothing more
        tmp.unlink(missing_ok=True)


def recall_document(cache_dir: str | None, path: str, sha256: str | None):
    """The scanned Document of ``path`` (its content hash ``sha256``), or None."""
    if not cache_dir or not sha256:
        return None
    from ..ingest import shown_name
    from ..ingest.document import Document, DocumentMeta

    try:
        d = json.loads(_cache_path(cache_dir, sha256, path).read_bytes().decode("utf-8", "surrogatepass"))
        meta = DocumentMeta(shown_name(Path(path)), sha256, d["input_kind"], d["encoding"], d["size"], d["pages"])
        return Document(d["text"], meta, warnings=tuple(d["warnings"]),
                        page_starts=tuple(tuple(p) for p in d["page_starts"]), ocr_pages=tuple(d["ocr_pages"]),
                        unsure=tuple((at, conf) for at, conf in d["unsure"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
