"""One self-contained annotated HTML page: the report text with every evidence span marked in
its severity's colour, a findings panel grouped by severity (click to jump), and the statutory
tables (表二/表三/表四) with the offending cells marked.

Nothing is fetched: CSS and JS are inline, and a Content-Security-Policy allows only the page's
own script (by hash). Every piece of report text goes through ``html.escape``.
"""
from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from functools import lru_cache
from html import escape
from importlib import resources

from ..checks.finding import SEVERITIES, SEVERITY_RANK, CellEvidence, TextEvidence
from .text import ocr_note

LEVEL_NAMES = {"high": "严重", "medium": "中等", "low": "轻微", "info": "提示"}


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def _text_spans(report) -> list[tuple[int, int, str, str]]:
    """(start, end, finding id, severity) of every text evidence span that lies inside the text."""
    spans = set()
    for f in report.findings:
        for ev in f.evidence:
            if isinstance(ev, TextEvidence) and 0 <= ev.start <= ev.end <= len(report.text):
                spans.add((ev.start, ev.end, f.id, f.severity))
    return sorted(spans)


def _mark(fid: str, severity: str, anchors: set[str], body: str) -> str:
    ident = ""
    if fid not in anchors:
        anchors.add(fid)
        ident = f' id="m-{escape(fid)}"'
    return (f'<mark class="sev-{escape(severity)}" data-finding="{escape(fid)}"{ident} '
            f'title="{escape(fid)}">{body}</mark>')


def highlight(report) -> str:
    """The escaped report text with nested ``<mark>`` elements; overlapping spans are split at
    every boundary and each piece is wrapped by all spans covering it, the longest outermost."""
    text, spans = report.text, _text_spans(report)
    bounds = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    anchors: set[str] = set()
    out: list[str] = []
    for a, b in zip(bounds, bounds[1:] + [None]):
        for s, e, fid, sev in spans:  # zero-length evidence: an empty anchor at its position
            if s == e == a:
                out.append(_mark(fid, sev, anchors, ""))
        if b is None:
            break
        covering: dict[str, tuple[int, str]] = {}
        for s, e, fid, sev in spans:
            if s <= a and b <= e and s < e:
                covering[fid] = max(covering.get(fid, (0, sev)), (e - s, sev))
        piece = escape(text[a:b])
        for fid, (_, sev) in sorted(covering.items(), key=lambda kv: (kv[1][0], kv[0])):
            piece = _mark(fid, sev, anchors, piece)
        out.append(piece)
    return "".join(out)


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell_marks(report) -> dict[str, list[tuple[str, str]]]:
    marks: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for f in report.findings:
        for ev in f.evidence:
            if isinstance(ev, CellEvidence) and getattr(ev, "source", None) is None:  # not another report's cell
                marks[f"{ev.table}.{ev.row}.{ev.column}"].append((f.id, f.severity))
    return marks


def _table_cell(key: str, report, marks) -> str:
    flagged = marks.get(key, [])
    classes, title = [], ""
    if key not in report.tables:
        classes.append("absent")
        title = "未识别"
    elif report.tables[key] is None:
        classes.append("blank")
        title = "空白"
    if flagged:
        worst = max(flagged, key=lambda m: SEVERITY_RANK.get(m[1], 0))[1]
        classes += ["flag", f"sev-{worst}"]
        ids = " ".join(fid for fid, _ in flagged)
        title = f"{title} 问题 {ids}".strip()
    attrs = f' id="c-{escape(key)}"'
    if classes:
        attrs += f' class="{escape(" ".join(classes))}"'
    if title:
        attrs += f' title="{escape(title)}"'
    if flagged:
        attrs += f' data-cell-findings="{escape(" ".join(fid for fid, _ in flagged))}"'
    return f"<td{attrs}>{escape(_fmt(report.tables.get(key)))}</td>"


def _table(spec, report, marks) -> str:
    used = [c for c in spec.columns if any(c.key in spec.row_columns(r) for r in spec.rows)]
    head = "".join(f"<th>{escape(c.label)}</th>" for c in used)
    body: list[str] = []
    for row in spec.rows:
        if row.group_label:
            body.append(f'<tr class="group"><th colspan="{len(used) + 1}">{escape(row.group_label)}</th></tr>')
        cells = [_table_cell(f"{spec.key}.{row.key}.{c.key}", report, marks) if c.key in spec.row_columns(row)
                 else '<td class="na">—</td>' for c in used]
        body.append(f'<tr><th class="label">{escape(row.full_label)}</th>{"".join(cells)}</tr>')
    name = spec.short_name or spec.key
    return (f'<section class="table" id="t-{escape(spec.key)}"><h2>{escape(name)}　{escape(spec.title)}</h2>'
            f'<div class="scroll"><table><thead><tr><th>项目</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div></section>')


def _tables(report) -> str:
    if not report.tables:
        return '<section class="table"><h2>法定表格</h2><p class="note">未识别到法定表格。</p></section>'
    template = _template(report)
    marks = _cell_marks(report)
    return "".join(_table(spec, report, marks) for spec in template.tables.values())


