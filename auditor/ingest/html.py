"""HTML -> Document (selectolax/lexbor).

* Encoding: BOM, then ``<meta charset>`` / ``http-equiv`` / XML declaration, then detection
  (GBK pages without any declaration are common); a declaration that does not decode is
  ignored.
* Dropped: script, style, noscript, template, iframe, form controls (always); nav,
  header, footer, aside and form elements, elements hidden with ``display:none`` or
  ``hidden``, and page chrome: div/ul/ol/dl/section/table whose id or class contains
  nav, menu, footer, header, breadcrumb, crumb, share, sidebar, toolbar or copyright. These
  are never dropped when they hold the article: a content container, a data table with 3+
  rows, or 40%+ of the page text (at least 200 characters; an ASP.NET <form> wrapping the
  whole page is kept).
* Content container: the most specific of #zoom, .TRS_Editor, #UCAP-CONTENT, .article,
  .content, ... that holds 50%+ of the remaining text and every data table. When one is
  used, short title/date lines before it (…报告, 发布日期, 来源, a date) are kept in front.
* The page ``<title>`` (site name after _ | - cut off) is put first when it names a report
  and no short line among the first six does (…年度报告 / …工作报告 / ends in 报告): the
  title often carries the agency and the year.
* Block elements (p, div, br, h1-h6, li, tr, ...) end lines; inline text is joined.
* Data tables become one line per ``<tr>`` with cells separated by a tab (spanned cells are
  written once) and a RawTable with rowspan/colspan. Tables that hold other tables, a
  single cell, or very long cells are layout tables: their content is read as flow text.
"""
from __future__ import annotations

import re
from typing import Any

from auditor import deadline, errors
from auditor.ingest.document import Document, DocumentMeta
from auditor.ingest.encoding import canonical_codec, decode_bytes_ex
from auditor.ingest.text import DEFAULT_MAX_CHARS, CellSpec, DocBuilder, clean_inline, join_fragments

# '<' characters (tags, closing tags, comments) in one page: the parser's tree takes about 300
# bytes an element, and a page of 4 million took 1.3 GB before any check could run.
MAX_HTML_TAGS = 500_000

__all__ = ["parse_html", "sniff_charset"]

_SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "nav", "header", "footer", "aside",
        "form", "iframe", "frame", "frameset", "object", "embed", "svg", "canvas", "select",
        "option", "button", "input", "textarea", "head", "title", "meta", "link", "map",
        "audio", "video", "-comment", "!doctype",
    }
)
# Skip tags that can never hold the article (no safety check needed).
_ALWAYS_SKIP = frozenset(
    {
        "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object",
        "embed", "svg", "canvas", "select", "option", "button", "input", "textarea", "head",
        "title", "meta", "link", "map", "audio", "video", "-comment", "!doctype",
    }
)
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog",
        "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "menu",
        "nav", "ol", "p", "pre", "section", "summary", "table", "ul", "tr", "td", "th",
        "caption", "body", "html", "tbody", "thead", "tfoot", "br", "option", "legend",
    }
)
_CHROME_TAGS = frozenset({"div", "ul", "ol", "nav", "section", "aside", "header", "footer", "dl", "table", "form"})
_CHROME_WORDS = ("nav", "menu", "footer", "header", "breadcrumb", "crumb", "share", "sidebar", "toolbar", "copyright")
_CONTENT_SELECTORS = (
    "#zoom", "#Zoom", "#ZOOM", ".zoom", ".TRS_Editor", ".TRS_UEDITOR", "#UCAP-CONTENT",
    ".article", ".article-content", ".article_content", ".content", "#content",
    ".zw", "#zw", "#mainText", ".main-text", ".pages_content", ".news_content",
    ".detail-content", ".view", "article",
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I
)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-:.]+)""", re.I)
_NAMES_REPORT = re.compile(r"(?:年度|工作)报告|报告$")
_PREAMBLE_LINE = re.compile(
    r"报告|发布(?:日期|时间)|成文日期|日期[:：]|时间[:：]|来源[:：]|\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}"
)


def sniff_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in its first 4 KB, if any."""
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _attr(node: Any, name: str) -> str:
    try:
        v = node.attributes.get(name)
    except Exception:  # malformed attribute data
        return ""
    return v or ""


