"""Human-readable Chinese summary, grouped by severity (colour on a terminal via rich)."""
from __future__ import annotations

from ..checks.finding import SEVERITIES

LEVEL_NAMES = {"high": "严重", "medium": "中等", "low": "轻微", "info": "提示"}
LEVEL_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}


def ocr_note(f) -> str:
    """What an inspector must know of evidence read from a scanned page."""
    conf = f.ocr_confidence
    if conf is None:
        return ""
    return f"（依据经文字识别读取，最低置信度{conf:.2f}，请对照原件核实）"


def render_text(report, *, color: bool = False, **_) -> str:
    from io import StringIO

    from rich.console import Console
    from rich.markup import escape

    buf = StringIO()
    con = Console(file=buf, force_terminal=color, no_color=not color, width=120, highlight=False, soft_wrap=True)
    con.print(f"[bold]{escape(report.title or report.source)}[/bold]")
    con.print(f"来源：{escape(report.source)}  单位：{escape(report.agency or '未识别')}  年度：{report.year or '未识别'}  "
              f"格式：{report.format or '未识别'}")
    if not report.findings:
        con.print("未发现问题。")
    for level in SEVERITIES:
        group = [f for f in report.findings if f.severity == level]
        if not group:
            continue
        con.print(f"\n[{LEVEL_STYLE[level]}]【{LEVEL_NAMES[level]}】{len(group)} 项[/{LEVEL_STYLE[level]}]")
        for f in group:
            span = f.main_span
            page = report.page_of(f)
            where = (f"（第{page}页）" if page else f"（第{report.text.count(chr(10), 0, span[0]) + 1}行）") if span else ""
            con.print(f"  {f.id} {f.code} {f.check}{where}：{escape(f.message)}{ocr_note(f)}")
    for err in report.errors:
        con.print(f"[red]规则错误[/red] {escape(err.get('error', ''))}")
    for w in report.warnings:
        con.print(f"[yellow]提示[/yellow] {escape(w)}")
    cov = report.coverage
    if cov:
        con.print(f"\n数字表述：共提取{cov.get('extracted', 0)}处，关联表格{cov.get('linked', 0)}处，已核验{cov.get('verified', 0)}处。")
    return buf.getvalue()
