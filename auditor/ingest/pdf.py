"""PDF -> Document (pypdfium2 text layer plus character boxes).

Per page, pdfium's text lines are read with each character's box, then:

1. Page decorations are removed: page numbers ("- 1 -", "—1—", "第 1 页", "第1页 共5页",
   "1/5", "Page 1") in the top or bottom 10% of the page or as the first/last two lines of
   the page's text; a bare number in that band when it equals the page number or keeps the
   same offset from the page index on two or more pages; and, for 3+ pages,
   running headers/footers (a line in the top/bottom 10% band that repeats, digits aside,
   on 60%+ of the pages).
2. Spaces are mended with the geometry of the characters on each side (em = median width
   of the line's CJK ideographs):
   - kept between two numbers, always ("4 0 0 0 0 0 4" stays separate numbers);
   - removed between two CJK ideographs when the gap is under 1.2 em ("邮 编" -> "邮编"),
     and between CJK punctuation and CJK text under 2 em ("， 等" -> "，等");
   - removed between CJK punctuation and a number/Latin under 1.5 em ("： 223100" ->
     "：223100"), but after a closing bracket/quote only under 0.6 em, so that a table
     label "…稳定” 0 0 0" keeps its cell separation;
   - removed between a number and a CJK ideograph (either order) under 1.0 em: the
     narrative "2023 年 1 月 1 日" becomes "2023年1月1日" and "21 件" becomes "21件", while
     a table row "申请数量 21 0 0 0 0 0 21" keeps its spaces (the gap there is a cell
     boundary, several em wide);
   - otherwise kept (one space); and a space is inserted where pdfium gave none but the
     gap is over 1.5 em (0.8 em between two digits: two cells).
3. Hard line breaks inside a paragraph are joined when line A reaches the right margin of
   the body text, does not end in 。；：！？, line B is not indented, B is not a heading
   (一、 / （一） / 第二十条 / 1. / （1） / ①), neither line looks like a table row (ends with
   two or more numbers, or is only numbers), A ending in a digit only before B starting
   with a unit character (件、条、个、年、月、日、万、元、% …), and B starting with a
   digit only as a narrative number ("21个，…"). Lines inside tables (cells are narrower
   than the body text) are never joined. CJK text is joined without a space.

Pages without any text are reported in ``warnings``; a PDF with no text at all raises
E109 (无文本层，可能为扫描件). A missing %%EOF (truncated download) or a file pdfium cannot
open raises E104, a password raises E110, an undecodable text layer E113.
"""
from __future__ import annotations

import re
import statistics
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from auditor import deadline, errors
from auditor.ingest import ocr as ocr_reader
from auditor.ingest.document import Document, DocumentMeta
from auditor.ingest.ocr import OcrSettings
from auditor.ingest.text import DEFAULT_MAX_CHARS, DocBuilder, _TRANS, is_cjk, is_cjk_punct, is_han

__all__ = ["parse_pdf"]

_CLOSING = set("）】》」』〉”’〕｝］")
_OPENING = set("（【《「『〈“‘〔｛［")
_UNIT_CHARS = "件条个次项人家份篇期场名户号万亿元年月日时分秒%％倍批类起宗余多"
_SENTENCE_END = set("。！？；：!?;:")
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]"
    r"|[（(][一二三四五六七八九十百]+[）)]"
    r"|第[一二三四五六七八九十百零〇0-9]+[条章节项部分]"
    r"|[0-9]{1,2}[、.．](?![0-9])"
    r"|[（(][0-9]{1,2}[）)]"
    r"|[①-⑳]"
    r"|附件|附表)"
)
_TABLE_ROW = re.compile(r"(?:^|\s)[\d.,%％]+(?:\s+[\d.,%％]+)+\s*$|^[\d.,%％\s]+$")
_NARRATIVE_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?\s?[" + _UNIT_CHARS + r"]")
_PAGE_NUMBER = re.compile(
    r"^(?:[-－—–~·•]+\s*\d{1,4}\s*[-－—–~·•]+"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*[/／]\s*\d{1,4}"
    r"|(?:page|p\.?)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$",
    re.I,
)
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
_BAND = 0.10
_SPACE = (" ", 0.0, 0.0, 0.0, 0.0)
_UNDECODED = re.compile("[\ufffd\ue000-\uf8ff]")  # a replacement or private-use character: a glyph without Unicode
UNSURE = 0.995  # an OCR'd character read with less confidence is recorded in Document.unsure


