"""Ingest: a file (text, HTML, DOCX or PDF) -> one normalized ``Document``.

Public API::

    read_document(path, *, max_bytes=50_000_000) -> Document
    document_from_bytes(data, *, filename="<bytes>", max_bytes=50_000_000) -> Document
    document_from_text(text, *, source="<text>") -> Document

The kind is detected from magic bytes first (``%PDF``; a zip holding ``word/document.xml``;
markup starting with ``<html``/``<!DOCTYPE``/``<table``/...), then from the extension.
Every failure on bad input raises :class:`auditor.errors.InputError` with a Chinese message
and a stable code:

====  ==========================================================
E101  空文件 / 没有内容
E102  二进制或无法识别的文件（图片、压缩包、RTF……）
E103  文件过大（超过 ``max_bytes``）
E104  PDF 损坏或被截断
E105  DOCX 损坏
E106  DOCX 解压后过大（疑似压缩炸弹）
E107  HTML 中没有可读正文
E108  无法识别文字编码
E109  PDF 无文本层（可能为扫描件）
E110  PDF 已加密
E111  文件不存在或无法读取
E112  旧版 Word/WPS 二进制格式（.doc/.wps），不支持
E113  PDF 文字无法解码（字体缺少 Unicode 映射）
====  ==========================================================

Heavy libraries (selectolax, python-docx, pypdfium2, charset-normalizer) are imported
only when a file of that kind is read.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from auditor.errors import InputError
from auditor.ingest.document import Block, Document, DocumentMeta, RawCell, RawTable
from auditor.ingest.text import DEFAULT_MAX_CHARS, MAX_TEXT_CHARS, document_from_plain_text, sha256_hex

__all__ = [
    "read_document",
    "shown_name",
    "document_from_bytes",
    "document_from_text",
    "detect_kind",
    "Document",
    "DocumentMeta",
    "Block",
    "RawTable",
    "RawCell",
]

DEFAULT_MAX_BYTES = 50_000_000

_HTML_EXT = {".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php"}
_HTML_MARKERS = (
    b"<!doctype html", b"<html", b"<head", b"<body", b"<table", b"<meta", b"<div", b"<p>", b"<p ",
)
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"BM", ""),  # too weak alone; only used with the binary heuristics below
    (b"Rar!\x1a\x07", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"\x7fELF", "可执行文件"),
    (b"MZ", ""),
    (b"{\\rtf", "RTF 文档"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
    (b"%!PS", "PostScript 文档"),
    (b"\x00\x00\x01\x00", ""),
)


def _strip_bom_head(data: bytes) -> bytes:
    """The first bytes as lower-case ASCII-ish text for sniffing (UTF-16 folded)."""
    head = data[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            enc = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
            head = head[2:].decode(enc, errors="ignore").encode("utf-8", errors="ignore")
        except Exception:
            return b""
    return head.lstrip().lower()


def _looks_html(data: bytes) -> bool:
    head = _strip_bom_head(data)
    if not head.startswith(b"<"):
        return False
    return any(m in head for m in _HTML_MARKERS)


def detect_kind(data: bytes, filename: str = "") -> str:
    """'pdf' | 'docx' | 'html' | 'text' (raises InputError for known unsupported kinds)."""
    ext = os.path.splitext(filename)[1].lower()
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "docx"  # confirmed (or refused) by the DOCX reader
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if ext == ".docx":
            raise InputError(
                "DOCX 文件已加密（受密码保护）或不是有效的 DOCX，无法读取。", code="E105"
            )
        raise InputError(
            "这是旧版 Word/WPS 二进制格式（.doc/.wps），暂不支持；请另存为 DOCX 或 PDF 后再提交。",
            code="E112",
        )
    for sig, name in _BINARY_SIGNATURES:
        if name and data.startswith(sig):
            raise InputError(f"文件是{name}，不是文本、HTML、DOCX 或 PDF，无法审查。", code="E102")
    if _looks_html(data):
        return "html"
    if ext == ".pdf":
        raise InputError("文件扩展名为 .pdf，但内容不是 PDF（缺少 %PDF 文件头），可能已损坏。", code="E104")
    if ext == ".docx":
        raise InputError("文件扩展名为 .docx，但内容不是 DOCX（不是 zip 压缩包），可能已损坏。", code="E105")
    if ext in _HTML_EXT and b"<" in _strip_bom_head(data):
        return "html"  # an .html file without a single tag is read as plain text
    return "text"


def _wrap(kind: str, exc: Exception) -> InputError:
    code = {"pdf": "E104", "docx": "E105", "html": "E107", "text": "E102"}.get(kind, "E102")
    label = {"pdf": "PDF", "docx": "DOCX", "html": "HTML", "text": "文本"}.get(kind, "文件")
    return InputError(f"{label} 文件无法解析（{type(exc).__name__}: {exc}）。", code=code)


def document_from_bytes(
    data: bytes, *, filename: str = "<bytes>", max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Document:
    """Read a report from raw bytes; ``filename`` gives the extension and ``meta.source``.
    A DOCX, HTML or PDF file stops being read past ``max_chars`` characters of text (E114), as the
    analysis would refuse it anyway: what is never built takes no memory."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError("输入不是字节数据。", code="E102")
    data = bytes(data)
    filename = shown_name(filename)
    if len(data) == 0:
        raise InputError("文件是空的（0 字节）。", code="E101")
    if len(data) > max_bytes:
        raise InputError(
            f"文件过大（{len(data)} 字节，上限 {max_bytes} 字节），拒绝处理。", code="E103"
        )
    kind = detect_kind(data, filename)
    digest = sha256_hex(data)
    try:
        if kind == "pdf":
            from auditor.ingest.pdf import parse_pdf

            return parse_pdf(data, source=filename, sha256=digest, max_chars=max_chars)
        if kind == "docx":
            from auditor.ingest.docx import inspect_zip, is_docx_zip, parse_docx

            zf = inspect_zip(data)
            if not is_docx_zip(zf):
                if os.path.splitext(filename)[1].lower() == ".docx":
                    raise InputError("DOCX 文件损坏（压缩包中缺少 word/document.xml）。", code="E105")
                raise InputError(
                    "文件是 zip 压缩包但不是 Word 文档（DOCX），无法审查。", code="E102"
                )
            return parse_docx(data, source=filename, sha256=digest, max_chars=max_chars)
        if kind == "html":
            from auditor.ingest.html import parse_html

            return parse_html(data, source=filename, sha256=digest, max_chars=max_chars)
        from auditor.ingest.encoding import decode_bytes_ex

        text, encoding, warnings = decode_bytes_ex(data)
        return document_from_plain_text(
            text, source=filename, sha256=digest, size=len(data), encoding=encoding, warnings=warnings
        )
    except InputError:
        raise
    except RecursionError as exc:
        raise _wrap(kind, exc) from None
    except MemoryError:
        raise InputError("文件过于复杂，处理时内存不足，拒绝处理。", code="E103") from None
    except Exception as exc:  # never let a parser's own exception escape for bad input
        raise _wrap(kind, exc) from None


