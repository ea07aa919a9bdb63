"""CSV exports: one row per finding, one row per report."""
from __future__ import annotations

import csv
import io

from auditor.checks.finding import Finding, TextEvidence
from auditor.render import render
from auditor.render.csv import render_findings_csv, render_reports_csv
from auditor.report import Report


def report(source: str, agency: str, findings: list[Finding]) -> Report:
    return Report(source=source, sha256="0" * 64, input_kind="text", text="予以公开7件。" * 3, agency=agency,
                  year=2023, format="2021", findings=findings, tool_version="test")


def finding(fid: str, severity: str, message: str = "正文与表格不符", stated=7) -> Finding:
    return Finding(code="NT001", check="narrative.table_mismatch", severity=severity, message=message,
                   stated=stated, expected=5, evidence=(TextEvidence(0, 6, "予以公开7件"),), id=fid)


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_one_row_per_finding_across_reports():
    a = report("a.txt", "甲局", [finding("F1", "high"), finding("F2", "low", "另一条，含逗号\n和换行")])
    b = report("b.txt", "乙局", [finding("F1", "medium")])
    out = rows(render_findings_csv([a, b.to_dict()]))  # Report objects and contract dicts alike
    assert [(r["source"], r["agency"], r["id"], r["severity"]) for r in out] == [
        ("a.txt", "甲局", "F1", "high"), ("a.txt", "甲局", "F2", "low"), ("b.txt", "乙局", "F1", "medium")]
    assert list(out[0])[:9] == ["source", "agency", "year", "code", "check", "severity", "message", "stated", "expected"]
    assert out[1]["message"] == "另一条，含逗号\n和换行"
    assert (out[0]["year"], out[0]["stated"], out[0]["expected"], out[0]["offset"]) == ("2023", "7", "5", "0")


def test_formula_like_text_is_neutralised_and_bom_is_optional():
    text = render_findings_csv([report("=cmd|' /C calc'!A0", "@局", [finding("F1", "high", stated=-3)])], bom=True)
    assert text.startswith("\ufeff")
    row = rows(text)[0]
    assert row["source"] == "'=cmd|' /C calc'!A0" and row["agency"] == "'@局"
    assert row["stated"] == "-3"  # numbers are left alone


def test_dispatcher_routes_csv():
    a = report("a.txt", "甲局", [finding("F1", "high")])
    assert rows(render(a, "csv"))[0]["code"] == "NT001"


def test_report_rows_count_severities_and_keep_failures():
    a = report("a.txt", "甲局", [finding("F1", "high"), finding("F2", "high"), finding("F3", "info")])
    out = rows(render_reports_csv([a, {"source": "bad.pdf", "status": "error", "error": "PDF 文件损坏"}]))
    assert (out[0]["source"], out[0]["findings"], out[0]["high"], out[0]["info"], out[0]["low"]) == (
        "a.txt", "3", "2", "1", "0")
    assert (out[1]["source"], out[1]["status"], out[1]["error"], out[1]["findings"]) == (
        "bad.pdf", "error", "PDF 文件损坏", "")
