"""A batch at scale: memory of every process, CPU against auditing in one process (a benchmark, not a test).

    .venv/bin/python eval/bench_scale.py make DIR --n 50000 [--seed 1]
    .venv/bin/python eval/bench_scale.py run DIR [--parts 5] [-j 2] [--label 5k] [--sample 10] [--out eval/results]
    .venv/bin/python eval/bench_scale.py report 5k 20k 50k

``make`` writes generated reports (consecutive-year pairs of one agency, gold files beside them)
in the format mix the portals publish: half PDF, a third HTML, the rest text and DOCX (6:4:1:1),
a thousand to a folder, each folder its own seed (``DIR/part-0001``, …).

``run`` audits DIR (or its first ``--parts`` folders) with ``auditor batch -j N`` in a fresh process and, while it runs, reads every
process of the batch from /proc twice a second: peak RSS (VmHWM) and CPU of the parent, the
forkserver and each worker. The batch's CPU is what the whole process tree used (its children's
rusage once it has ended). In fresh processes, half before the batch and half after (the machine's
speed drifts), it reads and audits every ``sample``-th of the same files one after another
(``read_document``, ``audit_document``, the report's JSON): the CPU a report costs without the
batch around it. Writes ``scale-LABEL.json`` to --out.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIX = ("pdf",) * 6 + ("html",) * 4 + ("txt", "docx")
PER_FOLDER = 1000


def make(folder: Path, n: int, seed: int) -> None:
    from auditor_lab.generator import generate_corpus

    made, part = 0, 0
    while made < n:
        part += 1
        target = folder / f"part-{part:04d}"
        if target.exists():
            made += sum(1 for p in target.iterdir() if not p.name.endswith(".gold.json"))
            continue
        k = min(PER_FOLDER, n - made)
        try:
            generate_corpus(target, n=k, seed=seed * 100_000 + part, formats=MIX, pairs=True)
        except Exception as exc:  # noqa: BLE001 - a generator defect on one seed: that folder again with the next
            print(f"part {part}: {type(exc).__name__}: {exc}; skipped", file=sys.stderr)
            subprocess.run(["rm", "-rf", str(target)], check=False)
            target.mkdir(parents=True)  # an empty folder keeps the numbering
            continue
        made += k
        print(f"{made}/{n}", file=sys.stderr, flush=True)


def _adopt_orphans() -> None:
    """Become the subreaper of the batch's process tree (Linux): the forkserver and the workers, whom
    the batch's parent does not wait for, are then waited for here, and their CPU is counted."""
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _reap() -> None:
    """Wait for every descendant left (orphans adopted by ``_adopt_orphans``)."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _tree(root: int) -> dict[int, tuple[int, str]]:
    """Every live descendant of ``root`` (and itself): pid -> (ppid, command line)."""
    parent: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
                parent[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    mine, grew = {root}, True
    while grew:
        more = {pid for pid, pp in parent.items() if pp in mine and pid not in mine}
        grew = bool(more)
        mine |= more
    out = {}
    for pid in mine:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        out[pid] = (parent.get(pid, 0), cmd)
    return out


def _hwm(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Watcher(threading.Thread):
    """Peak RSS of every process under ``pid``, polled until ``stop`` is set."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.stop = pid, every, threading.Event()
        self.peaks: dict[int, dict] = {}

    def run(self) -> None:
        while not self.stop.is_set():
            for pid, (ppid, cmd) in _tree(self.pid).items():
                hwm = _hwm(pid)
                if hwm is None:
                    continue
                entry = self.peaks.setdefault(pid, {"ppid": ppid, "cmd": cmd[:120], "peak_rss_mb": 0.0})
                entry["peak_rss_mb"] = max(entry["peak_rss_mb"], round(hwm, 1))
            self.stop.wait(self.every)

    def roles(self) -> list[dict]:
        out = []
        servers = {pid for pid, e in self.peaks.items() if e["ppid"] == self.pid and "forkserver" in e["cmd"]}
        for pid, e in sorted(self.peaks.items()):
            if pid == self.pid:
                role = "parent"
            elif pid in servers:
                role = "forkserver"
            elif "resource_tracker" in e["cmd"]:
                role = "resource tracker"
            else:
                role = "worker"
            out.append({"pid": pid, "role": role, "peak_rss_mb": e["peak_rss_mb"]})
        return out


