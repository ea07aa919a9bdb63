"""bytes -> str for text and HTML inputs.

Order: byte-order mark (UTF-8/UTF-16/UTF-32); UTF-16 without BOM recognised by its NUL
pattern; a declared charset (HTML ``<meta>``) if it decodes strictly; strict UTF-8; strict
GB18030 (superset of GB2312/GBK) if the result looks like Chinese; charset-normalizer.
NUL bytes or a low share of printable characters mean binary (E102). When nothing fits but
the bytes are UTF-8 (or GB18030) with at most 0.5% damaged sequences, those are replaced by
U+FFFD and a warning is returned; otherwise E108.
"""
from __future__ import annotations

import codecs

import regex

from auditor import errors
from auditor.errors import InputError

__all__ = ["decode_bytes", "decode_bytes_ex", "canonical_codec", "looks_binary_text", "DecodeResult"]

DecodeResult = tuple[str, str]

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)

# Declared names that should be read with a superset codec.
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "gb_2312-80": "gb18030",
    "iso-ir-58": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "utf8": "utf-8",
    "unicode": "utf-16",
}


def canonical_codec(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None if unknown."""
    if not name:
        return None
    n = name.strip().strip("\"'").lower()
    n = _ALIASES.get(n, n)
    try:
        return codecs.lookup(n).name
    except LookupError:
        return None


# control characters (not the whitespace ones), C1 controls, U+FFFD, private use, surrogates, unassigned
_UNPRINTABLE = regex.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff\p{Cs}\p{Cn}]")


def _printable_ratio(text: str) -> float:
    if not text:
        return 1.0
    sample = text[:20000]
    return 1.0 - len(_UNPRINTABLE.findall(sample)) / len(sample)


def looks_binary_text(text: str) -> bool:
    """Decoded text that is mostly control, unassigned or private-use characters."""
    return _printable_ratio(text) < 0.95


_NON_ASCII = regex.compile(r"[^\x00-\x7f]")
_GOOD_NON_ASCII = regex.compile(
    "[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2010-\u2026\u00b7\u00d7\u00f7\u2030\u2103\u2116"
    "\u2160-\u217f\u2460-\u24ff\u25a0-\u25ff]")


def _plausible_chinese(text: str) -> bool:
    """Of the non-ASCII characters, are most common CJK (as GB text decoded right is)?"""
    sample = text[:50000]
    non_ascii = len(_NON_ASCII.findall(sample))
    return non_ascii == 0 or len(_GOOD_NON_ASCII.findall(sample)) / non_ascii >= 0.9


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without BOM: the NUL bytes (high bytes of ASCII characters) sit mostly on one
    parity, and the decoded text reads as Chinese/ASCII."""
    sample = data[:65536]
    if len(sample) < 4:
        return None
    z_even = sample[0::2].count(0)
    z_odd = sample[1::2].count(0)
    if z_odd >= 2 and z_even <= z_odd * 0.35:
        codec = "utf-16-le"
    elif z_even >= 2 and z_odd <= z_even * 0.35:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data[: len(data) - len(data) % 2].decode(codec)
    except UnicodeDecodeError:
        return None
    if looks_binary_text(text) or not _plausible_chinese(text):
        return None
    return codec


def _binary_error() -> InputError:
    return errors.E102("binary")


def decode_bytes(data: bytes, *, declared: str | None = None) -> DecodeResult:
    """Decode ``data``; returns ``(text, encoding)``. Raises InputError E102/E108."""
    text, codec, _ = decode_bytes_ex(data, declared=declared)
    return text, codec


def decode_bytes_ex(data: bytes, *, declared: str | None = None) -> tuple[str, str, list[str]]:
    """Like ``decode_bytes`` and also the warnings (e.g. a few undecodable bytes replaced)."""
    warnings: list[str] = []
    try:
        text, codec = _decode(data, declared)
    except InputError as exc:
        if exc.code != errors.E108.code:
            raise
        # a few damaged bytes in an otherwise clean UTF-8 or GB18030 file: replace them
        for codec in ("utf-8", "gb18030"):
            text = data.decode(codec, errors="replace")
            bad = text.count("\ufffd")
            if bad <= max(2, len(text) // 200) and (codec == "utf-8" or _plausible_chinese(text)):
                warnings.append(f"文件中有 {bad} 处无法按 {codec} 解码的字节，已替换为 �。")
                break
        else:
            raise
    if looks_binary_text(text):
        raise _binary_error()
    return text, codec, warnings


def _decode(data: bytes, declared: str | None) -> DecodeResult:
    for bom, codec, reported in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                text = data[len(bom):].decode(codec, errors="replace")
                if looks_binary_text(text):
                    raise _binary_error() from None
            return text, reported
    if b"\x00" in data[:65536] or b"\x00" in data[-4096:]:
        codec = _utf16_without_bom(data)
        if codec:
            return data.decode(codec), codec
        raise _binary_error()

    declared_codec = canonical_codec(declared)
    if declared_codec and declared_codec not in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        try:
            text = data.decode(declared_codec)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            # Latin-1 style declarations on Chinese pages are usually wrong: only trust
            # single-byte codecs when the bytes are plain ASCII or fail UTF-8/GB18030.
            if declared_codec in ("utf-8", "gb18030", "big5hkscs", "hz") or data.isascii():
                return text, declared_codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    gb_text: str | None
    try:
        gb_text = data.decode("gb18030")
    except UnicodeDecodeError:
        gb_text = None
    if gb_text is not None and _plausible_chinese(gb_text):
        return gb_text, "gb18030"

    from charset_normalizer import from_bytes  # lazy: not needed on the fast paths

    best = from_bytes(data[:2_000_000]).best()
    if best is not None and best.encoding:
        codec = best.encoding
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            text = data.decode(codec, errors="replace")
        if looks_binary_text(text):
            raise _binary_error()
        return text, codecs.lookup(codec).name
    if gb_text is not None:
        return gb_text, "gb18030"
    if declared_codec:
        text = data.decode(declared_codec, errors="replace")
        if not looks_binary_text(text):
            return text, declared_codec
    raise errors.E108()
