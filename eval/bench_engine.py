"""What handing out tasks costs the parent: the local engine against a plain ProcessPoolExecutor
(a benchmark, not a test).

    .venv/bin/python eval/bench_engine.py --n 1000 --ms 8

Each task burns ``--ms`` of CPU in the worker, about what an audit of a text report takes. For
-j 1 and -j 2 it prints the wall time against the ideal (n * ms / jobs) and the parent's CPU per
task. Under -j 2 on two cores the parent's CPU is taken from the workers, so it shows in the wall.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def burn(ms: float) -> float:
    end = time.process_time() + ms / 1000
    while time.process_time() < end:
        pass
    return ms


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def engine_run(jobs: int, n: int, ms: float) -> tuple[float, float]:
    from auditor.batch.engines import LocalEngine

    with LocalEngine(jobs, timeout=60) as eng:
        list(eng.run(burn, [ms] * 4 * jobs, None))  # workers up
        c0, t0 = _cpu(), time.perf_counter()
        done = sum(1 for _ in eng.run(burn, [ms] * n, None))
        return time.perf_counter() - t0, (_cpu() - c0) / done


def executor_run(jobs: int, n: int, ms: float) -> tuple[float, float]:
    import multiprocessing

    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("forkserver")) as pool:
        list(pool.map(burn, [ms] * 4 * jobs))
        c0, t0 = _cpu(), time.perf_counter()
        done = sum(1 for _ in pool.map(burn, [ms] * n))
        return time.perf_counter() - t0, (_cpu() - c0) / done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--ms", type=float, default=8.0)
    args = ap.parse_args()
    print("| runner | -j | wall s | ideal s | wall / ideal | parent CPU per task (ms) |")
    print("|---|---|---|---|---|---|")
    for jobs in (1, 2):
        for name, run in (("auditor LocalEngine", engine_run), ("ProcessPoolExecutor.map", executor_run)):
            wall, cpu = run(jobs, args.n, args.ms)
            ideal = args.n * args.ms / 1000 / jobs
            print(f"| {name} | {jobs} | {wall:.2f} | {ideal:.2f} | {wall / ideal:.3f} | {cpu * 1000:.3f} |")


if __name__ == "__main__":
    main()
