"""Dask against the local engine on the same files, in one run (a benchmark, not a test).

    .venv/bin/python eval/bench_dask.py --n 2000 [--rounds 2] [--chunks 16 64] [--out eval/results]

Generated reports (consecutive-year pairs, text and HTML) are audited ``-j 2`` by the local
engine and by dask on a local cluster of two one-thread worker processes, alternately, each run
a fresh process. Per run: wall seconds, files a second, the submitting process's own CPU a file
(everything the parent does: reading the results, pairing, copy search, CSV), and whether the
outputs (reports.csv and findings.csv, seconds aside) equal the local engine's.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one(folder: Path, out: Path, engine: str) -> None:
    from rich.console import Console

    from auditor.batch import engines, run_batch

    if engine.startswith("dask:"):  # dask:N, N files a dask task
        engine, chunk = engine.split(":")
        engines.DASK_CHUNK = int(chunk)

    t0 = time.perf_counter()
    run_batch([folder], out, jobs=2, engine=engine, console=Console(file=io.StringIO()))
    wall = time.perf_counter() - t0
    me = resource.getrusage(resource.RUSAGE_SELF)
    (out / "bench.json").write_text(json.dumps({"wall": wall, "parent_cpu": me.ru_utime + me.ru_stime}))


def comparable(out: Path) -> dict:
    rows = {}
    for name in ("reports.csv", "findings.csv"):
        with (out / name).open(encoding="utf-8-sig", newline="") as fh:
            rows[name] = sorted(json.dumps({k: v for k, v in r.items() if "seconds" not in k}, sort_keys=True)
                                for r in csv.DictReader(fh))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", type=Path, help="write dask.json and dask.md here")
    ap.add_argument("--chunks", type=int, nargs="*", help="files a dask task: one dask run a round for each "
                    "(default: the engine's own)")
    ap.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        one(Path(args.one[0]), Path(args.one[1]), args.one[2])
        return
    from auditor_lab.generator import generate_corpus

    work = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    folder = work / "in"
    generate_corpus(folder, n=args.n, seed=args.seed, pairs=True, formats=("txt", "html"))
    files = sum(1 for p in folder.iterdir() if not p.name.endswith(".gold.json"))
    engines = ["local", *(f"dask:{c}" for c in args.chunks)] if args.chunks else ["local", "dask"]
    runs: dict[str, list[dict]] = {e: [] for e in engines}
    reference = None
    for r in range(args.rounds):
        for engine in engines:
            out = work / f"out-{engine}-{r}"
            subprocess.run([sys.executable, __file__, "--one", str(folder), str(out), engine], check=True)
            m = json.loads((out / "bench.json").read_text())
            rows = comparable(out)
            reference = reference or rows
            runs[engine].append({"wall_s": round(m["wall"], 2), "files_per_s": round(files / m["wall"], 1),
                                 "parent_cpu_ms_per_file": round(1000 * m["parent_cpu"] / files, 3),
                                 "same_outputs_as_first_local": rows == reference})
            print(engine, runs[engine][-1], file=sys.stderr)
    med = {e: statistics.median(x["files_per_s"] for x in v) for e, v in runs.items()}
    dask = engines[1]  # the first dask run of a round is the one the headline compares
    res = {"date": time.strftime("%Y-%m-%d"), "files": files, "runs": runs,
           "dask_over_local": round(med[dask] / med["local"], 3),
           "pairs": [round(d["files_per_s"] / loc["files_per_s"], 3) for loc, d in zip(runs["local"], runs[dask])],
           "by_engine": {e: round(med[e] / med["local"], 3) for e in engines[1:]}}
    md = ["# Dask against the local engine", "",
          f"Measured {res['date']}, `python eval/bench_dask.py --n {args.n} --rounds {args.rounds}"
          f"{' --chunks ' + ' '.join(map(str, args.chunks)) if args.chunks else ''}`: {files} files "
          "(generated consecutive-year pairs, text and HTML), `-j 2` on 2 cores, local engine and dask (local "
          "cluster, two one-thread worker processes) alternately, each run a fresh process.", "",
          "| run | engine | wall (s) | files/s | parent CPU (ms/file) | outputs = local's |", "|---|---|---|---|---|---|"]
    for r in range(args.rounds):
        for engine in engines:
            x = runs[engine][r]
            md.append(f"| {r + 1} | {engine} | {x['wall_s']} | {x['files_per_s']} | {x['parent_cpu_ms_per_file']} | "
                      f"{'yes' if x['same_outputs_as_first_local'] else 'no'} |")
    md += ["", f"Dask / local throughput: {res['dask_over_local']}× (medians); per round: "
           f"{', '.join(map(str, res['pairs']))}."]
    if len(engines) > 2:
        md += ["", "Each dask run against the local engine (medians; dask:N, N files a dask task): "
               + ", ".join(f"{e} {v}×" for e, v in res["by_engine"].items()) + "."]
    md.append("")
    print("\n".join(md))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "dask.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
        (args.out / "dask.md").write_text("\n".join(md), encoding="utf-8")


if __name__ == "__main__":  # spawn-safe: the workers import this module
    main()
