"""Scanned reports end to end: image-only PDFs the project makes itself are audited as their
text-layer versions are, in a batch beside text reports, and without any network."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console

from auditor.batch import run_batch
from auditor.pipeline import audit_bytes
from reportkit import Spec, report_text
from scankit import drawn_pdf, need_ocr
from shared_corpus import REAL, gold, need

SCANNED_REPORT = [["湖阳市示例局2023年政府信息公开工作年度报告", "一、总体情况",
                   "2023年，本机关共收到政府信息公开申请15件，予以公开9件。"]]


def signature(report) -> Counter:
    return Counter((f.code, f.severity, f.stated, f.expected) for f in report.findings)


@pytest.mark.parametrize("name", ["hongze-2023.pdf", "hongze-2024.pdf", "huaian-2024.pdf"])
def test_shared_pdfs_scanned_at_200_dpi_audit_as_their_text_layer(name):
    """The acceptance of scanned reports: the shared PDFs rendered to 200-dpi image-only PDFs give
    the text layer's findings, all of the gold and nothing else, and (nearly) all its cells."""
    need_ocr()
    from auditor_lab.evaluation import score
    from auditor_lab.scan import scanned

    path = need(REAL / name)
    text_layer = audit_bytes(path.read_bytes(), filename=name)
    scan = audit_bytes(scanned(path.read_bytes()), filename=name)
    assert scan.ocr_pages and not text_layer.ocr_pages
    assert signature(scan) == signature(text_layer)
    result = score([(scan.to_dict(), gold(path))])
    assert result.overall.recall == 1.0 and result.overall.precision == 1.0
    same = sum(scan.tables.get(k) == v for k, v in text_layer.tables.items())
    assert same >= 0.98 * len(text_layer.tables)
    assert all(ev.get("read_by") == "ocr" for f in scan.to_dict()["findings"] for ev in f["evidence"]
               if ev.get("start") is not None)


def test_a_generated_report_scanned_noisy_and_askew_keeps_its_tables_and_findings():
    need_ocr()
    from auditor_lab.generator import build_report, render_html
    from auditor_lab.scan import CONDITIONS, browser, print_pdf, scanned

    if browser() is None:
        pytest.skip("no Chromium to print the generated report to PDF (.ci/run installs Debian chromium)")
    report = build_report(3, layout="lines", errors=3)
    printed = print_pdf(render_html(report, chrome=False))
    text_layer = audit_bytes(printed, filename="r.pdf")
    worst = next(c for c in CONDITIONS if c.noise and c.rotate)
    scan = audit_bytes(scanned(printed, worst), filename="r.pdf")
    assert scan.tables == text_layer.tables
    assert not signature(text_layer) - signature(scan)  # every finding of the text layer is found


def _rows(out: Path, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / name).read_text(encoding="utf-8-sig"))))


def test_a_batch_mixing_scanned_and_text_reports_accounts_for_every_file(tmp_path):
    need_ocr()
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "scan-2023.pdf").write_bytes(drawn_pdf(SCANNED_REPORT))
    (corpus / "text-2023.txt").write_text(report_text(Spec("湖阳市示例区人民政府", 2023)), encoding="utf-8")
    (corpus / "empty.pdf").write_bytes(b"")
    (corpus / "blank.pdf").write_bytes(drawn_pdf([[]]))
    out = tmp_path / "out"
    run_batch([corpus], out, jobs=2, console=Console(file=io.StringIO(), width=100))
    rows = {Path(r["source"]).name: r for r in _rows(out, "reports.csv")}
    assert set(rows) == {"scan-2023.pdf", "text-2023.txt", "empty.pdf", "blank.pdf"}
    assert rows["scan-2023.pdf"]["status"] == "ok" and rows["text-2023.txt"]["status"] == "ok"
    assert rows["empty.pdf"]["status"] == "error" and rows["blank.pdf"]["error_code"] == "E109"
    [scan] = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "reports").rglob("*.json")
              if json.loads(p.read_text(encoding="utf-8"))["report"]["source"].endswith("scan-2023.pdf")]
    assert scan["report"]["ocr_pages"] == [1] and scan["report"]["year"] == 2023


_NO_NETWORK = """
import socket, sys
def refuse(*a, **k):
    raise OSError("network used")
socket.socket.connect = refuse
socket.create_connection = refuse
from auditor.ingest import document_from_bytes
doc = document_from_bytes(open(sys.argv[1], "rb").read(), filename="scan.pdf")
print(doc.text.splitlines()[0])
"""


def test_ocr_runs_without_network_or_downloads(tmp_path):
    """The models ship inside the wheel: reading a scan opens no connection and writes no file."""
    need_ocr()
    import rapidocr

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(drawn_pdf(SCANNED_REPORT))
    models = Path(rapidocr.__file__).parent / "models"
    before = sorted(p.name for p in models.iterdir())
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    command = [sys.executable, "-c", _NO_NETWORK, str(scan)]
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        command = ["unshare", "-n", *command]  # a network namespace with no network at all (root, as in CI)
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == SCANNED_REPORT[0][0]
    assert sorted(p.name for p in models.iterdir()) == before
    written = [p.relative_to(home).as_posix() for p in home.rglob("*") if p.is_file()]
    # ONNX Runtime keeps a device id of its own under ~/.cache/Microsoft (no connection: see above)
    assert all("/.onnxruntime/" in f"/{w}" for w in written), written
