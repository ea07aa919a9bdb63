"""Rules over the report as a whole: statistics period, format, stale years."""
from __future__ import annotations

from collections.abc import Iterator

from .context import CheckContext
from .finding import Finding
from .registry import rule


@rule(code="MT001", check="meta.period", default="low",
      message="统计期限{problem}：“{quote}”，应为{year}年1月1日至{year}年12月31日")
def statistics_period(ctx: CheckContext) -> Iterator[Finding]:
    """The 统计期限 sentence is present, well formed, and names the report year.

    **反例** ``统计期限自202311日起,至20231231日止``  **正例** ``统计期限自2023年1月1日起至2023年12月31日止``
    """
    facts = ctx.facts
    if facts.year is None:
        return
    p = facts.period
    if p is None:
        yield ctx.finding("MT001", evidence=[], problem="缺失", quote="", year=facts.year,
                          facts={"kind": "absent"})
        return
    if not p.well_formed:
        s, e = (p.problem_start, p.problem_end) if p.problem_start is not None else (p.start, p.end)
        yield ctx.finding("MT001", evidence=[ctx.text_ev(s, e), ctx.text_ev(p.start, p.end)],
                          problem="格式不规范（缺少年、月、日）", quote=ctx.text[s:e], year=facts.year,
                          facts={"kind": "malformed"})
    elif p.problem_start is not None:
        yield ctx.finding("MT001", severity="high", stated=p.begin_year if p.begin_year != facts.year else p.end_year,
                          expected=facts.year, evidence=[ctx.text_ev(p.problem_start, p.problem_end), ctx.text_ev(p.start, p.end)],
                          problem="年份与报告年度不符", quote=ctx.text[p.problem_start:p.problem_end], year=facts.year,
                          facts={"kind": "wrong_year"})


@rule(code="MT003", check="meta.format", default="low",
      message="{what}仍使用2019年试行格式（国办公开办函〔2019〕60号）：“{quote}”，{year}年度报告应使用2021年格式（国办公开办函〔2021〕30号）")
def current_format(ctx: CheckContext) -> Iterator[Finding]:
    """A report for 2021 or later uses the 2019 trial format, wholly or in single rows.

    **反例** 2023年度报告表三只有一行“（六）其他处理”  **正例** （六）拆分为逾期不补正、逾期未缴费、其他三行
    """
    facts = ctx.facts
    if facts.year is None or facts.year < 2021:
        return
    if facts.format == "2019":
        label, s, e = facts.legacy_labels[0] if facts.legacy_labels else ("", 0, 0)
        yield ctx.finding("MT003", severity="medium", evidence=[ctx.text_ev(s, e)] if e else [],
                          what="全文", quote=label, year=facts.year, facts={"kind": "wholly"})
        return
    for lm in ctx.tables.legacy_rows:
        yield ctx.finding("MT003", evidence=[ctx.text_ev(lm.start, lm.end)], what="表三该行",
                          quote=lm.written, year=facts.year, facts={"kind": "row"})
    for label, s, e in facts.legacy_labels:
        yield ctx.finding("MT003", evidence=[ctx.text_ev(s, e)], what="表二", quote=label, year=facts.year,
                          facts={"kind": "label"})