BATCH = """
import io, json, resource, sys, time
from rich.console import Console
from auditor.batch import run_batch
from auditor.batch.ledger import Ledger
from auditor.across.copy_index import CorpusIndex
phases = {}
def timed(owner, name, label):
    inner = getattr(owner, name)
    def wrapper(*args, **kwargs):
        c0 = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            phases[label] = phases.get(label, 0.0) + time.process_time() - c0
    setattr(owner, name, wrapper)
for owner, name, label in ((Ledger, "add_inputs", "inputs"), (Ledger, "record_scan", "ledger writes"),
                           (Ledger, "pair", "pairing"), (CorpusIndex, "find", "copy search"), (Ledger, "plan", "plan"),
                           (CorpusIndex, "result", "copies read")):
    timed(owner, name, label)
if __name__ == "__main__":
    rc = run_batch(sys.argv[3:], sys.argv[1], jobs=int(sys.argv[2]), console=Console(file=io.StringIO()))
    r = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({k: round(v, 2) for k, v in phases.items()}))
    print(rc, r.ru_utime + r.ru_stime, r.ru_maxrss / 1024)
"""

IN_PROCESS = """
import json, resource, sys
from pathlib import Path
from auditor.ingest import read_document
from auditor.pipeline import audit_document
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
if __name__ == "__main__":
    files = [line for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines() if line]
    audit_document(read_document(files[0]))  # building the pipeline is not a report's cost
    read = audit = render = 0.0
    failed = 0
    for f in files:
        c0 = cpu()
        try:
            doc = read_document(f)
        except Exception:
            failed += 1
            continue
        c1 = cpu()
        report = audit_document(doc)
        c2 = cpu()
        json.dumps(report.to_dict(timing=False), ensure_ascii=False)
        c3 = cpu()
        read, audit, render = read + c1 - c0, audit + c2 - c1, render + c3 - c2
    print(json.dumps({"files": len(files), "failed": failed, "read": read, "audit": audit, "json": render}))
"""


def _in_process(files: list[str], listing: Path) -> dict:
    listing.write_text("\n".join(files), encoding="utf-8")
    return json.loads(subprocess.run([sys.executable, "-c", IN_PROCESS, str(listing)], capture_output=True,
                                     text=True, check=True, cwd=ROOT).stdout)


