"""The same report as text, HTML (UTF-8 and undeclared GBK), DOCX and, where Chromium can print it,
PDF gives the same findings (codes, stated and expected values)."""
from __future__ import annotations

import shutil
import subprocess
from collections import Counter

import pytest

from auditor.pipeline import audit_bytes
from auditor_lab.generator import build_report, render_docx, render_html

SEEDS = (3, 11, 27)


def signature(report) -> Counter:
    return Counter((f.code, f.stated, f.expected) for f in report.findings if f.check != "meta.copied")


@pytest.mark.parametrize("seed", SEEDS)
def test_text_html_docx_agree(seed):
    r = build_report(seed, layout="lines", errors=3)
    text = audit_bytes(r.text.encode("utf-8"), filename="r.txt")
    html = audit_bytes(render_html(r), filename="r.html")
    gbk = audit_bytes(render_html(r, encoding="gbk", declare_charset=False), filename="r.html")
    docx = audit_bytes(render_docx(r), filename="r.docx")
    assert signature(text), "the generated report should carry findings"
    assert signature(html) == signature(text)
    assert signature(gbk) == signature(text)
    assert signature(docx) == signature(text)
    assert html.tables == text.tables == docx.tables


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_pdf_printed_from_the_html_agrees(tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium to print the HTML rendering to PDF (.ci/run installs Debian chromium)")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True) if shutil.which("fc-list") else None
    if fonts is None or not fonts.stdout.strip():
        pytest.skip("no CJK font for Chromium to print Chinese (.ci/run installs Debian fonts-noto-cjk)")
    r = build_report(SEEDS[0], layout="lines", errors=3)
    page = tmp_path / "r.html"
    page.write_bytes(render_html(r, chrome=False))
    pdf = tmp_path / "r.pdf"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", page.as_uri()], check=True, capture_output=True, timeout=120)
    text = audit_bytes(r.text.encode("utf-8"), filename="r.txt")
    printed = audit_bytes(pdf.read_bytes(), filename="r.pdf")
    assert printed.tables == text.tables
    assert signature(printed) == signature(text)
