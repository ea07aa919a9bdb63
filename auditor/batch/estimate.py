"""What a batch will need, said before it runs (``auditor batch --estimate``): the files it would
audit, by format, and the memory, disk and time that the figures measured at scale give for them
(``eval/bench_scale.py``, 5,000 to 50,000 generated reports, ``eval/results/bench.md``)."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..ingest import HTML_EXTENSIONS
from . import inputs as inp

FORMATS = {".pdf": "PDF", ".docx": "DOCX", ".txt": "文本", **{ext: "HTML" for ext in HTML_EXTENSIONS}}


@dataclass(frozen=True)
class Footprint:
    """Measured per process and per report; the memory does not grow with the batch (docs/batch.md)."""

    parent_mb: float = 75.0
    forkserver_mb: float = 110.0
    worker_mb: float = 155.0
    result_kb: float = 33.0  # reports/*.json and the CSV files, a report
    working_kb: float = 33.0  # the ledger and .ingested while the batch runs, a report
    # CPU of reading a file, by format, and of auditing a report (one process, 2 cores of the
    # reference machine); a batch costs about ``batch_factor`` times their sum
    read_ms: dict[str, float] = field(default_factory=lambda: {"PDF": 26.0, "HTML": 3.2, "DOCX": 13.0, "文本": 0.5,
                                                                "其他": 3.0})
    audit_ms: float = 5.7
    batch_factor: float = 1.2
    serial_ms: float = 1.0  # the parent's copy search between the passes, a report, while the workers wait


FOOTPRINT = Footprint()


@dataclass(frozen=True)
class Estimate:
    files: int
    total_bytes: int
    by_format: dict[str, int]
    jobs: int
    memory_mb: dict[str, float]  # parent, forkserver, workers (all of them), total
    results_mb: float
    working_mb: float
    cpu_hours: float
    wall_hours: float


def estimate(items, jobs: int, exclude: Path | None = None, fp: Footprint = FOOTPRINT) -> Estimate:
    """The files under ``items`` (as the batch finds them, ``exclude`` left out) and what they need."""
    excluded = os.path.realpath(exclude) if exclude is not None else None
    by_format: dict[str, int] = {}
    n = size = 0
    for item in items:
        for f in inp.found(item):
            if f.in_folder and inp.inside(os.path.realpath(f.path), excluded):
                continue
            kind = FORMATS.get(os.path.splitext(f.path)[1].lower(), "其他")
            by_format[kind] = by_format.get(kind, 0) + 1
            n += 1
            try:
                size += os.stat(f.path).st_size
            except OSError:
                pass  # the batch reports it (E1xx); it costs nothing to estimate
    memory = {"parent": fp.parent_mb, "forkserver": fp.forkserver_mb, "workers": fp.worker_mb * jobs}
    memory["total"] = sum(memory.values())
    cpu_ms = fp.batch_factor * sum(k * (fp.read_ms.get(kind, fp.read_ms["其他"]) + fp.audit_ms)
                                   for kind, k in by_format.items())
    cores = max(1, min(jobs, os.cpu_count() or 1))
    serial = n * fp.serial_ms
    return Estimate(n, size, dict(sorted(by_format.items(), key=lambda kv: -kv[1])), jobs, memory,
                    n * fp.result_kb / 1024, n * fp.working_kb / 1024, (cpu_ms + serial) / 3.6e6,
                    (cpu_ms / cores + serial) / 3.6e6)


def free_mb(out: Path) -> float | None:
    """Free space where ``out`` is or would be made (its nearest existing folder)."""
    probe = Path(out).absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free / 2**20
    except OSError:
        return None


def describe(est: Estimate, free: float | None) -> list[str]:
    """The estimate as the inspector reads it (Chinese)."""
    formats = "，".join(f"{kind} {k}" for kind, k in est.by_format.items())
    m = est.memory_mb
    need = est.results_mb + est.working_mb
    lines = [
        f"将审核 {est.files} 个文件（{formats}），共 {est.total_bytes / 2**20:.1f} MB。",
        f"内存（-j {est.jobs}）：主进程约 {m['parent']:.0f} MB，预加载进程（forkserver）约 {m['forkserver']:.0f} MB，"
        f"工作进程每个约 {m['workers'] / est.jobs:.0f} MB，合计约 {m['total']:.0f} MB；不随文件数增长。",
        f"磁盘：结果约 {_size(est.results_mb)}，运行期间另需临时文件约 {_size(est.working_mb)}（完成后删除）。",
        f"时间：在参考机器（2 核）上约需 CPU {_hours(est.cpu_hours)}，-j {est.jobs} 时约 {_hours(est.wall_hours)}；"
        "扫描页需文字识别的 PDF 另计，实际视机器而定。",
    ]
    if free is not None and need > free:
        lines.append(f"警告：结果目录所在磁盘仅剩 {_size(free)}，少于预计所需的 {_size(need)}。")
    return lines


def _size(mb: float) -> str:
    return f"{mb / 1024:.1f} GB" if mb >= 1024 else f"{mb:.0f} MB"


def _hours(h: float) -> str:
    if h >= 1:
        return f"{h:.1f} 小时"
    return f"{h * 60:.0f} 分钟" if h * 60 >= 1 else f"{max(1, round(h * 3600))} 秒"
