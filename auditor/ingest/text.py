"""Text normalization shared by every input kind, and the Document builder.

Normalization (``normalize_text``), applied to every kind; all offsets index its result:

* ``\\r\\n`` and ``\\r`` become ``\\n``; ``\\f``, ``\\v``, U+0085, U+2028, U+2029 also become ``\\n``;
* BOM (U+FEFF), zero-width and invisible format characters (U+200B–U+200F, U+2060–U+2064,
  U+00AD soft hyphen) are removed, as are C0/C1 control characters other than tab and newline;
* U+00A0, U+3000 and the other Unicode space characters (U+2000–U+200A, U+202F, U+205F)
  become an ASCII space;
* everything else is kept as written (no NFKC: full-width punctuation and digits stay).

Documents built from HTML/DOCX/PDF go through ``clean_inline`` too: each paragraph or table
cell becomes one line with whitespace runs collapsed to one space (a run that held a line
break between two CJK characters is removed), tabs inside paragraphs and cells become
spaces (a tab in the text means "next table cell" and nothing else), and the ends are
stripped.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditor import errors
from auditor.ingest.document import Block, Document, DocumentMeta, RawCell, RawTable

__all__ = [
    "normalize_text",
    "clean_inline",
    "join_fragments",
    "is_cjk",
    "is_han",
    "CellSpec",
    "DocBuilder",
    "document_from_plain_text",
    "MAX_TEXT_CHARS",
    "DEFAULT_MAX_CHARS",
]

MAX_TEXT_CHARS = 50_000_000
# The analysis refuses a text longer than this (limits.max_text_chars, E114); the DOCX, HTML and
# PDF readers stop building one as soon as it is longer.
DEFAULT_MAX_CHARS = 2_000_000

_REMOVE = "\ufeff\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\u00ad"
_TRANS: dict[int, str | None] = {ord(c): None for c in _REMOVE}
for _c in range(0x20):
    if _c not in (0x09, 0x0A):
        _TRANS[_c] = None
for _c in range(0x7F, 0xA0):
    _TRANS[_c] = None
for _c in (0x0B, 0x0C, 0x85, 0x2028, 0x2029):
    _TRANS[_c] = "\n"
for _c in [0xA0, 0x3000, 0x202F, 0x205F, *range(0x2000, 0x200B)]:
    _TRANS[_c] = " "
_TRANS[0x0D] = "\n"  # lone \r (\r\n is folded first)


def normalize_text(text: str) -> str:
    """Apply the character-level normalization described in the module docstring."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text.translate(_TRANS)


def is_han(ch: str) -> bool:
    """A CJK ideograph (incl. 〇)."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x3FFFF
        or o == 0x3007
    )


def is_cjk_punct(ch: str) -> bool:
    """CJK or full-width punctuation (incl. the curly quotes Chinese text uses)."""
    o = ord(ch)
    return (
        0x3000 <= o <= 0x303F
        or 0xFF01 <= o <= 0xFF0F
        or 0xFF1A <= o <= 0xFF20
        or 0xFF3B <= o <= 0xFF40
        or 0xFF5B <= o <= 0xFF65
        or 0xFE30 <= o <= 0xFE4F
        or 0xFE10 <= o <= 0xFE1F
        or o in (0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x2014, 0x2015, 0x00B7, 0x2027)
    )


def is_cjk(ch: str) -> bool:
    """An ideograph or CJK/full-width punctuation: characters that need no space between."""
    return is_han(ch) or is_cjk_punct(ch)


_WS_RUN = re.compile(r"\s+")


def clean_inline(text: str) -> str:
    """Normalize ``text`` and fold it to one line (see module docstring)."""
    if text.isalnum():  # no space, control or format character: nothing to change (most table cells)
        return text
    text = normalize_text(text)
    if not text:
        return ""

    def repl(m: re.Match[str]) -> str:
        run = m.group(0)
        if "\n" in run:
            s, e = m.start(), m.end()
            if s > 0 and e < len(text) and is_cjk(text[s - 1]) and is_cjk(text[e]):
                return ""
        return " "

    return _WS_RUN.sub(repl, text).strip()


def join_fragments(parts: Iterable[str]) -> str:
    """Join line fragments of one cell: nothing between two CJK characters, else a space."""
    out = ""
    for p in parts:
        p = clean_inline(p)
        if not p:
            continue
        if out and not (is_cjk(out[-1]) and is_cjk(p[0])):
            out += " "
        out += p
    return out


@dataclass(frozen=True)
class CellSpec:
    """A source cell before placement. ``raw=False``: rendered in the text (as an empty field
    that keeps the row aligned) but not recorded in the RawTable (DOCX vMerge continuation)."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    raw: bool = True


