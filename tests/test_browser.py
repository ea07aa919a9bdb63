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
    import sys

    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    from auditor.pipeline import audit_bytes
    from auditor.render.html import render_html

    sys.path.insert(0, str(Path(__file__).parent / "ingest"))
    try:
        from test_ingest_pdf import S, make_pdf
    finally:
        sys.path.pop(0)
    p1 = [(150, 780, 16, "某区2023年政府信息公开工作年度报告"), (96, 700, S, "一、总体情况")]
    p2 = [(72, 780, S, "本年度共收到申请5件，其中自然人申请2件、"), (72, 760, S, "法人或者其他组织申请4件。")]
    report = audit_bytes(make_pdf([p1, p2]), filename="r.pdf")
    dom = HTMLParser(dump_dom(render_html(report), tmp_path))
    nt002 = next(f for f in report.findings if f.code == "NT002")
    marks = [m for m in dom.css(".doc mark[data-finding]") if m.attributes["data-finding"] == nt002.id]
    start, end = nt002.main_span
    assert marks and marks[0].text(deep=True) == report.text[start:end] == "收到申请5件"
    item = dom.css_first(f"#f-{nt002.id}")
    assert item.css_first(".page").text() == "第2页"
