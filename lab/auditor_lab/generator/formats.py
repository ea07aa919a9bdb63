"""The same report as a portal HTML page or a DOCX attachment, tables with merged cells.

HTML: tables as ``<table>`` with rowspan/colspan like real portals, inside ``#zoom`` with
navigation chrome around it; optionally GBK-encoded with no charset declared (common on
county portals). DOCX: python-docx with merged cells (gridSpan / vMerge). Both are
deterministic: equal input, equal bytes.
"""
from __future__ import annotations

import html
import io
import zipfile

from .layout import Para, TableBlock
from .model import Grid, GridCell
from .report import SynthReport

_FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def _blocks_from_text(text: str) -> list:
    """Plain text: a paragraph per line; runs of tab-separated lines become tables."""
    blocks: list = []
    rows: list[tuple[GridCell, ...]] = []
    for line in text.split("\n"):
        if "\t" in line:
            rows.append(tuple(GridCell(c) for c in line.split("\t")))
            continue
        if rows:
            blocks.append(TableBlock(Grid("table", tuple(rows))))
            rows = []
        if line.strip():
            blocks.append(Para("para", line.strip()))
    if rows:
        blocks.append(TableBlock(Grid("table", tuple(rows))))
    return blocks


def _blocks(source: SynthReport | str) -> tuple[list, str]:
    if isinstance(source, SynthReport):
        blocks = list(source.blocks)
    else:
        blocks = _blocks_from_text(source)
    title = next((b.text for b in blocks if isinstance(b, Para) and "报告" in b.text), "政府信息公开工作年度报告")
    return blocks, title


def render_html(source: SynthReport | str, *, encoding: str = "utf-8", declare_charset: bool = True,
                chrome: bool = True) -> bytes:
    """A portal page. ``encoding="gbk", declare_charset=False`` gives the undeclared-GBK case."""
    blocks, title = _blocks(source)
    out = ["<!DOCTYPE html>\n<html>\n<head>"]
    if declare_charset:
        out.append(f'<meta charset="{encoding}">')
    out.append(f"<title>{html.escape(title)}_政府信息公开</title>\n</head>\n<body>")
    if chrome:
        out.append('<div class="header"><ul class="nav"><li>首页</li><li>政务公开</li><li>政府信息公开年报</li></ul></div>')
        out.append('<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>')
    out.append('<div id="zoom" class="article-content">')
    for b in blocks:
        if isinstance(b, TableBlock):
            out.append('<table border="1" cellspacing="0" cellpadding="0">')
            for row in b.grid.rows:
                tds = []
                for c in row:
                    attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
                    tds.append(f"<td{attrs}>{html.escape(c.text)}</td>")
                out.append("<tr>" + "".join(tds) + "</tr>")
            out.append("</table>")
        elif b.kind == "title":
            out.append(f'<p style="text-align:center"><strong>{html.escape(b.text)}</strong></p>')
        else:
            out.append(f"<p>{html.escape(b.text)}</p>")
    out.append("</div>")
    if chrome:
        out.append('<div class="footer">主办单位：人民政府办公室 网站标识码：0000000000</div>')
    out.append("</body>\n</html>\n")
    return "\n".join(out).encode(encoding, errors="xmlcharrefreplace")


def _placement(grid: Grid) -> tuple[list[tuple[int, int, GridCell]], int, int]:
    """(row, column, cell) of every origin cell, the HTML table algorithm."""
    taken: set[tuple[int, int]] = set()
    placed = []
    width = 0
    for r, row in enumerate(grid.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            width = max(width, c)
    height = max((r for r, _ in taken), default=-1) + 1
    return placed, height, width


def _deterministic_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return buf.getvalue()


def render_docx(source: SynthReport | str) -> bytes:
    """A DOCX attachment: paragraphs and tables with merged cells."""
    import docx  # lazy: heavy import

    blocks, _ = _blocks(source)
    document = docx.Document()
    document.core_properties.title = ""
    for b in blocks:
        if isinstance(b, TableBlock):
            placed, height, width = _placement(b.grid)
            table = document.add_table(rows=height, cols=width)
            table.style = "Table Grid"
            # table.cell() rescans the whole table on every call; merged regions never overlap, so the
            # cells taken once before merging stay valid for every merge and text below
            grid = table._cells
            for r, c, cell in placed:
                target = grid[r * width + c]
                if cell.rowspan > 1 or cell.colspan > 1:
                    target = target.merge(grid[(r + cell.rowspan - 1) * width + c + cell.colspan - 1])
                target.text = cell.text
        else:
            document.add_paragraph(b.text)
    buf = io.BytesIO()
    document.save(buf)
    return _deterministic_zip(buf.getvalue())
