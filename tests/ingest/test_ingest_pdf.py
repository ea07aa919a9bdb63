"""Ingest: PDF (page decorations, CJK space mending, line joining, broken files)."""
from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.ingest import document_from_bytes, read_document
from auditor.ingest.pdf import _join_lines, _keep_space, _Line, _mend
from auditor.ingest.text import normalize_text

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
REAL = SHARED / "corpora" / "real"
REAL_PDFS = ["hongze-2023.pdf", "hongze-2024.pdf", "huaian-2024.pdf"]
needs_real = pytest.mark.skipif(
    not all((REAL / f).is_file() for f in REAL_PDFS), reason="../shared corpora absent"
)


# ---------------------------------------------------------------- a tiny PDF writer

def make_pdf(pages: list[list[tuple[float, float, float, str]]]) -> bytes:
    """A PDF whose pages draw (x, y, size, text) runs with the standard CJK font STSong-Light
    (not embedded; pdfium maps the UCS-2 codes back to Unicode). CJK advances 1 em, ASCII
    half an em, as in real reports; ink boxes depend on the fonts the machine has."""
    objs: list[bytes] = []

    def add(b: bytes) -> int:
        objs.append(b)
        return len(objs)

    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 "
        b"/StemV 93 >> /DW 1000 /W [1 95 500] >>] >>"
    )
    pages_id = len(objs) + 1 + 2 * len(pages)
    kids = []
    for runs in pages:
        ops = [
            f"BT /F1 {size} Tf {x} {y} Td <{text.encode('utf-16-be').hex().upper()}> Tj ET"
            for x, y, size, text in runs
        ]
        stream = "\n".join(ops).encode()
        c = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
                b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (pages_id, font, c)
            )
        )
    add(b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids))
    cat = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, cat, xref)
    return bytes(out)


S = 12.0  # font size
FILLER = "政府信息公开工作年度报告按照条例规定认真组织编制各项数据统计准确完整规范有序推进" * 4


def fill(prefix: str, n: int) -> str:
    """``prefix`` padded with filler to exactly ``n`` characters."""
    return (prefix + FILLER)[:n]


def runs(x: float, y: float, parts: list[tuple[str, float]]) -> list[tuple[float, float, float, str]]:
    """Runs on one baseline; each part is (text, gap in points before it)."""
    out = []
    for text, gap in parts:
        x += gap
        out.append((x, y, S, text))
        x += sum(S / 2 if ch.isascii() else S for ch in text)
    return out


def synthetic_report() -> bytes:
    # body text from x=72 to x=504 (36 em); paragraphs indented by 2 em
    p1: list[tuple[float, float, float, str]] = [(290, 40, 10, "- 1 -"), (150, 780, 16, "某区2023年政府信息公开工作年度报告")]
    p1 += [(96, 740, S, fill("本报告由某区人民政府办公室编制", 34))]
    p1 += [(72, 720, S, fill("统计期限写在下一行", 36))]
    # pdfium drops single-glyph runs of this glyph-less font, so every run has 2+ characters
    p1 += runs(72, 700, [("统计期限自", 0), ("2023", 6), ("年起至", 6), ("12", 6), ("月止，邮政", 6), ("编码：", 6), ("223100", 6), ("。以上", 6)])
    p1 += [(96, 680, S, "一、总体情况")]
    p1 += runs(72, 660, [("一、本年新收政府信息公开申请数量", 0)] + [(v, 18) for v in ["21", "0", "0", "0", "0", "0", "21"]])
    p1 += runs(300, 640, [(v, 18) for v in ["4", "0", "0", "0", "0", "0", "4"]])
    p1 += [(96, 620, S, fill("全年共受理申请", 34))]
    p1 += [(72, 600, S, fill("跨页的句子从这里开始", 36))]
    p2 = [(290, 40, 10, "- 2 -"), (72, 780, S, "在第二页结束。"), (96, 760, S, "二、主动公开政府信息情况")]
    return make_pdf([p1, p2])


