"""The annotated HTML in a real headless Chromium: marks render, embedded scripts stay text."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.checks.finding import TextEvidence

pytestmark = pytest.mark.browser

MINI = Path(__file__).parent / "render" / "data" / "mini_2021.txt"
REAL = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "real" / "000_02434a0845e90c92.txt"
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
ATTACK = ("<script>document.title='pwned'</script>\n"
          "<img src=x onerror=\"document.title='pwned'\">\n")


def _browser() -> str:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium/Chrome found (Debian: apt-get install chromium); the browser test needs one")


def dump_dom(page: str, tmp_path: Path) -> str:
    html_file = tmp_path / "report.html"
    html_file.write_text(page, encoding="utf-8")
    cmd = [_browser(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", html_file.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout


def audit(text: str, name: str):
    from auditor.pipeline import audit_text

    return audit_text(text, filename=name)


def _reports():
    yield "mini", MINI.read_text(encoding="utf-8")
    if REAL.exists():
        yield "real", REAL.read_text(encoding="utf-8")


@pytest.mark.parametrize("name, text", list(_reports()))
def test_every_text_finding_is_highlighted(name, text, tmp_path):
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    from auditor.render.html import render_html

    report = audit(ATTACK + text, f"{name}.txt")
    dom = HTMLParser(dump_dom(render_html(report), tmp_path))

    with_text = {f.id for f in report.findings if any(isinstance(e, TextEvidence) for e in f.evidence)}
    marked = {m.attributes["data-finding"] for m in dom.css(".doc mark[data-finding]")}
    assert with_text and marked == with_text
    assert len(dom.css(".panel .finding")) == len(report.findings)
    # the page's own script ran (so the CSP hash is right) ...
    assert dom.css_first("html").attributes.get("data-ready") == "1"
    # ... and the report's did not: it is shown as text, and the title is the page's own
    assert dom.css_first("title").text() != "pwned"
    assert "审核结果" in dom.css_first("title").text()
    doc_text = dom.css_first(".doc").text(deep=True)
    assert doc_text.startswith(ATTACK.rstrip("\n").split("\n")[0])
    assert not dom.css(".doc script") and not dom.css(".doc img")


def test_a_pdf_reports_marks_sit_on_their_offsets_and_show_the_page(tmp_path):
    """Issue 18, point 5: in the view of a PDF, each mark holds exactly the text its finding's
    offsets name, and the finding says which page of the PDF it is on."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    from auditor.render.html import render_html

    report = _pdf_report()
    dom = HTMLParser(dump_dom(render_html(report), tmp_path))
    nt002 = next(f for f in report.findings if f.code == "NT002")
    marks = [m for m in dom.css(".doc mark[data-finding]") if m.attributes["data-finding"] == nt002.id]
    start, end = nt002.main_span
    assert marks and marks[0].text(deep=True) == report.text[start:end] == "收到申请5件"
    item = dom.css_first(f"#f-{nt002.id}")
    assert item.css_first(".page").text() == "第2页"


def _printed(page_html: str, tmp_path: Path):
    """The page as Chromium lays it out and prints it (backgrounds kept): a PDF to measure."""
    import pypdfium2 as pdfium

    html_file, pdf_file = tmp_path / "view.html", tmp_path / "view.pdf"
    html_file.write_text(page_html, encoding="utf-8")
    cmd = [_browser(), *FLAGS, "--no-pdf-header-footer", f"--user-data-dir={tmp_path / 'profile'}",
           f"--print-to-pdf={pdf_file}", html_file.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and pdf_file.exists(), done.stderr[-2000:]
    return pdfium.PdfDocument(str(pdf_file))


def _fills(page) -> list[tuple[tuple[float, float, float, float], tuple[int, int, int, int]]]:
    import ctypes

    import pypdfium2 as pdfium

    out = []
    for obj in page.get_objects():
        if obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH:
            rgba = [ctypes.c_uint() for _ in range(4)]
            pdfium.raw.FPDFPageObj_GetFillColor(obj.raw, *[ctypes.byref(c) for c in rgba])
            out.append((obj.get_bounds(), tuple(c.value for c in rgba)))
    return out


def _severity_fill(severity: str) -> tuple[int, int, int, int]:
    import re

    css = (Path(__file__).resolve().parents[1] / "auditor" / "render" / "assets" / "report.css").read_text()
    r, g, b, a = re.search(rf"--{severity}-bg:rgba\((\d+),(\d+),(\d+),([.\d]+)\)", css).groups()
    return int(r), int(g), int(b), round(float(a) * 255)


def _highlighted(pdf, quote: str, fill: tuple) -> bool:
    """Some place the quote is printed has every glyph on a rectangle of the severity's colour."""
    for k in range(len(pdf)):
        page = pdf[k]
        text = page.get_textpage()
        rects = [bounds for bounds, color in _fills(page) if color == fill]
        search = text.search(quote)
        while (hit := search.get_next()) is not None:
            start, count = hit
            centres = [((x0 + x1) / 2, (y0 + y1) / 2) for x0, y0, x1, y1 in
                       (text.get_charbox(i) for i in range(start, start + count))]
            if all(any(l <= x <= r and b <= y <= t for l, b, r, t in rects) for x, y in centres):
                return True
    return False


def _pdf_report():
    import sys

    from auditor.pipeline import audit_bytes

    sys.path.insert(0, str(Path(__file__).parent / "ingest"))
    try:
        from test_ingest_pdf import S, make_pdf
    finally:
        sys.path.pop(0)
    p1 = [(150, 780, 16, "某区2023年政府信息公开工作年度报告"), (96, 700, S, "一、总体情况")]
    p2 = [(72, 780, S, "本年度共收到申请5件，其中自然人申请2件、"), (72, 760, S, "法人或者其他组织申请4件。")]
    return audit_bytes(make_pdf([p1, p2]), filename="r.pdf")


@pytest.mark.parametrize("kind", ["text", "pdf"])
def test_as_laid_out_each_marks_colour_lies_under_exactly_its_findings_words(kind, tmp_path):
    """The view as Chromium lays it out and prints it: for every finding with text evidence, the
    glyphs of text[start:end] sit on a rectangle of the finding's severity colour; for a PDF the
    page it is on is printed beside it."""
    from auditor.render.html import render_html

    report = audit(MINI.read_text(encoding="utf-8"), "mini.txt") if kind == "text" else _pdf_report()
    pdf = _printed(render_html(report), tmp_path)
    checked = 0
    for f in report.findings:
        spans = [e for e in f.evidence if isinstance(e, TextEvidence)]
        if not spans or f.severity == "info":
            continue
        quote = report.text[spans[0].start:spans[0].end]
        for piece in quote.split():  # a cell's label and figure are printed apart, not with the tab
            assert _highlighted(pdf, piece, _severity_fill(f.severity)), (f.code, piece)
        checked += 1
    assert checked or kind == "text"
    if kind == "pdf":
        assert checked and "第2页" in "".join(pdf[k].get_textpage().get_text_range() for k in range(len(pdf)))
