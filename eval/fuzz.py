"""Fuzz campaign and hostile-size benchmark (issue 17): a measurement, not a test.

    .venv/bin/python eval/fuzz.py campaign --n 10000            # the loaders, one fork per input
    .venv/bin/python eval/fuzz.py serve --requests 1000         # a live `auditor serve`, concurrency 16
    .venv/bin/python eval/fuzz.py sizes --size 200000           # each text generator at 200 kB

``campaign`` audits each input (tests/fuzzkit.py: generated texts in five encodings, mutated
files of every kind, DOCX with mutated XML, HTML shapes, random bytes) in a process forked from
a warmed parent, renders it in every format, and records the outcome: a report, a clean input
error (its code), or a crash (exception type and innermost frame of this package, a signal, or
the time limit). Peak memory is the child's high-water mark above the parent's at the fork.
``serve`` sends mixed requests (JSON text and HTML, multipart uploads of every kind, PDFs
included) and reports the status codes and the server's resident memory before and after.
``sizes`` audits each generator's 200 kB text in a fresh process: seconds and peak MB.

Results go to ``eval/results/fuzz-<label>.json`` and ``.md`` (``--label``, default ``after``).
To measure an older commit, put its checkout first: ``PYTHONPATH=/path/to/checkout``.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # fork-safe numerics
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

from fuzzkit import GENERATORS, fuzz_inputs  # noqa: E402

FORMATS = ("json", "text", "csv", "html", "sarif")


def _rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _signature(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/auditor/" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__} at {where}"


def _audit_one(name: str, data: bytes) -> dict:
    from auditor.errors import AuditorError
    from auditor.pipeline import audit_bytes
    from auditor.render import render

    start_rss = _rss_mb()
    t0 = time.perf_counter()
    try:
        report = audit_bytes(data, filename=name)
        for fmt in FORMATS:
            render(report, fmt).encode("utf-8")
        outcome = "report"
    except AuditorError as exc:
        outcome = f"error {exc.code}"
    except Exception as exc:  # noqa: BLE001 - what the campaign looks for
        outcome = f"crash {_signature(exc)}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"outcome": outcome, "seconds": time.perf_counter() - t0, "peak_mb": max(0.0, peak - start_rss)}


def _fork(name: str, data: bytes):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: audit, write one JSON line, leave without cleanup
        os.close(r)
        try:
            result = _audit_one(name, data)
        except BaseException as exc:  # noqa: BLE001
            result = {"outcome": f"crash {_signature(exc)}", "seconds": 0.0, "peak_mb": 0.0}
        os.write(w, json.dumps(result).encode())
        os._exit(0)
    os.close(w)
    return pid, r


def campaign(args) -> dict:
    from auditor.pipeline import audit_text

    audit_text((REPO / "auditor" / "data" / "sample_report.txt").read_text(encoding="utf-8"))  # warm the parent
    inputs = fuzz_inputs(args.seed, args.n, args.max_size)
    running: dict[int, tuple] = {}
    rows: list[dict] = []
    t_start = time.perf_counter()

    def reap(block: bool) -> None:
        for pid, (r, kind, name, size, t0) in list(running.items()):
            elapsed = time.perf_counter() - t0
            done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
            if done == 0 and elapsed > args.timeout:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                out = {"outcome": f"crash timeout>{args.timeout:g}s", "seconds": elapsed, "peak_mb": 0.0}
            elif done == 0:
                continue
            else:
                raw = b"".join(iter(lambda: os.read(r, 65536), b""))
                if os.WIFSIGNALED(status):
                    out = {"outcome": f"crash signal {os.WTERMSIG(status)}", "seconds": elapsed, "peak_mb": 0.0}
                else:
                    out = json.loads(raw) if raw else {"outcome": "crash no result", "seconds": elapsed, "peak_mb": 0.0}
            os.close(r)
            del running[pid]
            rows.append({"kind": kind, "name": name, "bytes": size, **out})
            if len(rows) % 500 == 0:
                print(f"  {len(rows)} inputs, {time.perf_counter() - t_start:.0f} s", file=sys.stderr, flush=True)
            block = False

    for kind, name, data in inputs:
        while len(running) >= args.jobs:
            reap(False)
            if len(running) >= args.jobs:
                time.sleep(0.002)
        pid, r = _fork(name, data)
        running[pid] = (r, kind, name, len(data), time.perf_counter())
    while running:
        reap(False)
        time.sleep(0.002)
    crashes = Counter(r["outcome"][6:] for r in rows if r["outcome"].startswith("crash"))
    worst_time = max(rows, key=lambda r: r["seconds"])
    worst_mem = max(rows, key=lambda r: r["peak_mb"])
    return {
        "inputs": len(rows), "seed": args.seed, "max_size": args.max_size, "wall_s": round(time.perf_counter() - t_start, 1),
        "outcomes": dict(Counter(r["outcome"] if not r["outcome"].startswith("crash") else "crash" for r in rows)),
        "kinds": dict(Counter(r["kind"] for r in rows)),
        "crashes": dict(crashes.most_common()),
        "crash_examples": {sig: next(r["name"] + " " + r["kind"] for r in rows if r["outcome"] == "crash " + sig)
                           for sig in crashes},
        "worst_seconds": {"seconds": round(worst_time["seconds"], 2), "kind": worst_time["kind"], "bytes": worst_time["bytes"]},
        "worst_peak_mb": {"mb": round(worst_mem["peak_mb"], 1), "kind": worst_mem["kind"], "bytes": worst_mem["bytes"]},
        "median_seconds": round(sorted(r["seconds"] for r in rows)[len(rows) // 2], 3),
    }


def serve(args) -> dict:
    import httpx
    from concurrent.futures import ThreadPoolExecutor

    port = args.port
    env = {**os.environ, "AUDITOR_WARM_UP": "1"}
    server = subprocess.Popen([str(Path(sys.executable).parent / "auditor"), "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            for _ in range(600):
                try:
                    if client.get("/healthz").json().get("ready"):
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            sample = (REPO / "auditor" / "data" / "sample_report.txt").read_text(encoding="utf-8")
            for _ in range(4):  # the first audits load the severity model and fill the caches
                client.post("/v1/audit", json={"text": sample})
            before = _rss_mb(server.pid)
            rng = random.Random(args.seed)
            requests = list(fuzz_inputs(args.seed + 1, args.requests, args.max_size))
            pdfs = [r for r in requests if r[1].endswith(".pdf")]

            def send(item):
                kind, name, data = item
                way = rng.random()
                try:
                    if way < 0.25 and not name.endswith((".pdf", ".docx")):
                        text = data.decode("utf-8", "replace")
                        key = "html" if name.endswith(".html") else "text"
                        r = client.post("/v1/audit", json={key: text, "filename": name})
                    else:
                        fmt = rng.choice(("json", "html", "sarif"))
                        r = client.post(f"/v1/audit?format={fmt}", files={"file": (name, data)})
                    return r.status_code
                except httpx.HTTPError as exc:
                    return f"transport {type(exc).__name__}"

            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                codes = list(pool.map(send, requests))
            wall = time.perf_counter() - t0
            time.sleep(2)
            after = _rss_mb(server.pid)
            alive = server.poll() is None and client.get("/healthz").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    counts = Counter(str(c) for c in codes)
    bad = sum(n for c, n in counts.items() if not c.isdigit() or (c.startswith("5") and c not in ("503", "504")))
    return {"requests": len(codes), "pdf_requests": len(pdfs), "concurrency": args.concurrency, "wall_s": round(wall, 1),
            "status": dict(sorted(counts.items())), "server_errors_other_than_503_504": bad, "alive_after": alive,
            "rss_before_mb": round(before, 1), "rss_after_mb": round(after, 1), "rss_growth_mb": round(after - before, 1)}


def sizes(args) -> dict:
    code = ("import random, resource, sys, time\n"
            f"sys.path.insert(0, {str(REPO / 'tests')!r})\n"
            "from fuzzkit import GENERATORS\n"
            "from auditor.pipeline import audit_text\n"
            "from auditor.errors import AuditorError\n"
            "audit_text('本年共收到申请1件，其中予以公开2件。')\n"
            "text = GENERATORS[sys.argv[1]](random.Random(int(sys.argv[3])), int(sys.argv[2]))\n"
            "t0 = time.perf_counter()\n"
            "try:\n    n = len(audit_text(text).findings)\n"
            "except AuditorError as e:\n    n = e.code\n"
            "print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, n)\n")
    out = {}
    for name in sorted(GENERATORS):
        runs = []
        for seed in range(args.seeds):
            run = subprocess.run([sys.executable, "-c", code, name, str(args.size), str(seed)], capture_output=True,
                                 text=True, timeout=600)
            if run.returncode:
                runs.append({"error": run.stderr.strip().splitlines()[-1:]})
                continue
            secs, mb, findings = run.stdout.split()
            runs.append({"seconds": round(float(secs), 2), "peak_mb": round(float(mb)), "findings": findings})
        out[name] = runs
        print(f"  {name}: {runs}", file=sys.stderr, flush=True)
    return {"size": args.size, "seeds": args.seeds, "generators": out,
            "worst_seconds": max((r.get("seconds", 0) for rs in out.values() for r in rs), default=0),
            "worst_peak_mb": max((r.get("peak_mb", 0) for rs in out.values() for r in rs), default=0)}


def _markdown(label: str, results: dict) -> str:
    lines = [f"# Fuzz campaign and hostile sizes ({label})", "",
             "Produced by `eval/fuzz.py`; figures of one run on this machine (2 cores).", ""]
    c = results.get("campaign")
    if c:
        lines += ["## Campaign (loaders, one fork per input)", "",
                  f"- inputs: {c['inputs']} (seed {c['seed']}, up to {c['max_size']} characters of generated text), "
                  f"wall {c['wall_s']} s, median {c['median_seconds']} s an input",
                  f"- outcomes: {c['outcomes']}",
                  f"- worst time: {c['worst_seconds']}", f"- worst peak memory above the parent: {c['worst_peak_mb']}",
                  "", "| crash signature | inputs | example |", "|---|---:|---|"]
        lines += [f"| {sig} | {n} | {c['crash_examples'][sig]} |" for sig, n in c["crashes"].items()] or ["| (none) | 0 | |"]
        lines.append("")
    s = results.get("serve")
    if s:
        lines += ["## Service (`auditor serve`, default limits: 2 workers, 60 s timeout)", "",
                  f"- {s['requests']} requests ({s['pdf_requests']} PDFs) at concurrency {s['concurrency']}, wall {s['wall_s']} s",
                  f"- status codes: {s['status']}",
                  f"- 5xx other than 503/504: {s['server_errors_other_than_503_504']}; alive after: {s['alive_after']}",
                  f"- resident memory: {s['rss_before_mb']} MB before, {s['rss_after_mb']} MB after "
                  f"({s['rss_growth_mb']:+} MB)", ""]
    z = results.get("sizes")
    if z:
        lines += [f"## Texts of {z['size']} characters (fresh process each)", "", "| generator | seconds | peak MB |",
                  "|---|---|---|"]
        for name, runs in z["generators"].items():
            lines.append(f"| {name} | {', '.join(str(r.get('seconds', r.get('error'))) for r in runs)} | "
                         f"{', '.join(str(r.get('peak_mb', '')) for r in runs)} |")
        lines += ["", f"Worst: {z['worst_seconds']} s, {z['worst_peak_mb']} MB.", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", nargs="+", choices=("campaign", "serve", "sizes"))
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--size", type=int, default=200_000)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--max-size", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--label", default="after")
    args = ap.parse_args()
    import auditor

    path = HERE / "results" / f"fuzz-{args.label}.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results["auditor_from"] = str(Path(auditor.__file__).resolve().parent)
    for what in args.what:
        results[what] = {"campaign": campaign, "serve": serve, "sizes": sizes}[what](args)
        print(json.dumps(results[what], ensure_ascii=False, indent=1))
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(_markdown(args.label, results), encoding="utf-8")


if __name__ == "__main__":
    main()