def test_synthetic_pdf_end_to_end() -> None:
    doc = document_from_bytes(synthetic_report(), filename="s.pdf")
    assert doc.meta.input_kind == "pdf" and doc.meta.pages == 2
    assert normalize_text(doc.text) == doc.text
    lines = doc.text.split("\n")
    assert "- 1 -" not in doc.text and "- 2 -" not in doc.text
    assert lines[0] == "某区2023年政府信息公开工作年度报告"
    # three physical lines joined into one paragraph; narrative spaces mended
    assert lines[1] == (
        fill("本报告由某区人民政府办公室编制", 34) + fill("统计期限写在下一行", 36)
        + "统计期限自2023年起至12月止，邮政编码：223100。以上"
    )
    assert lines[2] == "一、总体情况"
    assert lines[3] == "一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21"
    assert lines[4] == "4 0 0 0 0 0 4"
    # a sentence running over the page break is joined, the page number between is gone
    assert lines[5] == fill("全年共受理申请", 34) + fill("跨页的句子从这里开始", 36) + "在第二页结束。"
    assert lines[6] == "二、主动公开政府信息情况"
    assert len(lines) == 7
    assert [doc.text[b.start:b.end] for b in doc.blocks] == lines


def test_running_headers_and_page_footers_removed() -> None:
    pages = []
    for n in range(1, 4):
        pages.append([
            (200, 810, 10, "某区人民政府办公室文件"),  # running header, top band
            (72, 700, S, f"第{n}页的正文内容。"),
            (250, 30, 10, f"第 {n} 页 共 3 页"),
        ])
    pages[1].append((290, 15, 10, "2"))  # a bare page number too
    doc = document_from_bytes(make_pdf(pages), filename="h.pdf")
    assert doc.text == "第1页的正文内容。\n第2页的正文内容。\n第3页的正文内容。"


def test_body_numbers_are_not_page_numbers() -> None:
    pages = [[(72, 700, S, "行政许可"), (300, 700, S, "550")], [(72, 700, S, "行政处罚"), (300, 700, S, "1")]]
    doc = document_from_bytes(make_pdf(pages), filename="n.pdf")
    assert doc.text == "行政许可 550\n行政处罚 1"


def test_blank_pdf_is_no_text_layer() -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    with pytest.raises(InputError) as ei:
        document_from_bytes(buf.getvalue(), filename="scan.pdf")
    assert ei.value.code == "E109" and "无文本层" in ei.value.message and "扫描件" in ei.value.message


def test_page_without_text_is_a_warning() -> None:
    data = make_pdf([[(72, 700, S, "第一页有文字。")], []])
    doc = document_from_bytes(data, filename="p.pdf")
    assert doc.text == "第一页有文字。"
    assert any("第 2 页" in w and "文本层" in w for w in doc.warnings)


def test_truncated_pdf_is_e104() -> None:
    data = synthetic_report()
    for cut in (len(data) // 3, len(data) - 40, 200):
        with pytest.raises(InputError) as ei:
            document_from_bytes(data[:cut], filename="t.pdf")
        assert ei.value.code == "E104"


def test_password_protected_pdf_is_e110() -> None:
    data = make_pdf([[(72, 700, S, "加密文件内容")]])
    enc = (
        b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32
        + b"> /P -4 >> /ID [<" + b"33" * 16 + b"><" + b"33" * 16 + b">] "
    )
    data = data.replace(b"trailer\n<< ", b"trailer\n<< " + enc)
    with pytest.raises(InputError) as ei:
        document_from_bytes(data, filename="locked.pdf")
    assert ei.value.code == "E110"


def test_garbage_pdf_is_e104() -> None:
    with pytest.raises(InputError) as ei:
        document_from_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10 + b"\n%%EOF\n", filename="g.pdf")
    assert ei.value.code == "E104"


# ---------------------------------------------------------------- space mending and joining (unit)

