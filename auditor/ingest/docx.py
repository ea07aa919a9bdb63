"""DOCX -> Document (the parts read with lxml, the body streamed one block at a time).

* Before anything is decompressed, the zip directory is checked: more than
  ``MAX_UNCOMPRESSED`` bytes in total, more than ``MAX_ENTRIES`` members, or a member whose
  declared size is over ``RATIO_MIN_SIZE`` and ``MAX_RATIO`` times its compressed size is a
  zip bomb (E106). The directory is the writer's claim: while reading, the bytes really
  decompressed are counted (``MAX_PART_BYTES``, ``MAX_BLOCK_BYTES``), and the text built stops
  at the analysis limit (E114), so memory stays near one paragraph or table.
* Body children in document order (paragraphs and tables, also inside content controls).
  Paragraph text: w:t runs, w:tab -> space, w:br/w:cr -> new line; deleted/moved-from text,
  field instructions and mc:Fallback duplicates are skipped. Automatic list numbers
  (numbering.xml: 一、 / （一） / 1. ...) are rendered in front of the paragraph text.
* Tables: one line per w:tr, cells separated by a tab. A horizontally merged cell
  (gridSpan, or legacy hMerge) appears once with its colspan. A vertically merged cell is
  written in its first row with its rowspan; its continuation cells (vMerge continue) are
  empty fields in the text and are not in the RawTable. Cell paragraphs are joined into one
  field; a nested table is flattened into its cell.
"""
from __future__ import annotations

import io
import zipfile
from typing import Any

from auditor import deadline, errors
from auditor.errors import InputError
from auditor.ingest.document import Document, DocumentMeta
from auditor.ingest.text import DEFAULT_MAX_CHARS, CellSpec, DocBuilder, clean_inline, is_cjk, join_fragments

__all__ = ["parse_docx", "inspect_zip", "is_docx_zip", "MAX_UNCOMPRESSED", "MAX_RATIO"]

MAX_UNCOMPRESSED = 200_000_000
MAX_ENTRIES = 10_000
MAX_RATIO = 100
RATIO_MIN_SIZE = 10_000_000

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_W_VAL = W + "val"

_SKIP_SUBTREES = frozenset(
    {
        W + "pPr", W + "rPr", W + "tcPr", W + "tblPr", W + "trPr", W + "sectPr", W + "del",
        W + "moveFrom", W + "instrText", W + "delText", W + "delInstrText", MC + "Fallback",
        W + "footnoteReference", W + "endnoteReference", W + "commentReference",
        W + "annotationRef", W + "tblGrid",
    }
)