def shown_name(path: str | os.PathLike | bytes) -> str:
    """A file name as it can be written anywhere (JSON, CSV, a terminal): bytes of the name that
    are not UTF-8 (Python holds them as lone surrogates) shown escaped, ``b\\xff.txt``."""
    s = os.fspath(path)
    if isinstance(s, bytes):
        return s.decode("utf-8", "backslashreplace")
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        pass
    try:
        return os.fsencode(s).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate surrogateescape did not make
        return s.encode("utf-8", "backslashreplace").decode("utf-8")


def read_document(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                  max_chars: int = DEFAULT_MAX_CHARS) -> Document:
    """Read a report file (text, HTML, DOCX or PDF) into a normalized Document."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise InputError(f"文件不存在：{p}", code="E111") from None
    except OSError as exc:
        raise InputError(f"无法读取文件：{p}（{exc.strerror or exc}）", code="E111") from None
    if p.is_dir():
        raise InputError(f"这是一个目录，不是文件：{p}", code="E111")
    if size > max_bytes:
        raise InputError(f"文件过大（{size} 字节，上限 {max_bytes} 字节），拒绝处理。", code="E103")
    try:
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"无法读取文件：{p}（{exc.strerror or exc}）", code="E111") from None
    return document_from_bytes(data, filename=shown_name(p), max_bytes=max_bytes, max_chars=max_chars)


def document_from_text(text: str, *, source: str = "<text>") -> Document:
    """A Document for text already decoded (normalized like every other kind)."""
    if not isinstance(text, str):
        raise InputError("输入不是文本字符串。", code="E102")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            f"文本过长（{len(text)} 个字符，上限 {MAX_TEXT_CHARS}），拒绝处理。", code="E103"
        )
    if not text.strip():
        raise InputError("文本是空的。", code="E101")
    data = text.encode("utf-8", errors="surrogatepass")
    warnings = []
    lone = len(_LONE_SURROGATE.findall(text))
    if lone:
        # a text decoded with surrogateescape/surrogatepass: no later stage can encode these, and one
        # replacement character each keeps every offset where it was
        text = _LONE_SURROGATE.sub("\ufffd", text)
        warnings.append(f"文本含有 {lone} 个无法编码的字符（孤立代理项），已替换为“\ufffd”。")
    return document_from_plain_text(
        text, source=source, sha256=sha256_hex(data), size=len(data), encoding=None, warnings=warnings
    )


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
