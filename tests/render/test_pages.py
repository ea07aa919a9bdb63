"""Findings of a PDF carry the page an inspector holding the PDF finds them on (issue 18, point 5):
JSON ``page``, 第N页 in the text and HTML views, a ``page`` column in CSV, and in SARIF a page as
the logical location instead of a region of a text the artifact is not."""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from auditor.pipeline import audit_bytes
from auditor.render import render

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
from test_ingest_pdf import S, make_pdf  # noqa: E402

sys.path.pop(0)


@pytest.fixture(scope="module")
def paged():
    p1 = [(150, 780, 16, "某区2023年政府信息公开工作年度报告"), (72, 740, S, "本年度报告中所列数据的统计期限自2023年1月1日起至"),
          (72, 720, S, "2023年12月31日止。"), (96, 700, S, "一、总体情况")]
    p2 = [(72, 780, S, "本年度共收到申请5件，其中自然人申请2件、"), (72, 760, S, "法人或者其他组织申请4件。")]
    report = audit_bytes(make_pdf([p1, p2]), filename="r.pdf")
    nt002 = next(f for f in report.findings if f.code == "NT002")
    assert report.text[nt002.main_span[0]:nt002.main_span[1]] == "收到申请5件"
    return report


def test_json_gives_the_page_of_each_finding(paged):
    findings = json.loads(render(paged, "json"))["findings"]
    assert next(f for f in findings if f["code"] == "NT002")["page"] == 2
    assert all("page" in f for f in findings)
    assert [f["page"] for f in findings if f["code"] == "TB005"] == [None]  # a table not found has no place


def test_text_html_and_csv_show_the_page(paged):
    assert any("NT002" in line and "第2页" in line for line in render(paged, "text").splitlines())
    assert 'data-page="2">第2页</span>' in render(paged, "html")
    rows = list(csv.DictReader(io.StringIO(render(paged, "csv").lstrip("\ufeff"))))
    assert next(r for r in rows if r["code"] == "NT002")["page"] == "2"


def test_sarif_names_the_page_and_no_region_of_the_text(paged):
    run = json.loads(render(paged, "sarif"))["runs"][0]
    result = next(r for r in run["results"] if r["ruleId"] == "NT002")
    location = result["locations"][0]
    assert "region" not in location["physicalLocation"]
    assert location["logicalLocations"][0]["name"] == "第2页"
    nt002 = next(f for f in paged.findings if f.code == "NT002")
    assert result["properties"]["page"] == 2
    assert result["properties"]["textRegion"]["charOffset"] == nt002.main_span[0]


def test_a_text_report_has_no_page(tmp_path):
    text = (Path(__file__).parent / "data" / "mini_2021.txt").read_text(encoding="utf-8")
    report = audit_bytes(text.encode(), filename="r.txt")
    assert all("page" not in f for f in json.loads(render(report, "json"))["findings"])
    assert "第1页" not in render(report, "text")


def test_a_docx_with_page_breaks_gives_pages_and_one_without_gives_none():
    import docx

    def build(breaks: bool) -> bytes:
        d = docx.Document()
        d.add_paragraph("某区2023年政府信息公开工作年度报告")
        d.add_paragraph("本年度报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。")
        if breaks:
            d.add_page_break()
        heading = d.add_paragraph()
        if breaks:  # Word also marks where the page began on its last layout: the same boundary, once
            from docx.oxml import OxmlElement

            heading.add_run()._r.append(OxmlElement("w:lastRenderedPageBreak"))
        heading.add_run("一、总体情况")
        p = d.add_paragraph("本年度共收到申请5件，其中自然人申请2件、")
        p.add_run("法人或者其他组织申请4件。")
        if breaks:
            d.add_page_break()
            d.add_paragraph("二、主动公开政府信息情况")
        buf = io.BytesIO()
        d.save(buf)
        return buf.getvalue()

    paged = audit_bytes(build(True), filename="r.docx")
    nt002 = next(f for f in paged.findings if f.code == "NT002")
    assert paged.page_of(nt002) == 2
    assert [p for _, p in paged.page_starts] == [1, 2, 3]
    assert paged.page_starts[-1][0] == paged.text.index("二、主动公开")
    flat = audit_bytes(build(False), filename="r.docx")
    assert flat.page_starts == () and all("page" not in f for f in json.loads(render(flat, "json"))["findings"])
