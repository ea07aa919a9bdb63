"""Ingest: scanned PDF pages read by OCR (layout by geometry, confidences, the missing extra)."""
from __future__ import annotations

import io
import math

import pytest

from auditor.errors import InputError
from auditor.ingest import document_from_bytes, ocr
from auditor.ingest.ocr import OcrSettings
from auditor.ingest.ocr_layout import _Box, _cells, _lines, _Rule, _skew, _split_boxes, _Wall
from scankit import drawn_pdf, need_ocr


def box(text: str, x: float, top: float, *, w: float = 30, h: float = 30, vertical: bool = False, conf: float = 1.0) -> _Box:
    """A recognised box: one glyph a character, laid left to right (or top to bottom)."""
    if vertical:
        return _Box([(ch, x, top + i * h, x + w, top + (i + 1) * h, conf) for i, ch in enumerate(text)], True)
    return _Box([(ch, x + i * w, top, x + (i + 1) * w, top + h, conf) for i, ch in enumerate(text)], False)


def texts(lines) -> list[str]:
    return ["".join(g[0] for g in line) for line in lines]


def test_a_wrapped_label_comes_before_its_rows_figures():
    # one table row between rules at 100 and 200: a label on two lines, the figures centred between
    rules = [_Rule(100, 0, 1000), _Rule(200, 0, 1000)]
    boxes = [box("部分公开", 50, 110), box("其他情形", 50, 160), box("9", 600, 135), box("0", 700, 135)]
    assert texts(_lines(boxes, rules)) == ["部分公开", "其他情形", "90"]


def test_a_row_on_one_line_stays_one_line_and_lines_read_top_to_bottom():
    rules = [_Rule(100, 0, 1000), _Rule(150, 0, 1000), _Rule(200, 0, 1000)]
    boxes = [box("5", 600, 160), box("乙", 50, 160), box("3", 600, 110), box("甲", 50, 110)]
    assert texts(_lines(boxes, rules)) == ["甲3", "乙5"]


def test_text_outside_tables_is_grouped_by_overlap():
    boxes = [box("第二行", 50, 160), box("第一", 50, 100), box("行", 200, 104)]
    assert texts(_lines(boxes)) == ["第一行", "第二行"]


def test_a_vertical_label_is_one_line_a_character_before_the_rows_it_spans():
    rules = [_Rule(100, 0, 1000), _Rule(150, 200, 1000), _Rule(200, 0, 1000)]
    boxes = [box("办理结果", 20, 110, vertical=True, h=20), box("予以公开", 200, 110), box("7", 600, 110),
             box("部分公开", 200, 160), box("1", 600, 160)]
    assert texts(_lines(boxes, rules)) == ["办", "理", "结", "果", "予以公开7", "部分公开1"]


def test_a_header_band_of_wrapped_cells_reads_cell_by_cell():
    rules = [_Rule(100, 0, 1000), _Rule(200, 0, 1000)]
    walls = [_Wall(x, 100, 200) for x in (0, 100, 200)]
    boxes = [box("结果维", 5, 110, w=30), box("持", 5, 150), box("结果纠", 105, 110, w=30), box("正", 105, 150)]
    assert texts(_lines(boxes, rules, walls)) == ["结果维", "持", "结果纠", "正"]
    assert len(_cells(boxes[:1] + boxes[2:3], walls, 100, 200)) == 2


def test_a_box_over_two_cells_is_cut_at_the_rule_but_a_ten_is_not():
    wall = _Wall(150, 0, 300)
    two_cells = _Box([("0", 110, 110, 130, 140, 1.0), ("3", 160, 110, 180, 140, 1.0)], False)
    ten = _Box([("1", 110, 110, 125, 140, 1.0), ("0", 125, 110, 140, 140, 1.0)], False)
    assert [texts([b.glyphs]) for b in _split_boxes([two_cells], [wall])] == [["0"], ["3"]]
    assert len(_split_boxes([ten], [wall])) == 1
    stroke = _Wall(120, 112, 138)  # the 1's own stroke: no taller than the digits
    assert len(_split_boxes([ten], [stroke])) == 1


def test_skew_is_the_median_slope_of_long_boxes():
    a = math.radians(2.0)

    def quad(x, y, w, h):
        pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
        return [(px * math.cos(a) - py * math.sin(a), px * math.sin(a) + py * math.cos(a)) for px, py in pts]

    quads = [quad(100, 100 + 60 * i, 800, 30) for i in range(5)] + [quad(100, 500, 30, 30)]
    assert math.degrees(_skew(quads)) == pytest.approx(2.0, abs=0.01)
    assert _skew(quads[:2]) == 0.0  # too few long lines to tell


def _blank_pdf() -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_without_the_extra_the_error_names_it(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(InputError) as ei:
        document_from_bytes(_blank_pdf(), filename="scan.pdf")
    assert ei.value.code == "E109" and "auditor[ocr]" in ei.value.message and "扫描件" in ei.value.message


def test_with_ocr_switched_off_a_scan_is_no_text_layer():
    with pytest.raises(InputError) as ei:
        document_from_bytes(_blank_pdf(), filename="scan.pdf", ocr=OcrSettings(enabled=False))
    assert ei.value.code == "E109" and "文字识别" in ei.value.message and "auditor[ocr]" not in ei.value.message


def test_a_blank_scan_says_ocr_found_nothing():
    need_ocr()
    with pytest.raises(InputError) as ei:
        document_from_bytes(_blank_pdf(), filename="scan.pdf")
    assert ei.value.code == "E109" and "文字识别（OCR）后仍没有可读文字" in ei.value.message


def test_a_drawn_page_is_read_with_its_confidences():
    need_ocr()
    lines = ["湖阳市示例局2023年政府信息公开工作年度报告", "一、总体情况", "本年共收到政府信息公开申请15件，予以公开9件。"]
    doc = document_from_bytes(drawn_pdf([lines]), filename="scan.pdf")
    assert doc.text.splitlines() == lines
    assert doc.ocr_pages == (1,) and doc.ocr_spans() == ((0, len(doc.text)),)
    assert all(0 <= at < len(doc.text) and 0 < c < 1 for at, c in doc.unsure)
    assert any("文字识别（OCR）" in w for w in doc.warnings)
