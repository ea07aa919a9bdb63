"""Write a planned report as text in one of the layouts real reports reach us in.

- ``lines``: a scraped page, one table cell per line with blank lines between (the seed report);
- ``rows``: PDF text, a table row per line with cells separated by spaces, long labels wrapped,
  narrative hard-wrapped at the page width, page numbers (``- 3 -``) between rows;
- ``glued``: a scraped page whose cells ran together: the digits of a row touch;
- ``tabs``: what ingest makes of HTML/DOCX: a paragraph per line, a table row per line with
  tab-separated cells, spanned cells written once.

Every tagged piece (a narrative slot ``@id``, a table label ``#label:…`` or cell ``#cell:…``)
is recorded with its span so that gold quotes are exact substrings of the text.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from .model import Grid, GridCell, Plan, Ref

LAYOUTS = ("lines", "rows", "glued", "tabs")
_ASCII = str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")", "！": "!", "？": "?"})
_SPACED = re.compile(r"(?<=[\u4e00-\u9fff])(?=\d)|(?<=\d)(?=[\u4e00-\u9fff])")

Spans = dict[str, tuple[int, int]]


@dataclass(frozen=True)
class TextStyle:
    ascii_punct: bool = False  # full-width punctuation turned to ASCII by the source (seed report, snippets)
    spaced_numbers: bool = False  # PDF text: “申请 34 件”

    def table(self, s: str) -> str:
        return s.translate(_ASCII) if self.ascii_punct else s

    def narrative(self, s: str) -> str:
        s = self.table(s)
        return _SPACED.sub(" ", s) if self.spaced_numbers else s


@dataclass(frozen=True)
class Para:
    kind: str  # title | heading | subheading | para
    text: str
    spans: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class TableBlock:
    grid: Grid


Block = Para | TableBlock


def style_grid(grid: Grid, style: TextStyle) -> Grid:
    rows = tuple(tuple(GridCell(style.table(c.text), c.rowspan, c.colspan, c.kind, c.tag) for c in r) for r in grid.rows)
    return Grid(grid.key, rows)


def render_blocks(plan: Plan, grids: dict[str, Grid], headings: dict[str, str], style: TextStyle) -> list[Block]:
    out: list[Block] = []
    for kind, parts in plan.blocks:
        if kind == "table":
            out.append(TableBlock(style_grid(grids[parts[0]], style)))
            continue
        if kind == "heading":
            out.append(Para("heading", style.table(headings[parts[0]])))
            continue
        text, spans = "", []
        for part in parts:
            if isinstance(part, Ref):
                piece = style.narrative(plan.slots[part.id].render())
                spans.append((f"@{part.id}", len(text), len(text) + len(piece)))
            else:
                piece = style.narrative(part)
            text += piece
        out.append(Para(kind, text, tuple(spans)))
    return out


class _Writer:
    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.pos = 0
        self.spans: Spans = {}

    def write(self, s: str, tag: str | None = None, inner: tuple[tuple[str, int, int], ...] = ()) -> None:
        if tag:
            self.spans[tag] = (self.pos, self.pos + len(s))
        for t, a, b in inner:
            self.spans[t] = (self.pos + a, self.pos + b)
        self.chunks.append(s)
        self.pos += len(s)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


_NO_LINE_START = set("，。、；：）”’》」！？,.;:)!?%")


def _break_points(text: str, width: int) -> list[int]:
    """Line starts every ``width`` characters, moved left so that a line never starts with
    closing punctuation and a number is never cut (a typesetter's rules)."""
    out, start = [], 0
    while len(text) - start > width:
        p = start + width
        while p > start + 1 and (text[p] in _NO_LINE_START or (text[p].isdigit() or text[p] == ".")
                                 and (text[p - 1].isdigit() or text[p - 1] == ".")):
            p -= 1
        out.append(p)
        start = p
    return out


def wrap(text: str, spans, width: int) -> tuple[str, tuple[tuple[str, int, int], ...]]:
    """Hard-wrap at about ``width`` characters, as PDF text extraction does; spans follow."""
    breaks = _break_points(text, width)
    if not breaks:
        return text, tuple(spans)
    bounds = [0, *breaks, len(text)]
    out = "\n".join(text[a:b] for a, b in zip(bounds, bounds[1:]))
    moved = tuple((t, a + sum(1 for p in breaks if p <= a), b + sum(1 for p in breaks if p < b)) for t, a, b in spans)
    return out, moved


# --------------------------------------------------------------------------- tables
def _table_lines(w: _Writer, grid: Grid) -> None:
    first = True
    for row in grid.rows:
        for cell in row:
            if not cell.text:
                continue
            if not first:
                w.write("\n\n")
            w.write(cell.text, cell.tag)
            first = False


def _table_tabs(w: _Writer, grid: Grid) -> None:
    for i, row in enumerate(grid.rows):
        if i:
            w.write("\n")
        for j, cell in enumerate(row):
            if j:
                w.write("\t")
            w.write(cell.text, cell.tag)


def _table_glued(w: _Writer, grid: Grid, rng: random.Random) -> None:
    for row in grid.rows:
        for cell in row:
            if cell.kind == "label" and grid.key == "active" and rng.random() < 0.3:
                w.write(cell.text + " ", None)
                w.spans[cell.tag] = (w.pos - len(cell.text) - 1, w.pos - 1)
                continue
            w.write(cell.text, cell.tag)


def _wrapped_label(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] if len(text) > width else [text]


def _table_rows(w: _Writer, grid: Grid, rng: random.Random, page: list[int]) -> None:
    """PDF text: a row per line; header words broken into short lines; long labels wrapped."""
    label_width = rng.randint(14, 20)
    vertical_group = rng.random() < 0.5
    lines_since = 0
    for i, row in enumerate(grid.rows):
        kinds = {c.kind for c in row}
        if i and kinds & {"label", "value"} and lines_since > 12 and rng.random() < 0.15:
            page[0] += 1
            w.write(f"\n- {page[0]} -")
            lines_since = 0
        if kinds == {"header"}:
            texts = [c for c in row if c.text]
            if grid.key == "active" or len(texts) == 1:
                w.write("\n" if i else "")
                for j, c in enumerate(texts):
                    w.write((" " if j else "") + c.text)
            else:
                for c in texts:
                    short = len(c.text) in (4, 6) and c.text not in ("行政复议", "行政诉讼")
                    pieces = _wrapped_label(c.text, 2 if short else 20)
                    w.write("\n" if w.pos else "")
                    w.write("\n".join(pieces))
            lines_since += 1
            continue
        if kinds == {"value"}:
            w.write("\n")
            for j, c in enumerate(row):
                w.write(" " if j else "")
                w.write(c.text, c.tag)
            continue
        w.write("\n" if (i or w.pos) else "")
        labels = [c for c in row if c.kind in ("group", "label")]
        values = [c for c in row if c.kind == "value"]
        for c in labels[:-1]:  # group labels stand on lines of their own
            text = "\n".join(c.text) if vertical_group and c.tag == "#group:applications.results" else "\n".join(
                _wrapped_label(c.text, 4 if rng.random() < 0.5 else 20))
            w.write(text, c.tag)
            w.write("\n")
        own = labels[-1]
        pieces = _wrapped_label(own.text, label_width)
        w.write("\n".join(pieces), own.tag)
        w.write("\n" if len(pieces) > 1 else " ")
        for j, c in enumerate(values):
            w.write(" " if j else "")
            w.write(c.text, c.tag)
        lines_since += 1 + len(pieces)


# --------------------------------------------------------------------------- documents
def _chrome(layout: str, title: str, agency: str, year: int, rng: random.Random) -> str:
    date = f"{year + 1}-0{rng.randint(1, 3)}-{rng.randint(10, 28)}"
    if layout == "lines":
        idx = f"{rng.randint(10**9, 10**10 - 1)}/{year + 1}-{rng.randint(100000, 9999999)}"
        return (f"{agency}\n标题: {title}\n索引号: {idx} 文号: 无文号\n发文日期: {date} 发布机构: {agency}\n\n{title}\n\n"
                f"发布日期:{date}\n  • 字号:\n  • |\n  • 打印\n\n")
    if layout == "glued":
        return (f"标题: {title}\n发布时间: {date} 16:34\n文号: \n发布机构: \n栏目: 政府信息公开年报\n"
                f"==================== 正文 ====================\n当前位置： 首页公开目录年报 {title} "
                f"来源：{agency} 时间：{date} ")
    if layout == "tabs":
        return f"发布日期：{date}\n"
    return ""


def to_text(blocks: list[Block], layout: str, rng: random.Random, *, agency: str, year: int) -> tuple[str, Spans]:
    """The report as text in ``layout``, with the span of every tagged piece."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {LAYOUTS}")
    w = _Writer()
    title = next(b.text for b in blocks if isinstance(b, Para) and b.kind == "title")
    w.write(_chrome(layout, title, agency, year, rng))
    width = rng.randint(28, 34)
    one_line = layout == "glued" and rng.random() < 0.6
    page = [1]
    for i, block in enumerate(blocks):
        if i:
            w.write({"lines": "\n\n", "rows": "\n", "tabs": "\n", "glued": "" if one_line else "\n"}[layout])
        if isinstance(block, TableBlock):
            if layout == "lines":
                _table_lines(w, block.grid)
            elif layout == "tabs":
                _table_tabs(w, block.grid)
            elif layout == "glued":
                _table_glued(w, block.grid, rng)
            else:
                _table_rows(w, block.grid, rng, page)
            if layout == "glued":
                w.write(" ")
            continue
        text, spans = block.text, block.spans
        if layout == "rows" and block.kind in ("para", "title"):
            text, spans = wrap(text, spans, width)
            if block.kind == "para" and rng.random() < 0.2:
                page[0] += 1
                w.write(f"- {page[0]} -\n")
        w.write(text, None, spans)
    return w.text, w.spans


def _span_of(tag: str, spans: Spans) -> tuple[int, int] | None:
    if tag.startswith("#row:"):
        key = tag[len("#row:"):]
        label = spans.get(f"#label:{key}")
        cells = [v for t, v in spans.items() if t.startswith(f"#cell:{key}.") and t.count(".") == key.count(".") + 1]
        if label is None or not cells:
            return None
        return label[0], max(e for _, e in cells)
    if tag.startswith("#run:"):
        key = tag[len("#run:"):]
        cells = [v for t, v in spans.items() if t.startswith(f"#cell:{key}.") and t.count(".") == key.count(".") + 1]
        return (min(s for s, _ in cells), max(e for _, e in cells)) if cells else None
    return spans.get(tag)


def resolve_quote(spec: str, text: str, spans: Spans) -> str | None:
    """A quote spec as text: ``@slot``, ``#tag``, ``#row:T.R``, ``#run:T.R``, ``A..B`` or ``=literal``."""
    if spec.startswith("="):
        return spec[1:] if spec[1:] in text else None
    if ".." in spec:
        a, b = spec.split("..", 1)
        sa, sb = _span_of(a, spans), _span_of(b, spans)
        if sa is None or sb is None or sb[1] <= sa[0]:
            return None
        return text[sa[0]:sb[1]]
    s = _span_of(spec, spans)
    return text[s[0]:s[1]] if s else None