def chars(parts: list[tuple[str, float]], em: float = 10.0, x: float = 0.0) -> list[tuple[str, float, float, float, float]]:
    """Char tuples for _mend: each part is (text, gap before it); ' ' marks a pdfium space."""
    out = []
    for text, gap in parts:
        x += gap
        for ch in text:
            if ch == " ":
                out.append((" ", 0.0, 0.0, 0.0, 0.0))
                continue
            w = em * (0.5 if ch.isascii() else 0.9)
            out.append((ch, x, 0.0, x + w, em))
            x += w + em * 0.1
    return out


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([("邮", 0), (" 编", 5), (" ：", 5), (" 223100", 5), (" ，", 5), (" 电", 5), ("话", 0)], "邮编：223100，电话"),
        ([("自", 0), (" 2023", 5), (" 年", 5), (" 1", 5), (" 月", 5)], "自2023年1月"),
        ([("申请数量", 0), (" 21", 60), (" 0", 20), (" 0", 20), (" 21", 20)], "申请数量 21 0 0 21"),
        ([("4", 0), (" 0", 3), (" 0", 3), (" 4", 3)], "4 0 0 4"),
        ([("稳定”", 0), (" 0", 25), (" 0", 20)], "稳定” 0 0"),
        ([("信息内容", 0), (" 本年制发件数", 30)], "信息内容 本年制发件数"),
        ([("总计", 0)], "总计"),
        ([("APP", 0), (" 客户端", 4)], "APP 客户端"),
        ([("21", 0), ("0", 25)], "21 0"),  # pdfium gave no space, but the gap is a cell boundary
    ],
)
def test_mend_spaces(parts: list[tuple[str, float]], expected: str) -> None:
    line = _mend(chars(parts), 0, 10.0)
    assert line is not None and line.text == expected


def test_keep_space_without_geometry() -> None:
    assert not _keep_space("邮", "编", None, 10.0)
    assert _keep_space("2023", "年"[0], None, 10.0)
    assert _keep_space("1", "0", -50.0, 10.0)


def L(text: str, left: float = 0.0, right: float = 360.0, top: float = 700.0, page: int = 0) -> _Line:
    return _Line(text=text, left=left, right=right, top=top, bottom=top - 10, em=10.0, page=page)


def test_join_rules() -> None:
    full = "政府信息公开工作按照条例规定有序推进"
    lines = [
        L(full, top=700), L("第二行接着写完。", right=100, top=680),  # joined
        L("（一）主动公开情况", left=20, right=120, top=660),  # indented heading
        L(full + "共计", top=640), L("21件，办结率100%。", right=120, top=620),  # narrative number joins
        L(full + "数量 21 0 0 0", top=600), L("下一行", right=60, top=580),  # table row: no join
        L(full + "总", top=560), L("一、下一节", right=60, top=540),  # heading: no join
        L(full + "结束：", top=520), L("不合并", right=40, top=500),  # ends with ：
        L(full, top=480), L("4 0 0 0 0 0 4", right=100, top=460),  # number-only row
        L(full + "共", top=440), L("10 1 0 0", right=100, top=420),
        L(full + "复议351", top=400), L("件，其中", right=60, top=380),  # digit + unit
        L(full + "商业", right=200, top=360), L("企业", right=30, top=340),  # short line (table cell)
    ]
    assert _join_lines(lines) == [
        full + "第二行接着写完。",
        "（一）主动公开情况",
        full + "共计21件，办结率100%。",
        full + "数量 21 0 0 0", "下一行",
        full + "总", "一、下一节",
        full + "结束：", "不合并",
        full, "4 0 0 0 0 0 4",
        full + "共", "10 1 0 0",
        full + "复议351件，其中",
        full + "商业", "企业",
    ]


# ---------------------------------------------------------------- real reports

