"""Snapshot of every finding on every corpus, to show a change leaves the outputs as they were.

    .venv/bin/python eval/snapshot.py take /tmp/before.json
    ... change the code ...
    .venv/bin/python eval/snapshot.py take /tmp/after.json
    .venv/bin/python eval/snapshot.py diff /tmp/before.json /tmp/after.json

Each file of the committed sample, of the project's gold corpus and (when present) of the shared
corpora is audited alone; the shared real and wild reports are also run as one batch, so that the
cross-year pairing and the copy detection between reports are in the snapshot too. A finding is
recorded with its code, check, severity, stated and expected values, message and evidence spans.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "corpora"
SUFFIXES = {".txt", ".html", ".htm", ".docx", ".pdf"}


def corpus_files() -> list[Path]:
    dirs = [REPO / "corpora" / "sample", SHARED / "real", SHARED / "wild", SHARED / "snippets"]
    return sorted(p for d in dirs if d.is_dir() for p in d.iterdir() if p.suffix.lower() in SUFFIXES)


def _finding(f: dict) -> list:
    spans = [[e.get("start"), e.get("end")] for e in f.get("evidence", []) if "start" in e]
    cells = [e.get("cell") for e in f.get("evidence", []) if e.get("cell")]
    return [f["code"], f["check"], f["severity"], f.get("stated"), f.get("expected"), f["message"], spans, cells]


def _single(path: Path) -> dict:
    from auditor import audit_path

    try:
        d = audit_path(path).to_dict()
    except Exception as exc:  # an error is a result too
        return {"error": type(exc).__name__ + ": " + str(exc)}
    return {"findings": sorted(_finding(f) for f in d["findings"]),
            "errors": sorted(e.get("code", "") for e in d.get("errors", [])),
            "tables": d.get("tables"), "claims": d.get("claims"), "coverage": d.get("coverage"),
            "warnings": d.get("warnings")}


def _batch(dirs: list[Path]) -> dict:
    from auditor.batch import run_batch

    inputs = [str(d) for d in dirs if d.is_dir()]
    if not inputs:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        run_batch(inputs, out, jobs=1)
        rows = {}
        for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            rows[Path(d["source"]).name] = [d["status"]] + sorted(_finding(f) for f in d.get("findings", []))
        return rows


def take(out: Path) -> None:
    snap = {"files": {}, "batch": {}}
    for p in corpus_files():
        snap["files"][str(p.relative_to(p.parent.parent))] = _single(p)
    snap["batch"] = _batch([SHARED / "real", SHARED / "wild"])
    out.write_text(json.dumps(snap, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
    n = sum(len(v.get("findings", [])) for v in snap["files"].values())
    print(f"{len(snap['files'])} files, {n} findings; batch {len(snap['batch'])} reports -> {out}")


def diff(a: Path, b: Path) -> int:
    old, new = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
    changed = 0
    for part in ("files", "batch"):
        for key in sorted(set(old[part]) | set(new[part])):
            if old[part].get(key) != new[part].get(key):
                changed += 1
                print(f"{part}: {key} differs")
                o, n = old[part].get(key), new[part].get(key)
                if isinstance(o, dict) and isinstance(n, dict):
                    o, n = o.get("findings", []), n.get("findings", [])
                for f in (o or []):
                    if f not in (n or []):
                        print("  -", json.dumps(f, ensure_ascii=False))
                for f in (n or []):
                    if f not in (o or []):
                        print("  +", json.dumps(f, ensure_ascii=False))
    print("identical" if not changed else f"{changed} entries differ")
    return 1 if changed else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("take")
    t.add_argument("out", type=Path)
    d = sub.add_parser("diff")
    d.add_argument("a", type=Path)
    d.add_argument("b", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "take":
        take(args.out)
        return 0
    return diff(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
