"""Ingest: plain text, encodings, kind detection, errors, laziness of heavy imports."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.errors import InputError
from auditor.ingest import detect_kind, document_from_bytes, document_from_text, read_document
from auditor.ingest.encoding import decode_bytes
from auditor.ingest.text import clean_inline, normalize_text

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
REAL = SHARED / "corpora" / "real"

SAMPLE = "本报告中所列数据统计期限自2023年1月1日起，至2023年12月31日止。\n（一）予以公开：21件；“三安全一稳定”。\n"


def _code(exc_info: pytest.ExceptionInfo[InputError]) -> str:
    return exc_info.value.code


# ---------------------------------------------------------------- normalization

def test_normalize_line_endings_bom_zero_width_spaces() -> None:
    raw = "\ufeff第一行\r\n第二\u200b行\r第三行\u3000全角空格\xa0不换行\u2003em\f下一页"
    assert normalize_text(raw) == "第一行\n第二行\n第三行 全角空格 不换行 em\n下一页"


def test_normalize_keeps_fullwidth_punctuation_and_digits() -> None:
    raw = "（一）予以公开：２１件，“三安全一稳定”；１．属于国家秘密！"
    assert normalize_text(raw) == raw  # no NFKC


def test_normalize_drops_controls_keeps_tab() -> None:
    assert normalize_text("a\x00b\x07c\td\x85e") == "abc\td\ne"


def test_clean_inline_joins_cjk_across_newline_only() -> None:
    assert clean_inline("  政府\n  信息\t公开 \n abc\ndef ") == "政府信息 公开 abc def"


# ---------------------------------------------------------------- text documents

def test_document_from_text_blocks_and_meta() -> None:
    doc = document_from_text("  标题 \r\n\r\n正文第一段。\r\n正文第二段。", source="x.txt")
    assert doc.text == "  标题 \n\n正文第一段。\n正文第二段。"
    assert [doc.text[b.start:b.end] for b in doc.blocks] == ["标题", "正文第一段。", "正文第二段。"]
    assert doc.meta.input_kind == "text" and doc.meta.source == "x.txt"
    assert len(doc.meta.sha256) == 64 and doc.raw_tables == ()


def test_text_utf8_and_utf8_bom() -> None:
    doc = document_from_bytes(SAMPLE.encode("utf-8"), filename="a.txt")
    assert doc.text == SAMPLE and doc.meta.encoding == "utf-8"
    doc = document_from_bytes(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), filename="a.txt")
    assert doc.text == SAMPLE and doc.meta.encoding == "utf-8-sig"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_text_utf16(codec: str) -> None:
    data = SAMPLE.encode(codec)  # BOM-less UTF-16 is recognised by its NUL pattern
    doc = document_from_bytes(data, filename="a.txt")
    assert doc.text == SAMPLE
    assert doc.meta.encoding.startswith("utf-16")


@pytest.mark.parametrize("codec", ["gb18030", "gbk", "gb2312"])
def test_text_gb_family_without_declaration(codec: str) -> None:
    doc = document_from_bytes(SAMPLE.encode(codec), filename="report.txt")
    assert doc.text == SAMPLE
    assert doc.meta.encoding == "gb18030"


def test_gb18030_four_byte_characters() -> None:
    text = "㐀䶵 测试 𠀀 2023年"  # CJK ext-A and ext-B need GB18030 four-byte codes
    doc = document_from_bytes(text.encode("gb18030"), filename="a.txt")
    assert doc.text == text and doc.meta.encoding == "gb18030"


def test_decode_bytes_declared_wrong_falls_back() -> None:
    text, enc = decode_bytes(SAMPLE.encode("gbk"), declared="utf-8")
    assert text == SAMPLE and enc == "gb18030"
    text, enc = decode_bytes(SAMPLE.encode("utf-8"), declared="gb2312")
    assert text == SAMPLE and enc == "utf-8"


def test_big5_via_charset_normalizer() -> None:
    text = "政府資訊公開工作年度報告。本年度共受理申請二十一件，均已依法答覆。" * 5
    got, enc = decode_bytes(text.encode("big5"))
    assert got == text
    assert enc.startswith("big5")


def test_few_damaged_bytes_are_replaced_with_warning() -> None:
    data = (SAMPLE * 20).encode("utf-8")
    data = data[:100] + b"\xff" + data[101:]
    doc = document_from_bytes(data, filename="a.txt")
    assert doc.meta.encoding == "utf-8" and "\ufffd" in doc.text
    assert any("无法按 utf-8 解码" in w for w in doc.warnings)


# ---------------------------------------------------------------- errors

def test_empty_file_is_e101(tmp_path: Path) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(InputError) as ei:
        read_document(p)
    assert _code(ei) == "E101" and "空" in ei.value.message


def test_whitespace_only_is_e101() -> None:
    with pytest.raises(InputError) as ei:
        document_from_bytes(" \r\n\t\u3000".encode("utf-8"))
    assert _code(ei) == "E101"
    with pytest.raises(InputError) as ei:
        document_from_text("  \n ")
    assert _code(ei) == "E101"


def test_binary_junk_is_e102() -> None:
    junk = bytes(range(256)) * 40
    with pytest.raises(InputError) as ei:
        document_from_bytes(junk, filename="x.txt")
    assert _code(ei) == "E102"


def test_binary_without_nul_is_e102() -> None:
    junk = bytes([1, 2, 3, 4, 5, 6, 14, 15, 16, 17, 27, 28]) * 200
    with pytest.raises(InputError) as ei:
        document_from_bytes(junk, filename="x.bin")
    assert _code(ei) == "E102"


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, b"\xff\xd8\xff\xe0" + b"\x00" * 50, b"{\\rtf1\\ansi hello}"],
)
def test_known_binary_formats_are_e102(data: bytes) -> None:
    with pytest.raises(InputError) as ei:
        document_from_bytes(data, filename="x.txt")
    assert _code(ei) == "E102"


def test_legacy_doc_is_e112() -> None:
    with pytest.raises(InputError) as ei:
        document_from_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, filename="a.doc")
    assert _code(ei) == "E112"


def test_too_large_is_e103(tmp_path: Path) -> None:
    with pytest.raises(InputError) as ei:
        document_from_bytes(b"a" * 2000, max_bytes=1000)
    assert _code(ei) == "E103"
    p = tmp_path / "big.txt"
    p.write_bytes(b"a" * 2000)
    with pytest.raises(InputError) as ei:
        read_document(p, max_bytes=1000)
    assert _code(ei) == "E103"


def test_missing_file_is_e111(tmp_path: Path) -> None:
    with pytest.raises(InputError) as ei:
        read_document(tmp_path / "nope.pdf")
    assert _code(ei) == "E111"
    with pytest.raises(InputError) as ei:
        read_document(tmp_path)
    assert _code(ei) == "E111"


def test_wrong_extension_content_mismatch() -> None:
    with pytest.raises(InputError) as ei:
        document_from_bytes(b"just some text", filename="a.pdf")
    assert _code(ei) == "E104"
    with pytest.raises(InputError) as ei:
        document_from_bytes(b"just some text", filename="a.docx")
    assert _code(ei) == "E105"


def test_error_str_has_code() -> None:
    with pytest.raises(InputError) as ei:
        document_from_bytes(b"")
    assert str(ei.value).startswith("[E101]")


# ---------------------------------------------------------------- detection

def test_detect_kind_magic_before_extension() -> None:
    assert detect_kind(b"%PDF-1.7\n...", "a.txt") == "pdf"
    assert detect_kind(b"PK\x03\x04rest", "a.txt") == "docx"
    assert detect_kind(b"  <!DOCTYPE html><html></html>", "a.txt") == "html"
    assert detect_kind(b"<table><tr><td>1</td></tr></table>", "a.txt") == "html"
    assert detect_kind("<html>".encode("utf-16"), "a.txt") == "html"
    assert detect_kind("报告<b>正文</b>".encode(), "a.html") == "html"
    assert detect_kind("报告正文\n第二行".encode(), "a.html") == "text"
    assert detect_kind("报告正文".encode(), "a.txt") == "text"
    assert detect_kind("报告正文".encode(), "") == "text"


def test_import_is_light() -> None:
    code = (
        "import sys, auditor.ingest\n"
        "heavy = {'pdfplumber', 'pypdfium2', 'docx', 'selectolax', 'charset_normalizer'}\n"
        "loaded = heavy & set(m.split('.')[0] for m in sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# ---------------------------------------------------------------- real scraped text

@pytest.mark.skipif(not REAL.is_dir(), reason="../shared corpora absent")
def test_real_scraped_text_files() -> None:
    files = sorted(REAL.glob("*.txt"))
    assert files
    for f in files:
        doc = read_document(f)
        assert doc.meta.input_kind == "text"
        assert "\r" not in doc.text and "\ufeff" not in doc.text
        assert "政府信息公开" in doc.text
        for b in doc.blocks:
            assert doc.text[b.start:b.end].strip() == doc.text[b.start:b.end] != ""


# ---------------------------------------------------------------- properties

_ALPHABET = st.sampled_from(
    list("政府信息公开年度报告一二三、，。：；（）“”０１2023 \t\n\r\u3000\xa0\u200b\ufeffabc")
)


@settings(max_examples=60, deadline=None)
@given(st.text(_ALPHABET, min_size=1, max_size=80))
def test_normalize_properties(raw: str) -> None:
    once = normalize_text(raw)
    assert normalize_text(once) == once
    assert not any(c in once for c in "\r\ufeff\u200b\xa0\u3000")
    if once.strip():
        doc = document_from_text(raw)
        assert doc.text == once
        for b in doc.blocks:
            assert 0 <= b.start < b.end <= len(doc.text)
            assert "\n" not in doc.text[b.start:b.end]

def test_clean_inline_leaves_an_alphanumeric_text_as_it_is_because_no_such_character_is_rewritten():
    """The fast path of clean_inline: no letter or digit of any script is removed, replaced or
    taken for a blank by the normalization."""
    import re

    from auditor.ingest.text import _TRANS, clean_inline

    rewritten = [c for c in range(0x110000) if chr(c).isalnum() and (c in _TRANS or re.match(r"\s", chr(c)))]
    assert rewritten == []
    assert clean_inline("予以公开12") == "予以公开12"
    assert clean_inline(" 予以公开\u200b12 ") == "予以公开12"
