"""The ingest stage's output: a normalized text with its blocks and raw tables."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """A paragraph or table row region of the normalized text (end exclusive)."""

    start: int
    end: int
    kind: str = "paragraph"  # "paragraph" | "table"


@dataclass(frozen=True)
class RawCell:
    """One source table cell: its text and where it stands in the normalized text."""

    text: str
    start: int
    end: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class RawTable:
    """A source table as rows of cells, as written (spans not expanded)."""

    rows: tuple[tuple[RawCell, ...], ...]
    start: int
    end: int


@dataclass(frozen=True)
class DocumentMeta:
    source: str
    sha256: str
    input_kind: str  # text | html | docx | pdf
    encoding: str | None = None
    size: int = 0
    pages: int | None = None


@dataclass(frozen=True)
class Document:
    """Normalized text plus structure.

    Tables from HTML/DOCX/PDF are rendered into ``text`` as one line per table row with
    cells separated by a tab, so that every later stage works on one text and every
    offset (claims, cells, labels) indexes it.
    """

    text: str
    meta: DocumentMeta
    blocks: tuple[Block, ...] = ()
    raw_tables: tuple[RawTable, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    # (text offset, 1-based page) where each page of a paged source (PDF) begins: an offset's
    # page is that of the last mark at or before it; empty for unpaged sources
    page_starts: tuple[tuple[int, int], ...] = ()
    # pages read by OCR (1-based), and the offsets of OCR'd characters read with a confidence
    # under certainty (pdf.UNSURE), with that confidence; every other character is certain
    ocr_pages: tuple[int, ...] = ()
    unsure: tuple[tuple[int, float], ...] = ()

    def page_at(self, offset: int) -> int | None:
        return page_at(self.page_starts, offset)

    def ocr_spans(self) -> tuple[tuple[int, int], ...]:
        """The text ranges (end exclusive) of the pages read by OCR."""
        if not self.ocr_pages:
            return ()
        ends = [at for at, _ in self.page_starts[1:]] + [len(self.text)]
        ocr = set(self.ocr_pages)
        return tuple((at, end) for (at, page), end in zip(self.page_starts, ends) if page in ocr)


def page_at(page_starts, offset: int) -> int | None:
    """The page holding a text offset, or None for an unpaged source."""
    from bisect import bisect_right

    k = bisect_right([at for at, _ in page_starts], offset)
    return page_starts[k - 1][1] if k else (page_starts[0][1] if page_starts else None)
