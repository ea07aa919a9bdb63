"""The annotated HTML page: marks, nesting, escaping, tables, self-containment."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from auditor.checks.finding import CellEvidence, Finding, TextEvidence
from auditor.render.html import render_html
from auditor.report import Report

MINI = Path(__file__).parent / "data" / "mini_2021.txt"
VOID = {"meta", "br", "input", "img", "link", "hr", "wbr"}


class DocReader(HTMLParser):
    """Checks that tags nest properly and collects the text and mark ids inside ``.doc``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.active: list[str | None] = []  # per open tag: the finding id of a mark, else None
        self.covered: dict[str, str] = {}  # finding id -> the text inside its marks
        self.doc_depth: int | None = None
        self.doc_text: list[str] = []
        self.marks: list[dict] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag in VOID:
            return
        self.stack.append(tag)
        self.active.append(attrs.get("data-finding") if tag == "mark" else None)
        if attrs.get("class") == "doc":
            self.doc_depth = len(self.stack)
        if tag == "mark" and self.doc_depth:
            self.marks.append(attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        if self.doc_depth == len(self.stack):
            self.doc_depth = None
        self.stack.pop()
        self.active.pop()

    def handle_data(self, data):
        if self.doc_depth:
            self.doc_text.append(data)
            for fid in {f for f in self.active if f}:
                self.covered[fid] = self.covered.get(fid, "") + data


def read(page: str) -> DocReader:
    reader = DocReader()
    reader.feed(page)
    reader.close()
    assert reader.stack == []
    return reader


def make_report(text: str, findings: list[Finding], tables: dict | None = None) -> Report:
    return Report(source="t.txt", sha256="0" * 64, input_kind="text", text=text, findings=findings,
                  tables=tables or {}, format="2021", tool_version="test")


def text_finding(fid: str, severity: str, *spans: tuple[int, int], text: str) -> Finding:
    return Finding(code="TB001", check="table.row_sum", severity=severity, message=f"问题{fid}", id=fid,
                   evidence=tuple(TextEvidence(s, e, text[s:e]) for s, e in spans))


def test_overlapping_spans_nest_and_keep_the_text():
    text = "第一段文字，甲乙丙丁戊己庚辛。\n第二段。"
    findings = [
        text_finding("F1", "high", (3, 10), text=text),   # crosses F2
        text_finding("F2", "medium", (6, 14), text=text),
        text_finding("F3", "low", (7, 8), (0, 2), text=text),  # inside both, plus a second span
        text_finding("F4", "info", (12, 12), text=text),  # zero-length
    ]
    reader = read(render_html(make_report(text, findings)))
    assert "".join(reader.doc_text) == text
    assert {m["data-finding"] for m in reader.marks} == {"F1", "F2", "F3", "F4"}
    assert {m["class"] for m in reader.marks} == {"sev-high", "sev-medium", "sev-low", "sev-info"}
    anchors = [m["id"] for m in reader.marks if "id" in m]
    assert sorted(anchors) == ["m-F1", "m-F2", "m-F3", "m-F4"]


def test_marked_text_is_exactly_the_evidence():
    text = "甲乙丙丁戊己庚辛壬癸"
    findings = [text_finding("F1", "high", (2, 5), text=text), text_finding("F2", "low", (4, 8), text=text),
                text_finding("F3", "medium", (0, 10), text=text)]
    reader = read(render_html(make_report(text, findings)))
    assert reader.covered == {"F1": text[2:5], "F2": text[4:8], "F3": text}


def test_report_text_is_escaped_and_nothing_is_fetched():
    text = "<script>document.title='pwned'</script>\n<img src=x onerror=alert(1)> & “引号”"
    finding = text_finding("F1", "high", (0, 8), text=text)
    page = render_html(make_report(text, [finding]))
    reader = read(page)
    assert "".join(reader.doc_text) == text
    assert reader.scripts == 1  # the page's own script only
    assert "<script>document" not in page and "<img src=x" not in page
    assert not re.search(r'\b(src|href)="(https?:)?//', page)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_statutory_tables_mark_offending_cells():
    text = "（七）总计\t9"
    cell = CellEvidence(table="applications", row="total_processed", column="total", value=9, start=6, end=7)
    finding = Finding(code="TB003", check="table.balance", severity="high", message="不平衡", id="F1",
                      evidence=(cell,))
    tables = {"applications.total_processed.total": 9, "applications.granted.total": None,
              "active.rules.issued": 0, "appeals.review.total": 1}
    page = render_html(make_report(text, [finding], tables))
    for name in ("表二", "表三", "表四", "（七）总计", "自然人", "行政复议", "结果维持"):
        assert name in page
    cell_html = re.search(r'<td id="c-applications\.total_processed\.total"[^>]*>', page).group(0)
    assert "flag" in cell_html and "sev-high" in cell_html and 'data-cell-findings="F1"' in cell_html
    assert "blank" in re.search(r'<td id="c-applications\.granted\.total"[^>]*>', page).group(0)
    assert "absent" in re.search(r'<td id="c-applications\.granted\.natural_person"[^>]*>', page).group(0)
    # a finding with only cell evidence jumps to its cell
    assert 'href="#c-applications.total_processed.total"' in page


def test_findings_panel_groups_by_severity_in_chinese():
    text = "甲乙丙丁戊己"
    findings = [text_finding("F1", "high", (0, 1), text=text), text_finding("F2", "low", (2, 3), text=text),
                text_finding("F3", "high", (4, 5), text=text)]
    page = render_html(make_report(text, findings))
    groups = re.findall(r'<section class="group sev-(\w+)"><h3>(\w+)<span class="count">(\d+)</span>', page)
    assert groups == [("high", "严重", "2"), ("low", "轻微", "1")]
    assert page.index('id="f-F1"') < page.index('id="f-F3"') < page.index('id="f-F2"')
    assert 'href="#m-F2"' in page and "发现的问题（3）" in page


def test_pipeline_report_round_trip():
    from auditor.pipeline import audit_text

    report = audit_text(MINI.read_text(encoding="utf-8"), filename="mini.txt")
    reader = read(render_html(report))
    assert "".join(reader.doc_text) == report.text
    with_text = {f.id for f in report.findings if any(isinstance(e, TextEvidence) for e in f.evidence)}
    assert with_text and {m["data-finding"] for m in reader.marks} == with_text


@pytest.mark.parametrize("bad", [(-1, 3), (5, 2), (0, 999)])
def test_out_of_range_evidence_is_skipped(bad):
    text = "甲乙丙丁"
    finding = Finding(code="TB001", check="table.row_sum", severity="high", message="m", id="F1",
                      evidence=(TextEvidence(bad[0], bad[1], "?"),))
    reader = read(render_html(make_report(text, [finding])))
    assert "".join(reader.doc_text) == text and reader.marks == []