@needs_real
@pytest.mark.parametrize("name", REAL_PDFS)
def test_real_pdfs(name: str) -> None:
    t0 = time.perf_counter()
    doc = read_document(REAL / name)
    elapsed = time.perf_counter() - t0
    assert doc.meta.input_kind == "pdf" and doc.meta.pages and doc.warnings == ()
    assert elapsed / doc.meta.pages < 0.15
    text = doc.text
    year = name.split("-")[1][:4]
    assert f"{year}年1月1日" in text  # narrative spaces mended: not "2023 年 1 月 1 日"
    assert f"{year}年12月31日" in text
    assert not re.search(r"^\s*-\s*\d+\s*-\s*$", text, re.M)  # no "- 1 -" page markers
    assert "（国令第711号）" in text
    assert "邮编：223" in text
    lines = text.split("\n")
    assert any(ln.startswith("二、主动公开政府信息情况") for ln in lines)
    assert "第二十条第（一）项" in lines
    assert "信息内容 本年制发件数 本年废止件数 现行有效件数" in lines
    # every line that starts a table-三 row keeps its numbers on the same line, spaced
    row = next(ln for ln in lines if ln.startswith("一、本年新收政府信息公开申请数量"))
    assert re.fullmatch(r"一、本年新收政府信息公开申请数量( \d+){7}", row)
    assert any(re.fullmatch(r"（七）总计( \d+){7}", ln) for ln in lines)
    assert any(re.fullmatch(r"(\d+ ){14}\d+", ln) for ln in lines)  # the table-四 row
    for b in doc.blocks:
        assert doc.text[b.start:b.end] == doc.text[b.start:b.end].strip() != ""


@needs_real
def test_real_hongze_2023_specifics() -> None:
    doc = read_document(REAL / "hongze-2023.pdf")
    lines = doc.text.split("\n")
    assert "一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21" in lines
    assert "4 0 0 0 0 0 4" in lines
    assert "10 1 0 0 0 0 0 0 0 0 5 0 0 0 0" in lines
    assert "行政事业性收费 7730.28" in lines
    assert "2023年全区受理政府信息公开申请21件，均在法定期限答复。" in doc.text
    # a paragraph running over the page break is one line
    assert "严格执行“分级审核、先审后发”程序" in doc.text
    assert "（五）政府信息公开监督保障情况。进一步细化分解政府门户网站" in doc.text


@needs_real
def test_real_huaian_narrative_numbers_joined() -> None:
    doc = read_document(REAL / "huaian-2024.pdf")
    assert "通过文字、图片等形式制作政策解读21个，制作《淮安市人民政府公报》6期。" in doc.text
    assert "政府信息公开行政复议351件，其中结果维持72件" in doc.text
    assert "72 64 178 37 351 13 4 8 1 26 12 1 1 6 20" in doc.text.split("\n")


@needs_real
def test_real_truncated_pdf_is_e104(tmp_path: Path) -> None:
    data = (REAL / "hongze-2023.pdf").read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(data[: int(len(data) * 0.6)])
    with pytest.raises(InputError) as ei:
        read_document(p)
    assert ei.value.code == "E104"


def test_pdfium_is_entered_by_one_thread_at_a_time(monkeypatch) -> None:
    """PDFium is not thread-safe: the server's worker threads read uploads at once, so every
    call into it is serialized (issue 17, point 1). Without the lock the threads overlap here."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import auditor.ingest.pdf as pdf_mod

    inside, most, guard = [0], [0], threading.Lock()
    real = pdf_mod._page_chars

    def watched(*args):
        with guard:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        try:
            time.sleep(0.02)
            return real(*args)
        finally:
            with guard:
                inside[0] -= 1

    monkeypatch.setattr(pdf_mod, "_page_chars", watched)
    data = synthetic_report()
    with ThreadPoolExecutor(max_workers=6) as pool:
        docs = list(pool.map(lambda _: document_from_bytes(data, filename="s.pdf"), range(12)))
    assert most[0] == 1
    assert len({d.text for d in docs}) == 1


def test_a_pdf_stops_being_read_at_the_text_limit() -> None:
    """What the analysis would refuse (E114) is not extracted to the last page first."""
    data = synthetic_report()
    assert document_from_bytes(data, filename="s.pdf", max_chars=10_000).meta.pages == 2
    with pytest.raises(InputError) as ei:
        document_from_bytes(data, filename="s.pdf", max_chars=40)
    assert ei.value.code == "E114" and "第 1 页" in ei.value.message