_SPAN = re.compile(r"\s*(\d+)")


def _spans(node: Any) -> tuple[int, int]:
    """(rowspan, colspan) of a cell, each 1 when absent or unreadable, at most 1000."""
    try:
        attrs = node.attributes
    except Exception:  # malformed attribute data
        return 1, 1
    return _span_value(attrs.get("rowspan")), _span_value(attrs.get("colspan"))


def _span_value(value: str | None) -> int:
    m = _SPAN.match(value) if value else None
    if not m:
        return 1
    return max(1, min(int(m.group(1)), 1000))


def _text_len(node: Any) -> int:
    try:
        t = node.text(deep=True)
    except Exception:
        return 0
    return _visible_len(t)


def _visible_len(t: str) -> int:
    return len(t) - t.count(" ") - t.count("\n") - t.count("\t") - t.count("\r") - t.count("\xa0") - t.count("\u3000")


def _longer_than(node: Any, limit: int) -> bool:
    """``_text_len(node) > limit``, without counting the blanks of a text no longer than the limit."""
    try:
        t = node.text(deep=True)
    except Exception:
        return False
    return len(t) > limit and _visible_len(t) > limit


def _is_chrome(node: Any) -> bool:
    if node.tag not in _CHROME_TAGS:
        return False
    ident = (_attr(node, "id") + " " + _attr(node, "class")).lower()
    return bool(ident.strip()) and any(w in ident for w in _CHROME_WORDS)


def _is_hidden(node: Any) -> bool:
    if node.tag in ("html", "body"):
        return False
    try:
        attrs = node.attributes
    except Exception:
        return False
    if "hidden" in attrs:
        return True
    style = attrs.get("style") or ""
    return bool(style) and bool(_HIDDEN_STYLE.search(style))


def _ancestor_ids(node: Any) -> set[int]:
    ids = set()
    n = node
    while n is not None:
        ids.add(n.mem_id)
        n = n.parent
    return ids


def _table_rows(table: Any) -> list[Any]:
    rows = []
    child = table.child
    while child is not None:
        tag = child.tag
        if tag == "tr":
            rows.append(child)
        elif tag in ("tbody", "thead", "tfoot"):
            sub = child.child
            while sub is not None:
                if sub.tag == "tr":
                    rows.append(sub)
                sub = sub.next
        child = child.next
    return rows


def _row_cells(tr: Any) -> list[Any]:
    cells = []
    c = tr.child
    while c is not None:
        if c.tag in ("td", "th"):
            cells.append(c)
        c = c.next
    return cells


def _is_layout_table(table: Any) -> bool:
    if any(t.mem_id != table.mem_id for t in table.css("table")):
        return True  # holds another table
    cells = 0
    for tr in _table_rows(table):
        for td in _row_cells(tr):
            cells += 1
            if _longer_than(td, 400):
                return True
    return cells <= 1