def inspect_zip(data: bytes) -> zipfile.ZipFile:
    """Open the zip and check its directory for bombs. Raises E105/E106."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError) as exc:
        raise errors.E105("bad_zip", error=exc) from None
    if len(infos) > MAX_ENTRIES:
        raise errors.E106("entries", count=len(infos))
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise errors.E106("ratio", name=info.filename, size=info.file_size, ratio=MAX_RATIO)
    if total > MAX_UNCOMPRESSED:
        raise errors.E106("total", total=total, limit=MAX_UNCOMPRESSED)
    return zf


def is_docx_zip(zf: zipfile.ZipFile) -> bool:
    try:
        zf.getinfo("word/document.xml")
    except KeyError:
        return False
    return True


# ---------------------------------------------------------------- numbering

_CN_DIGITS = "零一二三四五六七八九"


def _chinese_counting(n: int) -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        s = _CN_DIGITS[n // 100] + "百"
        if rest == 0:
            return s
        if rest < 10:
            return s + "零" + _CN_DIGITS[rest]
        return s + (_CN_DIGITS[rest // 10] + "十" + (_CN_DIGITS[rest % 10] if rest % 10 else ""))
    return str(n)


def _roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = ""
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                 (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out += s
            n -= v
    return out


def _letters(n: int) -> str:
    if n <= 0:
        return str(n)
    ch = chr(ord("A") + (n - 1) % 26)
    return ch * ((n - 1) // 26 + 1)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand", "chineseLegalSimplified"):
        return _chinese_counting(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_CN_DIGITS[int(d)] if d.isdigit() else d for d in str(n)).replace("零", "〇")
    if fmt == "ideographTraditional":
        return "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return "子丑寅卯辰巳午未申酉戌亥"[(n - 1) % 12] if n > 0 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 0 < n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 0 < n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


class _Numbering:
    """Renders automatic list numbers (a useful subset of numbering.xml)."""

    def __init__(self, numbering_el: Any | None, styles_el: Any | None) -> None:
        self.levels: dict[str, dict[int, dict[str, Any]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.style_num: dict[str, tuple[str | None, int | None]] = {}
        self.style_based: dict[str, str] = {}
        if styles_el is not None:
            for st in styles_el.iter(W + "style"):
                sid = st.get(W + "styleId")
                if not sid:
                    continue
                based = st.find(W + "basedOn")
                if based is not None and based.get(_W_VAL):
                    self.style_based[sid] = based.get(_W_VAL)
                num_pr = st.find(W + "pPr/" + W + "numPr")
                if num_pr is not None:
                    self.style_num[sid] = self._read_num_pr(num_pr)
        if numbering_el is None:
            return
        abstract: dict[str, dict[int, dict[str, Any]]] = {}
        for an in numbering_el.iter(W + "abstractNum"):
            aid = an.get(W + "abstractNumId")
            abstract[aid] = {lvl_i: lvl for lvl_i, lvl in self._read_levels(an).items()}
        for num in numbering_el.iter(W + "num"):
            nid = num.get(W + "numId")
            ref = num.find(W + "abstractNumId")
            if nid is None or ref is None:
                continue
            levels = {k: dict(v) for k, v in abstract.get(ref.get(_W_VAL), {}).items()}
            for ov in num.iter(W + "lvlOverride"):
                try:
                    ilvl = int(ov.get(W + "ilvl", "0"))
                except ValueError:
                    continue
                so = ov.find(W + "startOverride")
                if so is not None and ilvl in levels:
                    levels[ilvl]["start"] = _int(so.get(_W_VAL), 1)
                lvl = ov.find(W + "lvl")
                if lvl is not None:
                    levels[ilvl] = self._read_level(lvl)
            self.levels[nid] = levels

    @staticmethod
    def _read_num_pr(num_pr: Any) -> tuple[str | None, int | None]:
        nid = num_pr.find(W + "numId")
        ilvl = num_pr.find(W + "ilvl")
        return (
            nid.get(_W_VAL) if nid is not None else None,
            _int(ilvl.get(_W_VAL), 0) if ilvl is not None else None,
        )

    @staticmethod
    def _read_level(lvl: Any) -> dict[str, Any]:
        def val(tag: str, default: str) -> str:
            el = lvl.find(W + tag)
            v = el.get(_W_VAL) if el is not None else None
            return v if v is not None else default

        return {
            "start": _int(val("start", "1"), 1),
            "fmt": val("numFmt", "decimal"),
            "text": val("lvlText", ""),
            "suff": val("suff", "tab"),
        }

    def _read_levels(self, an: Any) -> dict[int, dict[str, Any]]:
        out = {}
        for lvl in an.findall(W + "lvl"):
            out[_int(lvl.get(W + "ilvl"), 0)] = self._read_level(lvl)
        return out

    def _style_num(self, style: str | None) -> tuple[str | None, int | None]:
        seen = set()
        while style and style not in seen:
            seen.add(style)
            if style in self.style_num:
                return self.style_num[style]
            style = self.style_based.get(style)
        return None, None

    def prefix(self, p: Any) -> tuple[str, str]:
        """(number text, suffix kind) for paragraph ``p``, or ("", "")."""
        if not self.levels:
            return "", ""
        ppr = p.find(W + "pPr")
        nid: str | None = None
        ilvl: int | None = None
        if ppr is not None:
            num_pr = ppr.find(W + "numPr")
            if num_pr is not None:
                nid, ilvl = self._read_num_pr(num_pr)
            if nid is None:
                ps = ppr.find(W + "pStyle")
                if ps is not None:
                    s_nid, s_ilvl = self._style_num(ps.get(_W_VAL))
                    nid = s_nid
                    ilvl = ilvl if ilvl is not None else s_ilvl
        if not nid or nid == "0" or nid not in self.levels:
            return "", ""
        ilvl = ilvl or 0
        levels = self.levels[nid]
        if ilvl not in levels:
            return "", ""
        counters = self.counters.setdefault(nid, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl]["start"] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        text = levels[ilvl]["text"]
        if levels[ilvl]["fmt"] == "bullet" or not text:
            return "", ""
        out = text
        for k in range(9, 0, -1):
            token = f"%{k}"
            if token in out:
                lv = k - 1
                n = counters.get(lv, levels.get(lv, {}).get("start", 1))
                fmt = levels.get(lv, {}).get("fmt", "decimal")  # its own format: isLgl (all decimal) is not read
                out = out.replace(token, _format_number(n, fmt))
        return out, levels[ilvl]["suff"]


def _int(v: str | None, default: int) -> int:
    try:
        return int(v) if v is not None else default
    except ValueError:
        return default


# ---------------------------------------------------------------- body

def _paragraph_lines(p: Any) -> list[str]:
    """Text lines of one w:p (split at w:br / w:cr and nested text-box paragraphs)."""
    lines: list[str] = []
    cur: list[str] = []
    stack = [iter(p)]
    while stack:
        try:
            el = next(stack[-1])
        except StopIteration:
            stack.pop()
            continue
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP_SUBTREES:
            continue
        if tag == W + "t":
            if el.text:
                cur.append(el.text)
            continue
        if tag in (W + "tab", W + "ptab"):
            cur.append(" ")
            continue
        if tag in (W + "br", W + "cr"):
            lines.append("".join(cur))
            cur = []
            continue
        if tag == W + "noBreakHyphen":
            cur.append("-")
            continue
        if tag == W + "p":  # paragraph inside a text box
            lines.append("".join(cur))
            cur = []
            stack.append(iter(el))
            continue
        if len(el):
            stack.append(iter(el))
    lines.append("".join(cur))
    return [ln for ln in (clean_inline(x) for x in lines) if ln]


def _children(el: Any) -> list[Any]:
    """Block-level children, looking through content controls and custom XML."""
    out = []
    for ch in el:
        tag = ch.tag
        if tag in (W + "sdt",):
            content = ch.find(W + "sdtContent")
            if content is not None:
                out.extend(_children(content))
        elif tag in (W + "customXml", W + "smartTag", W + "ins", W + "moveTo"):
            out.extend(_children(ch))
        else:
            out.append(ch)
    return out


def _tc_props(tc: Any) -> tuple[int, str | None, str | None]:
    """(gridSpan, vMerge kind, hMerge kind) of a w:tc."""
    span = 1
    vmerge = hmerge = None
    pr = tc.find(W + "tcPr")
    if pr is not None:
        gs = pr.find(W + "gridSpan")
        if gs is not None:
            span = max(1, min(_int(gs.get(_W_VAL), 1), 1000))
        vm = pr.find(W + "vMerge")
        if vm is not None:
            vmerge = "restart" if vm.get(_W_VAL) == "restart" else "continue"
        hm = pr.find(W + "hMerge")
        if hm is not None:
            hmerge = "restart" if hm.get(_W_VAL) == "restart" else "continue"
    return span, vmerge, hmerge


class _Pages:
    """Pages of a DOCX as Word last laid it out: a hard page break (w:br w:type="page") or the
    w:lastRenderedPageBreak Word writes where a page began. A break before any text of a block
    starts the page with that block; one after text, with the next block (a paragraph running
    over a page is counted on the page it began on). A break right after another one, with no
    text between, is the same page boundary. No break at all: the document has no known pages."""

    def __init__(self) -> None:
        self.page, self.open, self.seen, self.pending = 1, False, False, False

    def block(self, block: Any, builder: DocBuilder) -> None:
        start = builder.chars + (0 if builder.empty else 1)
        if self.pending:
            builder.mark_page(start, self.page)
            self.pending = False
        text_seen = False
        for el in block.iter(W + "t", W + "br", W + "lastRenderedPageBreak"):
            if el.tag == W + "t":
                if el.text and el.text.strip():
                    self.open, text_seen = False, True
                continue
            if el.tag == W + "br" and el.get(W + "type") != "page":
                continue
            if self.open:
                continue
            self.page, self.open, self.seen = self.page + 1, True, True
            if text_seen:
                self.pending = True
            else:
                builder.mark_page(start, self.page)

    def finish(self, builder: DocBuilder) -> None:
        if self.seen:
            builder.page_starts.insert(0, (0, 1))
        else:
            builder.page_starts.clear()


class _DocxReader:
    def __init__(self, numbering: _Numbering) -> None:
        self.numbering = numbering
        self.pages = _Pages()

    def paragraph_text_lines(self, p: Any) -> list[str]:
        lines = _paragraph_lines(p)
        num, suff = self.numbering.prefix(p)
        if num:
            num = clean_inline(num)
            if lines:
                glue = suff == "nothing" or is_cjk(num[-1]) or (is_cjk(lines[0][0]) and not num[-1].isalnum())
                sep = "" if glue else " "
                lines[0] = num + sep + lines[0]
        return lines

    def cell_text(self, tc: Any) -> str:
        parts: list[str] = []
        for ch in _children(tc):
            if ch.tag == W + "p":
                parts.extend(self.paragraph_text_lines(ch))
            elif ch.tag == W + "tbl":
                for row in self.table_rows(ch):
                    parts.append(" ".join(c.text for c in row if c.text))
        return join_fragments(parts)

    def table_rows(self, tbl: Any) -> list[list[CellSpec]]:
        # pass 1: grid placement of every cell
        placed: list[list[dict[str, Any]]] = []
        for tr in _children(tbl):
            if tr.tag != W + "tr":
                continue
            col = 0
            trpr = tr.find(W + "trPr")
            if trpr is not None:
                gb = trpr.find(W + "gridBefore")
                if gb is not None:
                    col = max(0, _int(gb.get(_W_VAL), 0))
            row: list[dict[str, Any]] = []
            for tc in _children(tr):
                if tc.tag != W + "tc":
                    continue
                span, vmerge, hmerge = _tc_props(tc)
                if hmerge == "continue" and row:
                    row[-1]["colspan"] += span
                    col += span
                    continue
                row.append({"tc": tc, "col": col, "colspan": span, "vmerge": vmerge, "rowspan": 1})
                col += span
            placed.append(row)
        # pass 2: rowspans of vertical merges
        for r, row in enumerate(placed):
            for cell in row:
                if cell["vmerge"] != "restart":
                    continue
                n = 1
                for below in placed[r + 1:]:
                    match = next((c for c in below if c["col"] == cell["col"]), None)
                    if match is None or match["vmerge"] != "continue":
                        break
                    match["continued"] = True
                    n += 1
                cell["rowspan"] = n
        rows: list[list[CellSpec]] = []
        for row in placed:
            specs = []
            for cell in row:
                if cell.get("continued"):
                    specs.append(CellSpec("", 1, cell["colspan"], raw=False))
                else:
                    specs.append(CellSpec(self.cell_text(cell["tc"]), cell["rowspan"], cell["colspan"]))
            if specs:
                rows.append(specs)
        return rows

    def read_block(self, block: Any, builder: DocBuilder) -> None:
        """One child of the body (a content control may hold several blocks)."""
        self.pages.block(block, builder)
        for el in _children([block]):
            if el.tag == W + "p":
                for line in self.paragraph_text_lines(el):
                    builder.add_paragraph(line, clean=False)
            elif el.tag == W + "tbl":
                builder.add_table(self.table_rows(el))
            elif el.tag == W + "altChunk":
                builder.warnings.append("DOCX 含有嵌入的外部内容（altChunk），这部分内容未读取。")


MAX_PART_BYTES = MAX_UNCOMPRESSED  # bytes decompressed from word/document.xml, counted while reading
MAX_BLOCK_BYTES = 32_000_000  # XML of one paragraph or table (a statutory table takes ~300 kB)
MAX_AUX_BYTES = 20_000_000  # styles, numbering, relationships: read whole, so kept small
_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class _Counted(io.RawIOBase):
    """A zip member read through a count of the bytes it really decompresses to: the zip
    directory's sizes are the writer's claims, and a member may hold more than it declares."""

    def __init__(self, fh: Any, limit: int, name: str) -> None:
        self.fh, self.limit, self.name, self.total = fh, limit, name, 0
        self.block_start = 0  # where the block being read began (``_read_body``)

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        n = self.fh.readinto(buf)
        self.total += n
        if self.total > self.limit:
            raise errors.E106("member", name=self.name, limit=self.limit)
        if self.total - self.block_start > MAX_BLOCK_BYTES:
            raise errors.E106("block", limit=MAX_BLOCK_BYTES)
        return n


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)


def _read_aux(zf: zipfile.ZipFile, name: str | None) -> Any | None:
    """A small part (styles, numbering, relationships) as a tree, or None when absent."""
    from lxml import etree

    if not name or name not in zf.NameToInfo:
        return None
    with zf.open(name) as fh:
        return etree.parse(_Counted(fh, MAX_AUX_BYTES, name), _parser()).getroot()


def _related_parts(zf: zipfile.ZipFile) -> tuple[str | None, str | None]:
    """(numbering part, styles part) named by the main document's relationships."""
    found = {"numbering": "word/numbering.xml", "styles": "word/styles.xml"}
    rels = _read_aux(zf, "word/_rels/document.xml.rels")
    if rels is not None:
        for rel in rels.iter(_RELS_NS + "Relationship"):
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            target = (rel.get("Target") or "").lstrip("/")
            if kind in found and target and rel.get("TargetMode") != "External":
                found[kind] = target if target.startswith("word/") else "word/" + target
    return found["numbering"], found["styles"]