def run(folder: Path, parts: int | None, jobs: int, label: str, sample: int, out: Path) -> dict:
    import tempfile

    # a folder the generator left empty (a defect on its seed, see make) is not one of the parts
    inputs = [p for p in sorted(folder.iterdir()) if p.is_dir() and any(p.iterdir())][:parts] if parts else [folder]
    from auditor.batch.inputs import found

    files = sorted(f.path for i in inputs for f in found(i))  # as the batch finds them (linked folders too)
    by_ext: dict[str, int] = {}
    for f in files:
        ext = Path(f).suffix.lower()
        by_ext[ext] = by_ext.get(ext, 0) + 1
    with tempfile.TemporaryDirectory(dir=folder.parent) as tmp:
        results = Path(tmp) / "out"
        sample_files = files[::sample]
        # half the in-process sample before the batch, half after: this shared machine's speed drifts
        # by tens of percent over minutes, and a ratio of two runs minutes apart would carry the drift
        before = _in_process(sample_files[0::2], Path(tmp) / "before.txt")
        _adopt_orphans()
        c0, t0 = _cpu_children(), time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", BATCH, str(results), str(jobs), *map(str, inputs)],
                                stdout=subprocess.PIPE, text=True, cwd=ROOT)
        watcher = Watcher(proc.pid)
        watcher.start()
        stdout, _ = proc.communicate()
        wall = time.perf_counter() - t0
        watcher.stop.set()
        watcher.join()
        _reap()
        batch_cpu = _cpu_children() - c0
        rc, parent_cpu, parent_rss = stdout.split()[-3:]
        phases = json.loads(stdout.strip().splitlines()[-2])
        rows, paired = _audits(results / "reports.csv")
        results_mb = sum(p.stat().st_size for p in results.rglob("*") if p.is_file()) / 2**20
        after = _in_process(sample_files[1::2], Path(tmp) / "after.txt")
        alone = {key: before[key] + after[key] for key in before}
    n = len(files)
    k = alone["files"] - alone["failed"]
    per = {key: round(1000 * alone[key] / k, 2) for key in ("read", "audit", "json")}
    result = {
        "label": label, "files": n, "formats": by_ext, "jobs": jobs, "exit_code": int(rc), "rows": rows,
        "paired": paired,
        "wall_s": round(wall, 1), "files_per_s": round(n / wall, 1),
        "batch_cpu_s": round(batch_cpu, 1), "batch_cpu_ms_per_file": round(1000 * batch_cpu / n, 2),
        "parent_cpu_ms_per_file": round(1000 * float(parent_cpu) / n, 2),
        "parent_cpu_s_by_phase": phases,
        "parent_peak_rss_mb": round(float(parent_rss), 1), "results_mb": round(results_mb, 1),
        "processes": watcher.roles(),
        "in_process_sample": {"every": sample, "files": alone["files"], "ms_per_file": per, "split": True,
                              "read_audit_ms": round(per["read"] + per["audit"], 2),
                              "read_audit_json_ms": round(per["read"] + per["audit"] + per["json"], 2)},
        "cpu_ratio_vs_read_audit": round(1000 * batch_cpu / n / (per["read"] + per["audit"]), 3),
        "cpu_ratio_vs_read_audit_json": round(1000 * batch_cpu / n / (per["read"] + per["audit"] + per["json"]), 3),
        "load_average": os.getloadavg(), "measured": time.strftime("%Y-%m-%d %H:%M"),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / f"scale-{label}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def _audits(csv_path: Path) -> tuple[int, dict]:
    """Rows of reports.csv, and the audits with and without last year's report: how many, and the
    mean seconds an audit task took in its worker (a paired audit also runs the cross-year checks,
    and analyses last year's report again unless its worker still has that analysis)."""
    import csv

    rows, seconds = 0, {"with previous": [], "without": []}
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            rows += 1
            if row["status"] == "ok" and row["seconds"]:
                seconds["with previous" if row["previous"] else "without"].append(float(row["seconds"]))
    return rows, {k: {"audits": len(v), "mean_ms": round(1000 * sum(v) / len(v), 2) if v else None}
                  for k, v in seconds.items()}


def sampled(alone: dict) -> str:
    every = "all" if alone["every"] == 1 else f"every {alone['every']}th"
    when = "half before the batch, half after" if alone.get("split") else "after the batch"
    return f"{every}, {alone['files']:,}, {when}"


def report(out: Path, labels: list[str]) -> str:
    """A markdown table of the runs ``labels`` (scale-LABEL.json in ``out``), and the batch of 150,000
    reports extrapolated from them: the parent's copy search as a power law, the rest of wall time and
    CPU as a least-squares line over the reports, the parent's peak memory as the largest seen."""
    import numpy as np

    runs = [json.loads((out / f"scale-{label}.json").read_text(encoding="utf-8")) for label in labels]
    lines = ["| reports | formats | wall | files/s | batch CPU ms/file | in-process read+audit ms/file | ratio | "
             "parent CPU ms/file | peak RSS parent / forkserver / workers (MB) | results |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        peaks = {role: max((p["peak_rss_mb"] for p in r["processes"] if p["role"] == role), default=0.0)
                 for role in ("parent", "forkserver", "worker")}
        mix = ", ".join(f"{ext.lstrip('.')} {n}" for ext, n in sorted(r["formats"].items(), key=lambda kv: -kv[1]))
        alone = r["in_process_sample"]
        lines.append(f"| {r['files']:,} | {mix} | {r['wall_s'] / 60:.1f} min | {r['files_per_s']} | "
                     f"{r['batch_cpu_ms_per_file']} | {alone['read_audit_ms']} ({sampled(alone)}) | {r['cpu_ratio_vs_read_audit']} | {r['parent_cpu_ms_per_file']} | "
                     f"{r['parent_peak_rss_mb']} / {peaks['forkserver']} / {peaks['worker']} | "
                     f"{r['results_mb']:.0f} MB |")
    n = np.array([r["files"] for r in runs], dtype=float)
    # the parent's copy search grows faster than the batch (families of near-identical paragraphs
    # fill their buckets as the batch grows): a power law of its own, the rest a straight line
    copy = np.array([r.get("parent_cpu_s_by_phase", {}).get("copy search", 0.0) for r in runs])
    exponent, scale = np.polyfit(np.log(n), np.log(np.maximum(copy, 1e-3)), 1)
    rest_wall = np.polyfit(n, np.array([r["wall_s"] for r in runs]) - copy, 1)
    rest_cpu = np.polyfit(n, np.array([r["batch_cpu_s"] for r in runs]) - copy, 1)
    disk = np.polyfit(n, [r["results_mb"] for r in runs], 1)
    big = 150_000
    copy_big = float(np.exp(scale) * big ** exponent)
    wall_big = float(np.polyval(rest_wall, big)) + copy_big
    cpu_big = float(np.polyval(rest_cpu, big)) + copy_big
    with_pairs = [r for r in runs if r.get("paired")]
    if with_pairs:
        lines += ["", "Audits with last year's report (the batch pairs them; the in-process figure audits each file "
                  "alone) and the mean wall time of an audit task in its worker, with / without: " + "; ".join(
                      f"{r['files']:,}: {r['paired']['with previous']['audits']:,} of "
                      f"{r['paired']['with previous']['audits'] + r['paired']['without']['audits']:,}, "
                      f"{r['paired']['with previous']['mean_ms']} / {r['paired']['without']['mean_ms']} ms"
                      for r in with_pairs) + "."]
    lines += ["", "The parent's CPU by phase (s): " + "; ".join(
                  f"{r['files']:,}: " + ", ".join(f"{k} {v}" for k, v in r.get("parent_cpu_s_by_phase", {}).items())
                  for r in runs) + ".",
              "", f"150,000 reports, extrapolated: the copy search as a power law of the batch (exponent "
              f"{exponent:.2f} over these runs: {copy_big / 60:.0f} min, single-threaded, while the workers wait), the "
              f"rest as a straight line (least squares): wall {wall_big / 3600:.1f} h at -j {runs[-1]['jobs']}, CPU "
              f"{cpu_big / 3600:.1f} h, results {np.polyval(disk, big) / 1024:.1f} GB; parent peak RSS "
              f"{max(r['parent_peak_rss_mb'] for r in runs)} MB, the largest seen ({runs[-1]['parent_peak_rss_mb'] / runs[0]['parent_peak_rss_mb']:.2f}× "
              f"from {runs[0]['files']:,} to {runs[-1]['files']:,} reports: it does not grow with the batch)."]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("dir", type=Path)
    m.add_argument("--n", type=int, required=True)
    m.add_argument("--seed", type=int, default=1)
    r = sub.add_parser("run")
    r.add_argument("dir", type=Path)
    r.add_argument("--parts", type=int, help="only the first PARTS folders of DIR that hold reports")
    r.add_argument("-j", "--jobs", type=int, default=2)
    r.add_argument("--label", default="run")
    r.add_argument("--sample", type=int, default=1, help="audit every k-th file in one process (default: all)")
    r.add_argument("--out", type=Path, default=ROOT / "eval" / "results")
    t = sub.add_parser("report")
    t.add_argument("labels", nargs="+")
    t.add_argument("--out", type=Path, default=ROOT / "eval" / "results")
    args = ap.parse_args()
    if args.cmd == "report":
        print(report(args.out, args.labels))
    elif args.cmd == "make":
        make(args.dir, args.n, args.seed)
    else:
        print(json.dumps(run(args.dir, args.parts, args.jobs, args.label, args.sample, args.out), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