class _Walker:
    """Iterative DOM walk producing lines, tables and container markers."""

    def __init__(self, skip_ids: set[int], container_id: int | None, max_chars: int | None = None) -> None:
        self.skip_ids = skip_ids
        self.container_id = container_id
        self.max_chars, self.chars = max_chars, 0  # text kept so far, against the analysis limit
        # items: ("p", text, inside) | ("table", rows, inside)
        self.items: list[tuple[str, Any, bool]] = []
        self._cur: list[str] = []
        self._inside = container_id is None

    def _flush(self) -> None:
        if self._cur:
            line = clean_inline("".join(self._cur))
            self._cur = []
            if line:
                self._count(len(line))
                self.items.append(("p", line, self._inside))

    def _count(self, n: int) -> None:
        self.chars += n
        if self.max_chars is not None and self.chars > self.max_chars:
            raise errors.E114("reading", chars=self.chars, limit=self.max_chars)

    def walk(self, root: Any) -> None:
        # stack of (node, entering)
        stack: list[tuple[Any, bool]] = [(root, True)]
        pre_depth = 0
        while stack:
            deadline.check()
            node, entering = stack.pop()
            tag = node.tag
            if not entering:
                if tag == "pre":
                    pre_depth -= 1
                if node.mem_id == self.container_id:
                    self._flush()
                    self._inside = False
                elif tag in _BLOCK_TAGS:
                    self._flush()
                continue
            if tag == "-text":
                t = node.text_content or ""
                if pre_depth > 0 and "\n" in t:
                    pieces = t.split("\n")
                    for i, piece in enumerate(pieces):
                        if i:
                            self._flush()
                        self._cur.append(piece)
                else:
                    self._cur.append(t)
                continue
            if tag in _ALWAYS_SKIP or node.mem_id in self.skip_ids:
                continue
            if tag is None or tag.startswith("-"):
                continue
            if tag == "br" or tag == "hr":
                self._flush()
                continue
            if node.mem_id == self.container_id:
                self._flush()
                self._inside = True
            if tag == "table" and not _is_layout_table(node):
                self._flush()
                self._table(node)
                if node.mem_id == self.container_id:
                    self._inside = False
                continue
            if tag == "pre":
                pre_depth += 1
            if tag in _BLOCK_TAGS:
                self._flush()
            stack.append((node, False))
            children = []
            c = node.child
            while c is not None:
                children.append(c)
                c = c.next
            for c in reversed(children):
                stack.append((c, True))
        self._flush()

    def _cell_text(self, cell: Any) -> str:
        only = cell.child
        if only is None:
            return ""
        if only.next is None and only.tag == "-text":  # the common case: plain text
            return clean_inline(only.text_content or "")
        sub = _Walker(self.skip_ids, None)
        sub.walk(cell)
        parts: list[str] = []
        for kind, payload, _ in sub.items:
            if kind == "p":
                parts.append(payload)
            else:  # nested table inside a data table cell (should not happen): flatten
                for row in payload:
                    parts.append(" ".join(c.text for c in row if c.text))
        return join_fragments(parts)

    def _table(self, table: Any) -> None:
        caption = table.css_first("caption")
        if caption is not None and caption.mem_id not in self.skip_ids:
            cap = clean_inline(caption.text(deep=True, separator=""))
            if cap:
                self.items.append(("p", cap, self._inside))
        rows: list[list[CellSpec]] = []
        for tr in _table_rows(table):
            if tr.mem_id in self.skip_ids:
                continue
            cells = [CellSpec(self._cell_text(td), *_spans(td)) for td in _row_cells(tr) if td.mem_id not in self.skip_ids]
            self._count(sum(len(c.text) + 1 for c in cells))
            if cells:
                rows.append(cells)
        if rows:
            self.items.append(("table", rows, self._inside))


def _choose_container(body: Any, skip_ids: set[int], total: int, tables: list[Any]) -> Any | None:
    best = None
    best_len = 0
    for sel in _CONTENT_SELECTORS:
        try:
            found = body.css(sel)
        except Exception:
            continue
        for node in found:
            anc = _ancestor_ids(node)
            if anc & skip_ids:
                continue
            n = _text_len(node)
            if n < 20 or n < 0.5 * total:
                continue
            if any(node.mem_id not in _ancestor_ids(t) for t in tables):
                continue
            if best is None or n < best_len:
                best, best_len = node, n
    return best


def parse_html(data: bytes, *, source: str, sha256: str, max_chars: int = DEFAULT_MAX_CHARS) -> Document:
    """Parse HTML bytes into a Document. Raises InputError (E107 when there is no text)."""
    declared = sniff_charset(data)
    text, encoding, warnings = decode_bytes_ex(data, declared=declared)
    if declared and encoding not in ("utf-8-sig", "utf-16-le", "utf-16-be", "utf-32"):
        dc = canonical_codec(declared)
        if dc and dc != encoding and not data.isascii():
            warnings.append(f"网页声明的编码 {declared} 与实际内容不符，已按 {encoding} 读取。")
    return parse_html_text(
        text, source=source, sha256=sha256, size=len(data), encoding=encoding, warnings=warnings,
        max_chars=max_chars,
    )


