"""OCR readings into findings: OCR'd evidence is marked, and a difference one low-confidence digit
explains is a doubt ("worth a look"), not a proven error."""
from __future__ import annotations

from auditor.checks.finding import CellEvidence, Finding, TextEvidence
from auditor.checks.reading import mark_readings
from auditor.severity.guideline import guideline_severity

# a row whose total reads 96 where its parts add to 95: the 6 was read with confidence 0.55
TEXT = "（七）总计 95 0 0 0 0 0 96"
TOTAL = TEXT.rindex("96")


def row_sum(stated=96, expected=95) -> Finding:
    cells = (CellEvidence("applications", "total", "natural_person", 95, 7, 9),
             CellEvidence("applications", "total", "total", stated, TOTAL, TOTAL + 2))
    return Finding("TB001", "table.row_sum", "high", "合计不符", stated=stated, expected=expected, evidence=cells)


def test_a_difference_one_unsure_digit_explains_is_a_doubt_and_info():
    unsure = [(TOTAL + 1, 0.55)]
    [f] = mark_readings([row_sum()], TEXT, [(0, len(TEXT))], unsure, low=0.9)
    assert f.facts["ocr_doubt"] is True and f.facts["ocr_confidence"] == 0.55
    assert guideline_severity(f) == "info"
    total = f.to_dict()["evidence"][1]
    assert total["read_by"] == "ocr" and total["confidence"] == 0.55
    assert total["unsure"] == [{"offset": TOTAL + 1, "confidence": 0.55}]
    assert f.ocr_confidence == 0.55


def test_a_sure_reading_or_a_difference_no_digit_explains_stays_an_error():
    sure = [(TOTAL + 1, 0.97)]
    [f] = mark_readings([row_sum()], TEXT, [(0, len(TEXT))], sure, low=0.9)
    assert "ocr_doubt" not in f.facts and f.facts["ocr_confidence"] == 0.97
    assert guideline_severity(f) == "high"
    # the units digit is unsure, but the difference is 13: no one digit of the units place makes it
    [g] = mark_readings([row_sum(stated=108)], TEXT, [(0, len(TEXT))], [(TOTAL + 1, 0.5)], low=0.9)
    assert "ocr_doubt" not in g.facts and guideline_severity(g) == "high"


def test_a_tens_digit_explains_a_difference_of_tens():
    [f] = mark_readings([row_sum(stated=65, expected=95)], TEXT, [(0, len(TEXT))], [(TOTAL, 0.6)], low=0.9)
    assert f.facts.get("ocr_doubt") is True


def test_evidence_outside_the_ocr_pages_is_left_alone():
    finding = Finding("NT001", "narrative.table_mismatch", "high", "不符", stated=7, expected=5,
                      evidence=(TextEvidence(0, 4, TEXT[:4]),))
    assert mark_readings([finding], TEXT, [], [], low=0.9) == [finding]
    [same] = mark_readings([finding], TEXT, [(10, len(TEXT))], [], low=0.9)
    assert same == finding and same.ocr_confidence is None and "read_by" not in same.to_dict()["evidence"][0]


def test_a_row_read_short_among_unsure_digits_is_a_doubt():
    text = "3.要求提供公开出版物 1 1 1"
    row = TextEvidence(0, len(text), text)
    short = Finding("TB005", "table.missing", "low", "该行只有3个数字", evidence=(row,))
    unsure = [(text.index("1"), 0.5)]
    [f] = mark_readings([short], text, [(0, len(text))], unsure, low=0.9)
    assert f.facts["ocr_doubt"] is True and guideline_severity(f) == "info"
    [g] = mark_readings([short], text, [(0, len(text))], [(text.index("1"), 0.95)], low=0.9)
    assert "ocr_doubt" not in g.facts and guideline_severity(g) == "low"
