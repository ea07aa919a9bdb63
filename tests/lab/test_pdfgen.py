"""The fast PDF writer: a generated report written by reportlab reads back as its HTML rendering
does (same statutory cells, same findings), on A4 pages with ruled tables, byte for byte the same
each time; and ``generate_corpus`` writes such PDFs with their gold."""
from __future__ import annotations

import json
from collections import Counter

import pytest

pytest.importorskip("reportlab", reason="reportlab is not installed (pip install -e ./lab)")

from auditor.ingest import read_document  # noqa: E402
from auditor.pipeline import audit_bytes, audit_document  # noqa: E402
from auditor_lab.generator import build_report, generate_corpus, render_html  # noqa: E402
from auditor_lab.pdfgen import render_pdf  # noqa: E402

SEEDS = (3, 11, 27)


def signature(report) -> Counter:
    return Counter((f.code, f.stated, f.expected) for f in report.findings if f.check != "meta.copied")


@pytest.mark.parametrize("seed", SEEDS)
def test_pdf_reads_as_the_html(seed, tmp_path):
    r = build_report(seed, layout="tabs", errors=3)
    path = tmp_path / "r.pdf"
    path.write_bytes(render_pdf(r))
    doc = read_document(path)
    assert doc.meta.input_kind == "pdf" and doc.meta.pages >= 2
    assert "- 1 -" not in doc.text  # page numbers are decorations, removed on reading
    pdf = audit_document(doc)
    html = audit_bytes(render_html(r), filename="r.html")
    assert signature(html), "the generated report should carry findings"
    assert pdf.tables == html.tables
    assert signature(pdf) == signature(html)


def test_a4_ruled_deterministic():
    import pypdfium2 as pdfium

    r = build_report(5, layout="tabs", errors=1)
    data = render_pdf(r)
    assert data == render_pdf(r)
    pdf = pdfium.PdfDocument(data)
    try:
        assert [round(x) for x in pdf[0].get_size()] == [595, 842]
        paths = sum(1 for i in range(len(pdf)) for o in pdf[i].get_objects()
                    if o.type == pdfium.raw.FPDF_PAGEOBJ_PATH)
        assert paths >= 1  # the tables' rules
        text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    title = next(b.text for b in r.blocks if getattr(b, "kind", "") == "title")
    assert title in text


def test_corpus_writes_pdfs_with_gold(tmp_path):
    paths = generate_corpus(tmp_path, 4, 7, formats=("pdf", "html"), pairs=True)
    pdfs = [p for p in paths if p.suffix == ".pdf"]
    assert pdfs and all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    for p in pdfs:
        gold = json.loads((tmp_path / f"{p.name}.gold.json").read_text(encoding="utf-8"))
        assert gold["report"] == p.name
        got = audit_document(read_document(p)).tables
        assert {k: got.get(k) for k in gold["cells"]} == gold["cells"]