def _read_body(zf: zipfile.ZipFile, reader: "_DocxReader", builder: DocBuilder, max_chars: int) -> None:
    """The body, one block at a time: each paragraph or table is read when its end tag arrives and
    then dropped, so memory holds one block, not the tree of the whole document (190 MB of XML
    once took 4 GB). Stops at ``max_chars`` characters of text; a single block of more than
    ``MAX_BLOCK_BYTES`` of XML is refused while it is being read."""
    from lxml import etree

    with zf.open("word/document.xml") as fh:
        counted = _Counted(fh, MAX_PART_BYTES, "word/document.xml")
        stream = io.BufferedReader(counted, 1 << 16)
        seen_body = False
        for _, el in etree.iterparse(stream, events=("end",), tag=_BLOCK_TAGS, resolve_entities=False,
                                     no_network=True, load_dtd=False):
            body = el.getparent()
            if body is None or body.tag != W + "body":
                continue  # a paragraph inside a table or a content control: read with its block
            seen_body = True
            deadline.check()
            reader.read_block(el, builder)
            body.remove(el)
            counted.block_start = counted.total
            if builder.chars > max_chars:
                raise errors.E114("reading", chars=builder.chars, limit=max_chars)
        if not seen_body and builder.empty:
            raise errors.E105("no_body")


_BLOCK_TAGS = [W + t for t in ("p", "tbl", "sdt", "customXml", "smartTag", "ins", "moveTo", "altChunk")]


def parse_docx(data: bytes, *, source: str, sha256: str, max_chars: int = DEFAULT_MAX_CHARS) -> Document:
    zf = inspect_zip(data)
    if not is_docx_zip(zf):
        raise errors.E105("no_document")
    builder = DocBuilder()
    try:
        numbering_name, styles_name = _related_parts(zf)
        reader = _DocxReader(_Numbering(_read_aux(zf, numbering_name), _read_aux(zf, styles_name)))
        _read_body(zf, reader, builder, max_chars)
        reader.pages.finish(builder)
    except InputError:
        raise
    except Exception as exc:  # lxml syntax errors, a CRC that does not match, ...
        raise errors.E105("damaged", error=f"{type(exc).__name__}: {exc}") from None
    if builder.empty:
        raise errors.E101("docx_empty")
    meta = DocumentMeta(source=source, sha256=sha256, input_kind="docx", encoding=None, size=len(data))
    return builder.build(meta)
