"""Batch throughput: ``auditor batch`` with -j 1 against -j 2 on N generated reports (not a test).

    .venv/bin/python eval/bench_batch.py --n 200            # -j 1 and -j 2, prints a table
    .venv/bin/python eval/bench_batch.py --n 1000 --bad 50 --jobs 2

Reports come from ``auditor_lab.generator.generate_corpus`` (consecutive-year pairs, so pairing and the
cross-year rules run too); ``--bad`` adds that many unreadable files (empty, binary, truncated
PDF, HTML without text, oversized text, DOCX zip bomb). Each run is a fresh process writing to
a fresh directory, so each pays its own cold start (the pipeline built once per run).
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BAD_KINDS = ("empty.txt", "binary.bin", "truncated.pdf", "notice.html", "big.txt", "bomb.docx")
MAX_BYTES = 2_000_000  # small enough that big.txt is over it


def bad_file(kind: str, i: int) -> tuple[str, bytes]:
    stem, ext = kind.split(".")
    name = f"bad-{i:03d}-{stem}.{ext}"
    if kind == "empty.txt":
        return name, b""
    if kind == "binary.bin":
        return name, os.urandom(4096)
    if kind == "truncated.pdf":
        return name, b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<<"
    if kind == "notice.html":
        return name, "<html><body><p>关于做好节日值班工作的通知。</p></body></html>".encode()
    if kind == "big.txt":
        return name, ("政府信息公开" * (MAX_BYTES // 12 + 10)).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * 12_000_000)
    return name, buf.getvalue()


def make_corpus(folder: Path, n: int, bad: int, seed: int) -> None:
    from auditor_lab.generator import generate_corpus

    generate_corpus(folder, n=n, seed=seed, pairs=True, formats=("txt", "html"))
    for i in range(bad):
        name, data = bad_file(BAD_KINDS[i % len(BAD_KINDS)], i)
        (folder / name).write_bytes(data)


def run_once(folder: Path, out: Path, jobs: int, engine: str, timeout: float) -> None:
    from rich.console import Console

    from auditor.batch import run_batch

    run_batch([folder], out, jobs=jobs, engine=engine, max_bytes=MAX_BYTES, timeout=timeout,
              console=Console(file=io.StringIO()))


def run(folder: Path, jobs: int, engine: str, timeout: float) -> tuple[float, int, int, float, float]:
    """(wall seconds, files, failed, steady audit rate, mean ms per audit), in a fresh process (a
    cold start each). The steady rate counts the result files written between the first and the
    last one, so process start-up and the scan pass are left out. The mean time of one audit,
    measured inside the worker, should not grow with -j: when it does, the cores were busy with
    something else and the speed-up says more about the machine than about the batch."""
    out = Path(tempfile.mkdtemp(prefix=f"bench-j{jobs}-"))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--one", str(jobs), "--engine", engine, "--timeout", str(timeout),
                    str(folder), str(out)], check=True)
    seconds = time.perf_counter() - t0
    with (out / "reports.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    failed = sum(1 for r in rows if r["status"] == "error")
    per_file = [float(r["seconds"]) for r in rows if r["status"] == "ok" and r["seconds"]]
    stamps = sorted(p.stat().st_mtime for p in (out / "reports").iterdir())
    steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 and stamps[-1] > stamps[0] else 0.0
    return seconds, len(rows), failed, steady, 1000 * sum(per_file) / max(1, len(per_file))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="generated reports")
    ap.add_argument("--bad", type=int, default=0, help="unreadable files added")
    ap.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--engine", default="local")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=120.0, help="per-file timeout (s)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one run in this process
    ap.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        run_once(Path(args.paths[0]), Path(args.paths[1]), args.one, args.engine, args.timeout)
        return

    from rich.console import Console
    from rich.table import Table

    folder = Path(tempfile.mkdtemp(prefix="bench-corpus-"))
    make_corpus(folder, args.n, args.bad, args.seed)
    table = Table(title=f"auditor batch: {args.n} generated reports + {args.bad} bad files ({args.engine})")
    for col in ("-j", "files", "failed", "seconds", "files/s", "speed-up", "steady audits/s", "speed-up ",
                "ms/audit"):
        table.add_column(col, justify="right")
    base = steady_base = None
    for jobs in args.jobs:
        seconds, files, failed, steady, ms = run(folder, jobs, args.engine, args.timeout)
        rate = files / seconds
        base, steady_base = base or rate, steady_base or steady or 1.0
        table.add_row(str(jobs), str(files), str(failed), f"{seconds:.1f}", f"{rate:.1f}", f"{rate / base:.2f}×",
                      f"{steady:.1f}", f"{steady / steady_base:.2f}×", f"{ms:.0f}")
    Console(width=130).print(table)


if __name__ == "__main__":  # spawn-safe: the workers import this module
    main()