@dataclass
class _Line:
    text: str
    left: float
    right: float
    top: float
    bottom: float
    em: float
    page: int
    conf: list[float] | None = None  # OCR'd lines: each character's reading confidence


def _cls(ch: str) -> str:
    if ch.isdigit() and ch.isascii():
        return "digit"
    if is_han(ch):
        return "han"
    if is_cjk_punct(ch):
        return "punct"
    if ch.isascii() and ch.isalpha():
        return "alpha"
    if "\uff10" <= ch <= "\uff19":
        return "digit"
    return "other"


def _keep_space(a: str, b: str, gap: float | None, em: float) -> bool:
    ca, cb = _cls(a), _cls(b)
    if gap is None:  # no usable geometry: only CJK-CJK spaces go
        return not (ca in ("han", "punct") and cb in ("han", "punct"))
    if ca == "digit" and cb == "digit":
        return True
    if gap < -0.5 * em:  # B starts left of A's end: another text run on the same baseline
        return True
    if ca == "han" and cb == "han":
        return gap >= 1.2 * em
    if ca in ("han", "punct") and cb in ("han", "punct"):
        return gap >= 2.0 * em
    if ca == "punct" and cb in ("digit", "alpha", "other"):
        return gap >= (0.6 if a in _CLOSING else 1.5) * em
    if ca in ("digit", "alpha", "other") and cb == "punct":
        return gap >= (1.0 if b in _OPENING else 1.5) * em
    if (ca == "digit" and cb == "han") or (ca == "han" and cb == "digit"):
        return gap >= 1.0 * em
    return True


def _insert_space(a: str, b: str, gap: float, em: float) -> bool:
    if gap > 1.5 * em:
        return True
    # the gap first: most characters touch their neighbour, and the classes cost a call each
    return gap > 0.8 * em and _cls(a) == "digit" and _cls(b) == "digit"


def _page_chars(page: Any, textpage: Any, pdfium: Any) -> list[list[tuple[str, float, float, float, float]]]:
    """The page's lines as lists of (char, left, bottom, right, top)."""
    n = textpage.count_chars()
    if n <= 0:
        return []
    text = textpage.get_text_range(0, n)
    if len(text) != n:  # surrogate pairs or odd output: read char by char
        raw = pdfium.raw
        chars = []
        for i in range(n):
            u = raw.FPDFText_GetUnicode(textpage.raw, i)
            chars.append(chr(u) if 0 < u < 0x110000 and not 0xD800 <= u < 0xE000 else "")
        text_chars = chars
    else:
        text_chars = list(text)
    lines: list[list[tuple[str, float, float, float, float]]] = []
    cur: list[tuple[str, float, float, float, float]] = []
    box = textpage.get_charbox  # a call into PDFium a character: most of this loop's time
    for i, ch in enumerate(text_chars):
        if ch == "\n":
            lines.append(cur)
            cur = []
            continue
        if ch == "\r" or ch == "":
            continue
        if ord(ch) in _TRANS:
            ch = ch.translate(_TRANS)
            if not ch or ch == "\n":
                ch = " "
        if ch.isspace():
            cur.append(_SPACE)
            continue
        cur.append((ch, *box(i)))
    lines.append(cur)
    return lines


def _mend(chars: list[tuple[str, float, float, float, float]], page: int, default_em: float) -> _Line | None:
    solid = [c for c in chars if c[0] != " "]
    if not solid:
        return None
    widths = [c[3] - c[1] for c in solid if is_han(c[0]) and c[3] > c[1]]
    if widths:
        em = statistics.median(widths)
    else:
        heights = [c[4] - c[2] for c in solid if c[4] > c[2]]
        em = statistics.median(heights) if heights else default_em
    em = max(em, 1.0)
    out: list[str] = []
    conf: list[float] | None = [] if len(solid[0]) > 5 else None
    prev = None
    pending = False
    for c in chars:
        if c[0] == " ":
            pending = prev is not None
            continue
        if prev is not None:
            usable = prev[3] > prev[1] and c[3] > c[1]
            gap = c[1] - prev[3] if usable else None
            if pending:
                space = _keep_space(prev[0], c[0], gap, em)
            else:
                space = gap is not None and (_insert_space(prev[0], c[0], gap, em) or c[1] < prev[1] - em)
            if space:
                out.append(" ")
                if conf is not None:
                    conf.append(1.0)
        out.append(c[0])
        if conf is not None:
            conf.append(c[5])
        prev = c
        pending = False
    boxes = [c for c in solid if c[3] > c[1] or c[4] > c[2]] or solid
    _, lefts, bottoms, rights, tops = list(zip(*boxes))[:5]
    return _Line(text="".join(out), left=min(lefts), right=max(rights), top=max(tops), bottom=min(bottoms), em=em,
                 page=page, conf=conf)