def parse_html_text(
    text: str,
    *,
    source: str,
    sha256: str,
    size: int,
    encoding: str | None,
    warnings: list[str] | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Document:
    """Stops, with E114, once the text kept passes ``max_chars`` (the analysis would refuse it)."""
    from selectolax.lexbor import LexborHTMLParser  # lazy: heavy import

    warnings = list(warnings or [])
    tags = text.count("<")
    if tags > MAX_HTML_TAGS:
        raise errors.E103("html_tags", tags=tags, limit=MAX_HTML_TAGS)
    tree = LexborHTMLParser(text.replace("\x00", ""))
    body = tree.body
    if body is None:
        raise errors.E107("no_body")
    data_tables = [t for t in body.css("table") if not _is_layout_table(t) and len(_table_rows(t)) >= 3]
    skip_ids = _skipped(body, data_tables)
    items = _content_items(body, skip_ids, data_tables, max_chars)
    _add_page_title(tree, items)
    builder = DocBuilder()
    for kind, payload in items:
        if kind == "p":
            builder.add_paragraph(payload, clean=False)
        else:
            builder.add_table(payload)
    if builder.empty:
        raise errors.E107("no_text")
    meta = DocumentMeta(
        source=source, sha256=sha256, input_kind="html", encoding=encoding, size=size
    )
    return builder.build(meta, warnings)


def _protected(body: Any, data_tables: list) -> set[int]:
    """The nodes holding the article (a content selector with text) or a data table."""
    content_ids: set[int] = set()
    for sel in _CONTENT_SELECTORS:
        try:
            for node in body.css(sel):
                if _text_len(node) >= 100:
                    content_ids |= _ancestor_ids(node)
        except Exception:
            continue
    protected: set[int] = set(content_ids)
    for t in data_tables:
        protected |= _ancestor_ids(t)
    return protected


def _skipped(body: Any, data_tables: list) -> set[int]:
    """1. What to skip: hidden elements and page chrome, unless they hold the article."""
    protected = _protected(body, data_tables)
    raw_total = _text_len(body) - sum(_text_len(n) for n in body.css("script, style, noscript, template"))
    raw_total = max(raw_total, 1)
    skip_ids: set[int] = set()
    for node in body.css("*"):
        tag = node.tag
        if tag in _ALWAYS_SKIP:
            skip_ids.add(node.mem_id)
            continue
        if not (tag in _SKIP_TAGS or _is_chrome(node) or _is_hidden(node)):
            continue
        if node.mem_id in protected:
            continue
        n = _text_len(node)
        if n >= 200 and n >= 0.4 * raw_total:  # too much text to be chrome: it is the article
            continue
        skip_ids.add(node.mem_id)
    return skip_ids


def _content_items(body: Any, skip_ids: set[int], data_tables: list, max_chars: int) -> list[tuple[str, Any]]:
    """2. The paragraphs and tables read: those of a content container holding most of the
    remaining text (and the preamble lines before it) when there is one, else all."""
    walker_all = _Walker(skip_ids, None, max_chars)
    walker_all.walk(body)
    total = sum(len(p) for k, p, _ in walker_all.items if k == "p") + sum(
        len(c.text) for k, rows, _ in walker_all.items if k == "table" for r in rows for c in r
    )
    kept_tables = [t for t in data_tables if not (_ancestor_ids(t) & skip_ids)]
    container = _choose_container(body, skip_ids, total, kept_tables)
    if container is None:
        return [(k, p) for k, p, _ in walker_all.items]
    walker = _Walker(skip_ids, container.mem_id)
    walker.walk(body)
    inside = [(k, p) for k, p, ins in walker.items if ins]
    inside_lines = {p for k, p in inside if k == "p"}
    pre: list[tuple[str, Any]] = []
    for k, p, ins in walker.items:
        if ins:
            break
        if k == "p" and len(p) <= 120 and _PREAMBLE_LINE.search(p) and p not in inside_lines:
            pre.append((k, p))
    return pre + inside


def _add_page_title(tree: Any, items: list[tuple[str, Any]]) -> None:
    """3. The page title first, when no early line names the report."""
    early = [p for k, p in items[:6] if k == "p"]
    if any(_NAMES_REPORT.search(p) and len(p) <= 80 for p in early):
        return
    title_node = tree.css_first("title")
    title = clean_inline(title_node.text()) if title_node is not None else ""
    title = re.split(r"\s*(?:[_|｜]|\s-\s|——)\s*", title)[0].strip() if title else ""
    if "报告" in title and not any(title in p for p in early):
        items.insert(0, ("p", title))