class DocBuilder:
    """Accumulates lines (paragraphs and table rows) into one normalized text."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pos = 0
        self.blocks: list[Block] = []
        self.tables: list[RawTable] = []
        self.warnings: list[str] = []
        self.page_starts: list[tuple[int, int]] = []  # (text offset, 1-based page) where a page begins

    @property
    def empty(self) -> bool:
        return not self._parts

    @property
    def chars(self) -> int:
        return self._pos

    def mark_page(self, offset: int, page: int) -> None:
        if not self.page_starts or self.page_starts[-1][1] != page:
            self.page_starts.append((offset, page))

    def _emit(self, line: str) -> int:
        if self._parts:
            self._parts.append("\n")
            self._pos += 1
        start = self._pos
        self._parts.append(line)
        self._pos += len(line)
        return start

    def add_paragraph(self, text: str, *, clean: bool = True) -> None:
        line = clean_inline(text) if clean else text
        if not line:
            return
        start = self._emit(line)
        self.blocks.append(Block(start, start + len(line), "paragraph"))

    def add_table(self, rows: Sequence[Sequence[CellSpec]]) -> None:
        rows = [r for r in rows if r]
        if not rows:
            return
        out_rows: list[tuple[RawCell, ...]] = []
        t_start: int | None = None
        t_end = 0
        for row in rows:
            texts = [clean_inline(c.text) for c in row]
            line = "\t".join(texts)
            start = self._emit(line)
            if t_start is None:
                t_start = start
            t_end = start + len(line)
            cells: list[RawCell] = []
            pos = start
            for spec, txt in zip(row, texts):
                if spec.raw:
                    cells.append(
                        RawCell(txt, pos, pos + len(txt), max(1, spec.rowspan), max(1, spec.colspan))
                    )
                pos += len(txt) + 1
            out_rows.append(tuple(cells))
        assert t_start is not None
        self.tables.append(RawTable(tuple(out_rows), t_start, t_end))
        self.blocks.append(Block(t_start, t_end, "table"))

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def build(self, meta: DocumentMeta, warnings: Sequence[str] = ()) -> Document:
        return Document(
            text=self.text,
            meta=meta,
            blocks=tuple(self.blocks),
            raw_tables=tuple(self.tables),
            warnings=tuple([*self.warnings, *warnings]),
            page_starts=tuple(self.page_starts),
        )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_from_plain_text(
    text: str,
    *,
    source: str,
    sha256: str,
    size: int,
    encoding: str | None,
    warnings: Sequence[str] = (),
) -> Document:
    """A Document for plain text: normalized as written, one paragraph block per non-blank line."""
    if len(text) > MAX_TEXT_CHARS:
        raise errors.E103("text", chars=len(text), limit=MAX_TEXT_CHARS)
    norm = normalize_text(text)
    if not norm.strip():
        raise errors.E101("blank")
    blocks: list[Block] = []
    pos = 0
    for line in norm.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            s = pos + lead
            blocks.append(Block(s, s + len(stripped), "paragraph"))
        pos += len(line) + 1
    meta = DocumentMeta(
        source=source, sha256=sha256, input_kind="text", encoding=encoding, size=size
    )
    return Document(text=norm, meta=meta, blocks=tuple(blocks), warnings=tuple(warnings))