def _template(report):
    from ..template import load_template

    return load_template(report.format if report.format in ("2021", "2019") else "2021")


def cell_label(template, table: str, row: str, column: str) -> str:
    from ..template import table_name

    """表三 （七）总计 / 自然人 — the statutory labels of a canonical cell, or its keys if unknown."""
    try:
        spec = template.tables[table]
        return f"{table_name(template, table)} {spec.row(row).full_label} / {spec.column(column).label}"
    except KeyError:
        return f"{table_name(template, table)} {row} / {column}"


def _finding_item(f, marked: set[str], template, page: int | None = None) -> str:
    target = f"m-{f.id}" if f.id in marked else None
    cells = [ev for ev in f.evidence if isinstance(ev, CellEvidence)]
    if target is None and cells:
        target = f"c-{cells[0].table}.{cells[0].row}.{cells[0].column}"
    head = f'<span class="fid">{escape(f.id)}</span> <code>{escape(f.code)}</code> {escape(f.check)}'
    head = f'<a class="jump" href="#{escape(target)}">{head}</a>' if target else f"<span>{head}</span>"
    if page is not None:  # where the inspector holding the PDF finds it
        head += f' <span class="page" data-page="{page}">第{page}页</span>'
    parts = [f'<li class="finding sev-{escape(f.severity)}" id="f-{escape(f.id)}">{head}',
             f'<p class="msg">{escape(f.message)}</p>']
    if f.ocr_confidence is not None:
        parts.append(f'<p class="ocr">{escape(ocr_note(f))}</p>')
    facts = [(label, v) for label, v in (("表述值", f.stated), ("应为", f.expected)) if v is not None]
    if f.severity_score is not None:
        facts.append(("严重程度评分", f"{f.severity_score:.2f}"))
    if facts:
        parts.append("<dl>" + "".join(f"<dt>{label}</dt><dd>{escape(_fmt(v))}</dd>" for label, v in facts) + "</dl>")
    if f.replacement is not None:
        parts.append(f'<p class="fix">建议改为：<q>{escape(f.replacement)}</q></p>')
    if cells:
        links = "".join(
            f'<li><a class="jump" href="#c-{escape(f"{c.table}.{c.row}.{c.column}")}">'
            f'{escape(cell_label(template, c.table, c.row, c.column))} = {escape(_fmt(c.value) or "空")}</a></li>'
            for c in cells)
        parts.append(f'<ul class="cells">{links}</ul>')
    return "".join(parts) + "</li>"


def _panel(report) -> str:
    marked = {fid for _, _, fid, _ in _text_spans(report)}
    template = _template(report)
    if not report.findings:
        return '<p class="none">未发现问题。</p>'
    groups = []
    for level in SEVERITIES:
        group = [f for f in report.findings if f.severity == level]
        if group:
            items = "".join(_finding_item(f, marked, template, report.page_of(f)) for f in group)
            groups.append(f'<section class="group sev-{level}"><h3>{LEVEL_NAMES[level]}'
                          f'<span class="count">{len(group)}</span></h3><ol>{items}</ol></section>')
    return "".join(groups)


def _header(report) -> str:
    facts = [("来源", report.source), ("单位", report.agency or "未识别"), ("年度", report.year or "未识别"),
             ("格式", report.format or "未识别"), ("工具", f"auditor {report.tool_version}"),
             ("严重程度模型", report.model or "规则默认")]
    meta = "".join(f"<span><b>{escape(k)}</b>{escape(str(v))}</span>" for k, v in facts)
    filters = "".join(
        f'<label class="sev-{lv}"><input type="checkbox" checked data-sev="{lv}">{LEVEL_NAMES[lv]} '
        f'{sum(1 for f in report.findings if f.severity == lv)}</label>' for lv in SEVERITIES)
    notes = "".join(f'<li class="error">规则错误 {escape(str(e.get("code", "")))}：{escape(str(e.get("error", "")))}</li>'
                    for e in report.errors)
    notes += "".join(f'<li class="warning">{escape(w)}</li>' for w in report.warnings)
    cov = report.coverage or {}
    coverage = (f'<p class="coverage">数字表述：共提取{escape(str(cov.get("extracted", 0)))}处，'
                f'关联表格{escape(str(cov.get("linked", 0)))}处，已核验{escape(str(cov.get("verified", 0)))}处。</p>'
                if cov else "")
    return (f'<header><h1>{escape(report.title or report.source)}</h1><div class="meta">{meta}</div>'
            f'<div class="filters">显示：{filters}</div>{coverage}'
            f'{f"<ul class=notes>{notes}</ul>" if notes else ""}</header>')


def render_html(report, **_) -> str:
    css, js = _asset("report.css"), _asset("report.js")
    script_hash = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    title = escape(f"审核结果 · {report.title or report.source}")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{css}</style></head><body>"
        f"{_header(report)}<main>"
        f'<article class="report"><h2>报告正文</h2><div class="doc">{highlight(report)}</div>{_tables(report)}</article>'
        f'<aside class="panel"><h2>发现的问题（{len(report.findings)}）</h2>{_panel(report)}</aside>'
        f"</main><script>{js}</script></body></html>\n"
    )