def _in_band(line: _Line, height: float) -> bool:
    if height <= 0:
        return False
    return line.top <= _BAND * height or line.bottom >= (1 - _BAND) * height


def _remove_decorations(pages: list[list[_Line]], heights: list[float]) -> list[list[_Line]]:
    npages = len(pages)
    drop: set[int] = set()  # id() of lines to drop

    def edge(idx: int, lines: list[_Line]) -> bool:
        return idx < 2 or idx >= len(lines) - 2

    bare: list[tuple[int, _Line, int]] = []
    for p, lines in enumerate(pages):
        for i, ln in enumerate(lines):
            txt = ln.text.strip()
            band = _in_band(ln, heights[p])
            if _PAGE_NUMBER.match(txt) and (band or edge(i, lines)):
                drop.add(id(ln))
            elif _BARE_NUMBER.match(txt) and band:
                bare.append((p, ln, int(txt)))
    if bare:
        offsets: dict[int, int] = {}
        for p, _, v in bare:
            offsets[v - p] = offsets.get(v - p, 0) + 1
        for p, ln, v in bare:
            if offsets[v - p] >= 2 or v == p + 1:
                drop.add(id(ln))
    if npages >= 3:
        seen: dict[str, set[int]] = {}
        for p, lines in enumerate(pages):
            for ln in lines:
                if id(ln) in drop or len(ln.text) > 60 or not _in_band(ln, heights[p]):
                    continue
                key = re.sub(r"\d+", "#", re.sub(r"\s+", "", ln.text))
                seen.setdefault(key, set()).add(p)
        need = max(3, -(-npages * 6 // 10))
        repeated = {k for k, ps in seen.items() if len(ps) >= need}
        if repeated:
            for p, lines in enumerate(pages):
                for ln in lines:
                    if _in_band(ln, heights[p]) and re.sub(r"\d+", "#", re.sub(r"\s+", "", ln.text)) in repeated:
                        drop.add(id(ln))
    return [[ln for ln in lines if id(ln) not in drop] for lines in pages]


def _mode(values: list[float], tol: float = 3.0) -> tuple[float, int]:
    """The value with the most others within ``tol`` (ties: the larger), and that count."""
    if not values:
        return 0.0, 0
    vs = sorted(values)
    best_v, best_n = vs[-1], 0
    j = 0
    k = 0
    for i, v in enumerate(vs):
        while vs[j] < v - tol:
            j += 1
        while k < len(vs) and vs[k] <= v + tol:
            k += 1
        n = k - j
        if n >= best_n:
            best_v, best_n = v, n
    return best_v, best_n


def _is_table_row(text: str) -> bool:
    return bool(_TABLE_ROW.search(text))


def _join_lines(lines: list[_Line]) -> list[str]:
    return [joined.text for joined in _join_lines_paged(lines)]


@dataclass
class _Joined:
    """A joined line: its text, (offset in it, 1-based page) where each page it spans begins,
    and its characters' reading confidences where any part of it was OCR'd."""

    text: str
    pages: list[tuple[int, int]]
    conf: list[float] | None = None

    def extend(self, glue: str, line: _Line) -> None:
        if line.conf is not None or self.conf is not None:
            self.conf = (self.conf or [1.0] * len(self.text)) + [1.0] * len(glue) + (line.conf or [1.0] * len(line.text))
        self.text = self.text + glue + line.text


def _join_lines_paged(lines: list[_Line]) -> list[_Joined]:
    """The joined lines, each with the pages it spans (a sentence running over a page break is
    one line on two pages)."""
    if not lines:
        return []
    long_lines = [ln for ln in lines if len(ln.text) >= 8 and not _is_table_row(ln.text)]
    right_margin, n_r = _mode([ln.right for ln in long_lines])
    left_margin, n_l = _mode([ln.left for ln in long_lines])
    if n_r < 3:
        right_margin = max((ln.right for ln in lines), default=0.0)
    if n_l < 3:
        left_margin = min((ln.left for ln in lines), default=0.0)

    out: list[_Joined] = []
    cur = lines[0]
    joined = _Joined(cur.text, [(0, cur.page + 1)], cur.conf)
    for nxt in lines[1:]:
        if _should_join(cur, joined.text, nxt, left_margin, right_margin):
            a, b = joined.text[-1], nxt.text[0]
            glue = "" if (is_cjk(a) or is_cjk(b) or not (a.isalpha() and b.isalpha())) else " "
            if nxt.page != cur.page:
                joined.pages.append((len(joined.text) + len(glue), nxt.page + 1))
            joined.extend(glue, nxt)
        else:
            out.append(joined)
            joined = _Joined(nxt.text, [(0, nxt.page + 1)], nxt.conf)
        cur = nxt
    out.append(joined)
    return out


def _should_join(a: _Line, a_text: str, b: _Line, left: float, right: float) -> bool:
    at, bt = a_text, b.text
    if not at or not bt:
        return False
    if at[-1] in _SENTENCE_END:
        return False
    if a.right < right - 1.5 * a.em:  # A stops short of the margin: paragraph end or a cell
        return False
    if b.left > left + 1.0 * b.em:  # B indented: a new paragraph
        return False
    if _HEADING.match(bt):
        return False
    if _is_table_row(at) or _is_table_row(bt):
        return False
    if at[-1].isdigit() and bt[0] not in _UNIT_CHARS:
        return False
    if bt[0].isdigit() and not _NARRATIVE_NUMBER.match(bt):
        return False
    if a.page == b.page:
        if b.top > a.top:  # B above A: another column or out-of-order text
            return False
        if a.bottom - b.top > 2.5 * max(a.em, b.em):  # a visible gap between paragraphs
            return False
    return True


def _open(data: bytes) -> Any:
    import pypdfium2 as pdfium  # lazy: heavy import

    try:
        return pdfium, pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        err = getattr(exc, "err_code", None)
        if "password" in msg or err in (pdfium.raw.FPDF_ERR_PASSWORD, pdfium.raw.FPDF_ERR_SECURITY):
            raise errors.E110() from None
        raise errors.E104("unopenable", error=exc) from None
    except Exception as exc:
        raise errors.E104("unopenable", error=type(exc).__name__) from None


# PDFium is not thread-safe (its documentation: one thread at a time in the whole library); the
# server reads uploads on worker threads, so every call into it, open to close, holds this lock.
PDFIUM_LOCK = threading.Lock()


def parse_pdf(data: bytes, *, source: str, sha256: str, max_chars: int = DEFAULT_MAX_CHARS,
              ocr: OcrSettings = OcrSettings()) -> Document:
    """Stops, with E114, at the page where the text passes ``max_chars`` (the analysis would refuse it).
    Pages without a text layer are read by OCR (``ocr``) when the ``ocr`` extra is installed."""
    tail = data[-8192:]
    if b"%%EOF" not in tail:
        raise errors.E104("truncated")
    with PDFIUM_LOCK:
        read = _read_pages(data, max_chars, ocr)
    return _assemble(data, source, sha256, read)


@dataclass
class _Pages:
    """What reading a PDF's pages found: each page's lines and height (a page that failed has
    none and height 0), the pages that failed or had no text, the characters and bad ones."""

    npages: int
    pages: list[list[_Line]] = field(default_factory=list)
    heights: list[float] = field(default_factory=list)
    empty_pages: list[int] = field(default_factory=list)
    failed_pages: list[int] = field(default_factory=list)
    total_chars: int = 0
    bad_chars: int = 0
    ocr_pages: list[int] = field(default_factory=list)
    ocr_missing: bool = False  # pages without text that the OCR extra, not installed, would have read
    ocr_seconds: float = 0.0

    def fail(self, p: int) -> None:
        self.failed_pages.append(p + 1)
        self.pages.append([])
        self.heights.append(0.0)


def _read_pages(data: bytes, max_chars: int, ocr: OcrSettings) -> _Pages:
    pdfium, pdf = _open(data)
    try:
        npages = len(pdf)
        if npages <= 0:
            raise errors.E104("no_pages")
        read = _Pages(npages)
        for p in range(npages):
            deadline.check()
            page = _read_page(pdf, p, pdfium, ocr, read)
            if page is None:
                read.fail(p)
                continue
            height, raw_lines = page
            read.heights.append(height)
            lines, page_chars, bad_chars = _page_lines(raw_lines, p)
            read.bad_chars += bad_chars
            read.total_chars += page_chars
            if read.total_chars > max_chars:
                raise errors.E114("pdf_page", page=p + 1, limit=max_chars)
            if page_chars == 0:
                read.empty_pages.append(p + 1)
            read.pages.append(lines)
    finally:
        pdf.close()
    return read


def _read_page(pdf: Any, p: int, pdfium: Any, ocr: OcrSettings, read: _Pages) -> tuple[float, list] | None:
    """(height, the characters of each raw line) of page ``p``, or None when PDFium cannot read it.
    A page without a text layer is read by OCR when that is enabled and installed."""
    try:
        page = pdf[p]
    except Exception:
        return None
    try:
        height = float(page.get_height())
        textpage = page.get_textpage()
        try:
            raw_lines = _page_chars(page, textpage, pdfium)
        finally:
            textpage.close()
        if ocr.enabled and not any(c[0] != " " for line in raw_lines for c in line):
            if ocr_reader.available():
                t0 = time.perf_counter()
                raw_lines = ocr_reader.read_page(page, ocr)
                read.ocr_seconds += time.perf_counter() - t0
                read.ocr_pages.append(p + 1)
            else:
                read.ocr_missing = True
    except errors.AuditorError:
        raise
    except Exception:
        return None
    finally:
        page.close()
    return height, raw_lines


def _page_lines(raw_lines: list, p: int) -> tuple[list[_Line], int, int]:
    """(the page's mended, non-blank lines, its characters, those that did not decode)."""
    lines = []
    page_chars = bad_chars = 0
    for chars in raw_lines:
        ln = _mend(chars, p, 10.0)
        if ln is None:
            continue
        # a mended line holds the raw line's characters but its spaces: counted on the text, in C
        page_chars += len(ln.text) - ln.text.count(" ")
        bad_chars += len(_UNDECODED.findall(ln.text))
        if ln.text.strip():
            lead = len(ln.text) - len(ln.text.lstrip())
            ln.text = ln.text.strip()
            if ln.conf is not None:
                ln.conf = ln.conf[lead:lead + len(ln.text)]
            lines.append(ln)
    return lines, page_chars, bad_chars


def _assemble(data: bytes, source: str, sha256: str, read: _Pages) -> Document:
    warnings: list[str] = []
    if read.failed_pages and len(read.failed_pages) == read.npages:
        raise errors.E104("all_pages_failed")
    if read.total_chars == 0:
        if read.ocr_pages:
            raise errors.E109("ocr_nothing")
        if read.ocr_missing:
            raise errors.E109("no_ocr")
        raise errors.E109("no_text_layer")
    if read.bad_chars > 0.3 * read.total_chars:
        raise errors.E113()
    if read.failed_pages:
        warnings.append(f"PDF 第 {'、'.join(map(str, read.failed_pages))} 页损坏，未读取。")
    if read.empty_pages:
        why = "未安装文字识别组件（pip install 'auditor[ocr]'）" if read.ocr_missing else "未启用文字识别"
        warnings.append(
            f"PDF 第 {'、'.join(map(str, read.empty_pages))} 页没有文本层（可能为扫描页），{why}，这些页的内容未读取。"
        )
    if read.ocr_pages:
        warnings.append(
            f"PDF 第 {'、'.join(map(str, read.ocr_pages))} 页没有文本层，已用文字识别（OCR）读取；"
            "识别可能有误，依据经文字识别读取的问题已注明置信度，请对照原件核实。"
        )
    pages = _remove_decorations(read.pages, read.heights)
    flat = [ln for lines in pages for ln in lines]
    builder = DocBuilder()
    unsure: list[tuple[int, float]] = []
    for joined in _join_lines_paged(flat):
        start = builder.chars + (0 if builder.empty else 1)
        for at, page in joined.pages:
            builder.mark_page(start + at, page)
        builder.add_paragraph(joined.text, clean=False)
        if joined.conf is not None:
            unsure += [(start + i, round(c, 4)) for i, c in enumerate(joined.conf) if c < UNSURE]
    if builder.empty:
        if read.ocr_pages:
            raise errors.E109("ocr_nothing")
        raise errors.E109("page_numbers_only")
    meta = DocumentMeta(
        source=source, sha256=sha256, input_kind="pdf", encoding=None, size=len(data), pages=read.npages
    )
    return replace(builder.build(meta, warnings), ocr_pages=tuple(read.ocr_pages), unsure=tuple(unsure))
