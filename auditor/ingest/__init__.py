"""Ingest: a file (text, HTML, DOCX or PDF) -> one normalized ``Document``.

Public API::

    read_document(path, *, max_bytes=50_000_000) -> Document
    document_from_bytes(data, *, filename="<bytes>", max_bytes=50_000_000) -> Document
    document_from_text(text, *, source="<text>") -> Document

The kind is detected from magic bytes first (``%PDF``; a zip holding ``word/document.xml``;
markup starting with ``<html``/``<!DOCTYPE``/``<table``/...), then from the extension.
Every failure on bad input raises :class:`auditor.errors.InputError` with a Chinese message
and a stable code from the catalog in ``auditor/errors.py`` (E101–E120, listed in
``docs/errors.md``).

Heavy libraries (selectolax, python-docx, pypdfium2, charset-normalizer) are imported
only when a file of that kind is read.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from auditor import errors
from auditor.errors import InputError
from auditor.ingest.document import Block, Document, DocumentMeta, RawCell, RawTable
from auditor.ingest.ocr import OcrSettings
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

HTML_EXTENSIONS = {".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php"}
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
            raise errors.E105("encrypted")
        raise errors.E112()
    for sig, name in _BINARY_SIGNATURES:
        if name and data.startswith(sig):
            raise errors.E102("binary_kind", name=name)
    if _looks_html(data):
        return "html"
    if ext == ".pdf":
        raise errors.E104("not_pdf")
    if ext == ".docx":
        raise errors.E105("not_docx")
    if ext in HTML_EXTENSIONS and b"<" in _strip_bom_head(data):
        return "html"  # an .html file without a single tag is read as plain text
    return "text"


def _wrap(kind: str, exc: Exception) -> InputError:
    """A reader's own exception, as the code of its kind: "PDF 文件无法解析（…）"."""
    error = f"{type(exc).__name__}: {exc}"
    if kind == "pdf":
        return errors.E104("unparsable", error=error)
    if kind == "docx":
        return errors.E105("unparsable", error=error)
    if kind == "html":
        return errors.E107("unparsable", error=error)
    return errors.E102("unparsable", error=error)


def document_from_bytes(
    data: bytes, *, filename: str = "<bytes>", max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS, ocr: OcrSettings | None = None,
) -> Document:
    """Read a report from raw bytes; ``filename`` gives the extension and ``meta.source``.
    ``ocr``: how PDF pages without a text layer are read (default: by OCR when installed).
    A DOCX, HTML or PDF file stops being read past ``max_chars`` characters of text (E114), as the
    analysis would refuse it anyway: what is never built takes no memory."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise errors.E102("not_bytes")
    data = bytes(data)
    filename = shown_name(filename)
    if len(data) == 0:
        raise errors.E101("empty_bytes")
    if len(data) > max_bytes:
        raise errors.E103("file", size=len(data), limit=max_bytes)
    kind = detect_kind(data, filename)
    digest = sha256_hex(data)
    try:
        if kind == "pdf":
            from auditor.ingest.pdf import parse_pdf

            return parse_pdf(data, source=filename, sha256=digest, max_chars=max_chars, ocr=ocr or OcrSettings())
        if kind == "docx":
            from auditor.ingest.docx import inspect_zip, is_docx_zip, parse_docx

            zf = inspect_zip(data)
            if not is_docx_zip(zf):
                if os.path.splitext(filename)[1].lower() == ".docx":
                    raise errors.E105("no_document")
                raise errors.E102("zip_not_docx")
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
        raise errors.E103("memory") from None
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
                  max_chars: int = DEFAULT_MAX_CHARS, ocr: OcrSettings | None = None) -> Document:
    """Read a report file (text, HTML, DOCX or PDF) into a normalized Document."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise errors.E111("missing", path=p) from None
    except OSError as exc:
        raise errors.E111("unreadable", path=p, reason=exc.strerror or exc) from None
    if p.is_dir():
        if not os.access(p, os.R_OK | os.X_OK):  # the batch found it but could not list it
            raise errors.E111("folder_unreadable", path=p)
        raise errors.E111("directory", path=p)
    if size > max_bytes:
        raise errors.E103("file", size=size, limit=max_bytes)
    try:
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise errors.E111("unreadable", path=p, reason=exc.strerror or exc) from None
    return document_from_bytes(data, filename=shown_name(p), max_bytes=max_bytes, max_chars=max_chars, ocr=ocr)


def document_from_text(text: str, *, source: str = "<text>") -> Document:
    """A Document for text already decoded (normalized like every other kind)."""
    if not isinstance(text, str):
        raise errors.E102("not_str")
    if len(text) > MAX_TEXT_CHARS:
        raise errors.E103("text", chars=len(text), limit=MAX_TEXT_CHARS)
    if not text.strip():
        raise errors.E101("empty_text")
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
