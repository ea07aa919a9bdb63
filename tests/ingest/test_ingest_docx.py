"""Ingest: DOCX (body order, merged cells, numbering, zip bombs, corrupt files)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from auditor.errors import InputError
from auditor.ingest import Document, document_from_bytes, read_document
from auditor.ingest.text import normalize_text


def check_offsets(doc: Document) -> None:
    assert normalize_text(doc.text) == doc.text
    for t in doc.raw_tables:
        for row in t.rows:
            for c in row:
                assert doc.text[c.start:c.end] == c.text
    for b in doc.blocks:
        assert 0 <= b.start <= b.end <= len(doc.text)


def to_bytes(d: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def build_report() -> bytes:
    d = docx.Document()
    d.add_paragraph("某区2023年政府信息公开工作年度报告")
    d.add_paragraph("一、总体情况")
    p = d.add_paragraph("本年度共收到申请")
    p.add_run("21").bold = True
    p.add_run("件。")
    p2 = d.add_paragraph("第一行")
    p2.add_run().add_break()
    p2.add_run("第二行\t制表后")
    d.add_paragraph("")  # empty paragraphs are skipped
    t = d.add_table(rows=5, cols=4)
    for r in range(5):
        for c in range(4):
            t.cell(r, c).text = f"{r}{c}"
    head = t.cell(0, 0).merge(t.cell(0, 1))
    head.text = "信息内容"
    side = t.cell(1, 0).merge(t.cell(3, 0))
    side.text = "三、本年度办理结果"
    cell = t.cell(4, 3)
    cell.text = "商业"
    cell.add_paragraph("企业")
    d.add_paragraph("二、主动公开政府信息情况")
    return to_bytes(d)


def test_docx_order_text_and_tables() -> None:
    doc = document_from_bytes(build_report(), filename="r.docx")
    check_offsets(doc)
    assert doc.meta.input_kind == "docx" and doc.meta.encoding is None
    assert doc.text.split("\n") == [
        "某区2023年政府信息公开工作年度报告",
        "一、总体情况",
        "本年度共收到申请21件。",
        "第一行",
        "第二行 制表后",
        "信息内容\t02\t03",
        "三、本年度办理结果\t11\t12\t13",
        "\t21\t22\t23",  # vMerge continuation: an empty field
        "\t31\t32\t33",
        "40\t41\t42\t商业企业",
        "二、主动公开政府信息情况",
    ]
    (table,) = doc.raw_tables
    rows = [[(c.text, c.rowspan, c.colspan) for c in r] for r in table.rows]
    assert rows[0] == [("信息内容", 1, 2), ("02", 1, 1), ("03", 1, 1)]
    assert rows[1][0] == ("三、本年度办理结果", 3, 1)
    assert rows[2] == [("21", 1, 1), ("22", 1, 1), ("23", 1, 1)]  # continuation not recorded
    assert [b.kind for b in doc.blocks] == ["paragraph"] * 5 + ["table", "paragraph"]


def test_docx_numbering_rendered() -> None:
    d = docx.Document()
    d.add_paragraph("属于国家秘密", style="List Number")
    d.add_paragraph("其他法律行政法规禁止公开", style="List Number")
    doc = document_from_bytes(to_bytes(d), filename="n.docx")
    assert doc.text == "1.属于国家秘密\n2.其他法律行政法规禁止公开"


def test_docx_legacy_hmerge_and_content_control() -> None:
    d = docx.Document()
    t = d.add_table(rows=1, cols=3)
    for i, txt in enumerate(["甲", "", "丙"]):
        t.cell(0, i).text = txt
    for i, kind in enumerate(["restart", "continue"]):
        tc_pr = t.cell(0, i)._tc.get_or_add_tcPr()
        hm = OxmlElement("w:hMerge")
        hm.set(qn("w:val"), kind)
        tc_pr.append(hm)
    # wrap a paragraph in a block-level content control
    p = d.add_paragraph("控件内段落")
    sdt = OxmlElement("w:sdt")
    content = OxmlElement("w:sdtContent")
    p._p.addprevious(sdt)
    sdt.append(content)
    content.append(p._p)
    doc = document_from_bytes(to_bytes(d), filename="h.docx")
    check_offsets(doc)
    assert doc.text == "甲\t丙\n控件内段落"
    assert [(c.text, c.colspan) for c in doc.raw_tables[0].rows[0]] == [("甲", 2), ("丙", 1)]


def test_docx_read_from_path(tmp_path: Path) -> None:
    p = tmp_path / "report.docx"
    p.write_bytes(build_report())
    doc = read_document(p)
    assert doc.meta.source == str(p) and doc.meta.size == p.stat().st_size


def test_zip_bomb_ratio_is_e106() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(24):
                fh.write(chunk)
    data = buf.getvalue()
    assert len(data) < 200_000
    with pytest.raises(InputError) as ei:
        document_from_bytes(data, filename="bomb.docx")
    assert ei.value.code == "E106"


def test_zip_total_cap_is_e106(monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.ingest.docx as docx_mod

    monkeypatch.setattr(docx_mod, "MAX_UNCOMPRESSED", 10_000)
    with pytest.raises(InputError) as ei:
        document_from_bytes(build_report(), filename="r.docx")
    assert ei.value.code == "E106"


def test_truncated_docx_is_e105() -> None:
    data = build_report()
    with pytest.raises(InputError) as ei:
        document_from_bytes(data[: len(data) // 2], filename="r.docx")
    assert ei.value.code == "E105"


def test_invalid_document_xml_is_e105() -> None:
    src = zipfile.ZipFile(io.BytesIO(build_report()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]
            zf.writestr(info.filename, data)
    with pytest.raises(InputError) as ei:
        document_from_bytes(buf.getvalue(), filename="r.docx")
    assert ei.value.code == "E105"


def test_zip_without_document_xml() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(InputError) as ei:
        document_from_bytes(buf.getvalue(), filename="x.zip")
    assert ei.value.code == "E102"
    with pytest.raises(InputError) as ei:
        document_from_bytes(buf.getvalue(), filename="x.docx")
    assert ei.value.code == "E105"


def test_docx_without_text_is_e101() -> None:
    d = docx.Document()
    d.add_paragraph("")
    with pytest.raises(InputError) as ei:
        document_from_bytes(to_bytes(d), filename="blank.docx")
    assert ei.value.code == "E101"
