"""Scanned reports: how well the OCR path reads them, per scanning condition, and what it costs.

    python eval/ocr.py [--seeds 5] [--out eval/results]

For each generated report (seeds 1..N, printed to a text-layer PDF by Chromium) and, when
../shared is present, each shared PDF, the text-layer PDF is audited once and then its scanned
copies under every condition of ``auditor_lab.scan.CONDITIONS`` (dpi, Gaussian noise, rotation):

- cells: table cells of the scan equal to the text layer's, over the text layer's cells;
- findings: precision, recall and F1 against the gold (the project's harness rule, as score.py),
  beside the text layer's own, so the cost of scanning is the difference;
- seconds per OCR'd page (the OCR share of reading), one process, ONNX Runtime on all cores;
- a batch (``-j 2``) of text reports with and without scanned copies of the same reports:
  the share of the batch's wall time that the scans take.

Writes ``ocr.json`` and ``ocr.md``.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_REAL = ROOT.parent / "shared" / "corpora" / "real"


def _cases(seeds: int):
    from auditor_lab.generator import build_report, render_html
    from auditor_lab.scan import browser, print_pdf

    out = []
    if browser() is not None:
        for seed in range(1, seeds + 1):
            r = build_report(seed, layout="lines", errors=3)
            out.append((f"generated-{seed}", print_pdf(render_html(r, chrome=False)), r.gold, "generated"))
    if SHARED_REAL.is_dir():
        for p in sorted(SHARED_REAL.glob("*.pdf")):
            gold = json.loads(Path(str(p) + ".gold.json").read_text(encoding="utf-8"))
            out.append((p.name, p.read_bytes(), gold, "shared"))
    return out


def accuracy(cases, conditions) -> dict:
    from auditor.pipeline import audit_bytes
    from auditor_lab.evaluation import score
    from auditor_lab.scan import scanned

    rows: dict[str, dict] = {}
    pages = seconds = 0.0
    for name, pdf, gold, group in cases:
        reference = audit_bytes(pdf, filename=f"{name}.pdf")
        cells = reference.tables
        for cond in [None, *conditions]:
            key = (group, "text layer" if cond is None else cond.name)
            row = rows.setdefault(" / ".join(key), {"group": group, "condition": key[1], "pairs": [],
                                                    "cells": 0, "cells_right": 0, "reports": 0})
            if cond is None:
                report = reference
            else:
                t0 = time.perf_counter()
                report = audit_bytes(scanned(pdf, cond, seed=len(name)), filename=f"{name}.pdf")
                seconds += time.perf_counter() - t0
                pages += len(report.ocr_pages)
            row["pairs"].append((report.to_dict(), gold))
            row["cells"] += len(cells)
            row["cells_right"] += sum(report.tables.get(k) == v for k, v in cells.items())
            row["reports"] += 1
            print(f"{name:24} {key[1]:20} cells {row['cells_right']}/{row['cells']}", file=sys.stderr)
    out = {}
    for label, row in rows.items():
        counts = score(row.pop("pairs")).overall
        out[label] = {**row, "cell_accuracy": round(row["cells_right"] / max(1, row["cells"]), 4),
                      "findings": counts.to_dict()}
    return {"conditions": out, "audit_seconds_per_scanned_page": round(seconds / max(1, pages), 3),
            "scanned_pages": int(pages)}


def page_speed(pdf: bytes, reps: int = 2) -> dict:
    """Seconds a page of OCR (render, recognise, lay out), alone and with one thread (a batch worker)."""
    import pypdfium2 as pdfium

    from auditor.ingest.ocr import OcrSettings, read_page

    out = {}
    for label, threads in (("all_cores", 0), ("one_thread", 1)):
        doc = pdfium.PdfDocument(pdf)
        settings = OcrSettings(threads=threads)
        read_page(doc[0], settings)  # loads the models
        t0, n = time.perf_counter(), 0
        for _ in range(reps):
            for i in range(len(doc)):
                read_page(doc[i], settings)
                n += 1
        out[label] = round((time.perf_counter() - t0) / n, 3)
        doc.close()
    return out


def _batch_share(cases, condition, texts: int = 40) -> dict:
    from rich.console import Console

    from auditor.batch import run_batch
    import pypdfium2 as pdfium

    from auditor_lab.generator import generate_corpus
    from auditor_lab.scan import scanned

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        plain, mixed = tmp / "plain", tmp / "mixed"
        generate_corpus(plain, n=texts, seed=5, formats=("txt",))
        generate_corpus(mixed, n=texts, seed=5, formats=("txt",))
        pages = 0
        for name, pdf, _, _ in cases:
            scan = scanned(pdf, condition)
            (mixed / f"scan-{name}.pdf").write_bytes(scan)
            pages += len(pdfium.PdfDocument(scan))
        walls = {}
        for label, folder in (("text_only", plain), ("with_scans", mixed)):
            t0 = time.perf_counter()
            run_batch([folder], tmp / f"out-{label}", jobs=2, console=Console(file=io.StringIO()))
            walls[label] = round(time.perf_counter() - t0, 2)
    share = (walls["with_scans"] - walls["text_only"]) / walls["with_scans"]
    return {"text_reports": texts, "scanned_reports": len(cases), "scanned_pages": pages, "wall_seconds": walls,
            "scan_share_of_wall": round(share, 3),
            "seconds_per_scanned_page_in_batch": round((walls["with_scans"] - walls["text_only"]) / max(1, pages), 3)}


def markdown(res: dict) -> str:
    lines = ["# Scanned reports (OCR)", "",
             f"Measured {res['date']} on {res['machine']}; `python eval/ocr.py --seeds {res['seeds']}`.", "",
             "Each text-layer PDF is audited, then its scanned copies (image-only PDFs made by "
             "`auditor_lab.scan`). Cells: the scan's table cells equal to the text layer's. Findings: "
             "against the gold, with the project's harness rule (as `score.py`).", "",
             "| corpus | condition | reports | cells | findings P | R | F1 |", "|---|---|---|---|---|---|---|"]
    for row in res["accuracy"]["conditions"].values():
        f = row["findings"]
        lines.append(f"| {row['group']} | {row['condition']} | {row['reports']} | "
                     f"{row['cells_right']}/{row['cells']} ({row['cell_accuracy']:.3f}) | "
                     f"{f['precision']:.3f} | {f['recall']:.3f} | {f['f1']:.3f} |")
    speed = res["page_speed"]
    b = res["batch"]
    lines += ["", "## Speed", "",
              f"- OCR of one page (render at 200 dpi, recognise, lay out): {speed['all_cores']} s on all cores, "
              f"{speed['one_thread']} s on one thread (a batch worker's share with `-j 2` on 2 cores).",
              f"- A whole audit of a scanned report: {res['accuracy']['audit_seconds_per_scanned_page']} s a page "
              f"({res['accuracy']['scanned_pages']} pages).",
              f"- A `-j 2` batch of {b['text_reports']} text reports took {b['wall_seconds']['text_only']} s; "
              f"with {b['scanned_reports']} scanned reports ({b['scanned_pages']} pages) added, "
              f"{b['wall_seconds']['with_scans']} s: the scans took {b['scan_share_of_wall']:.0%} of that batch's "
              f"wall time, {b['seconds_per_scanned_page_in_batch']} s a scanned page.", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "results")
    args = ap.parse_args()
    from auditor_lab.scan import CONDITIONS

    cases = _cases(args.seeds)
    if not cases:
        sys.exit("neither Chromium (for generated reports) nor ../shared PDFs: nothing to scan")
    import platform

    res = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
           "seeds": args.seeds}
    res["accuracy"] = accuracy(cases, CONDITIONS)
    res["page_speed"] = page_speed(cases[0][1] if cases[0][3] == "shared" else cases[-1][1])
    res["batch"] = _batch_share([c for c in cases if c[3] == "shared"] or cases[:3], CONDITIONS[0])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ocr.json").write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    (args.out / "ocr.md").write_text(markdown(res), encoding="utf-8")
    print(markdown(res))


if __name__ == "__main__":
    main()
