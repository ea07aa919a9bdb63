"""meta.*: the report as a whole: statistics period, format, its own years, copied text (MT001–MT006).

Rules read the report facts (``claims.model.ReportFacts``: the period, the years and dates the
report states about itself); the reading of the words is the claims stage's.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..config import option
from .context import CheckContext
from .finding import Finding, SourceEvidence
from .registry import rule


@rule(code="MT001", check="meta.period",
      message="统计期限{problem}：“{quote}”，应为{year}年1月1日至{year}年12月31日")
def statistics_period(ctx: CheckContext) -> Iterator[Finding]:
    """统计期限缺失、格式不规范或年份与报告年度不符。

    The 统计期限 sentence is present, well formed, and names the report year.

    **反例** ``统计期限自202311日起,至20231231日止``  **正例** ``统计期限自2023年1月1日起至2023年12月31日止``
    """
    facts = ctx.facts
    if facts.year is None:
        return
    p = facts.period
    if p is None:
        # excerpts and pages that put the sentence elsewhere are common: worth a look, not proof
        yield ctx.finding("MT001", evidence=[], problem="未找到", quote="", year=facts.year,
                          facts={"kind": "absent", "reading_doubt": True})
        return
    if not p.well_formed:
        s, e = (p.problem_start, p.problem_end) if p.problem_start is not None else (p.start, p.end)
        yield ctx.finding("MT001", evidence=[ctx.text_ev(s, e), ctx.text_ev(p.start, p.end)],
                          problem="格式不规范（缺少年、月、日）", quote=p.problem_quote, year=facts.year,
                          facts={"kind": "malformed"})
    elif p.problem_start is not None:
        yield ctx.finding("MT001", stated=p.begin_year if p.begin_year != facts.year else p.end_year,
                          expected=facts.year, evidence=[ctx.text_ev(p.problem_start, p.problem_end), ctx.text_ev(p.start, p.end)],
                          problem="年份与报告年度不符", quote=p.problem_quote, year=facts.year,
                          facts={"kind": "wrong_year"})
    elif p.first_day is not None and (p.first_day, p.last_day) != ((1, 1), (12, 31)) and p.begin_year == p.end_year:
        s, e = p.dates_span
        # the tables then count part of the year, or the period misstates them: a reader notices
        yield ctx.finding("MT001", evidence=[ctx.text_ev(s, e), ctx.text_ev(p.start, p.end)],
                          problem="未覆盖全年", quote=p.dates_quote, year=facts.year, facts={"kind": "partial_year"})


@rule(code="MT003", check="meta.format",
      message="{what}仍使用2019年试行格式（国办公开办函〔2019〕60号）：“{quote}”，{year}年度报告应使用2021年格式（国办公开办函〔2021〕30号）")
def current_format(ctx: CheckContext) -> Iterator[Finding]:
    """2021年及以后的报告仍使用2019年试行格式（全部或个别行）。

    A report for 2021 or later uses the 2019 trial format, wholly or in single rows.

    **反例** 2023年度报告表三只有一行“（六）其他处理”  **正例** （六）拆分为逾期不补正、逾期未缴费、其他三行
    """
    facts = ctx.facts
    if facts.year is None or facts.year < 2021:
        return
    if facts.format == "2019":
        label, s, e = facts.legacy_labels[0] if facts.legacy_labels else ("", 0, 0)
        yield ctx.finding("MT003", evidence=[ctx.text_ev(s, e)] if e else [],
                          what="全文", quote=label, year=facts.year, facts={"kind": "wholly"})
        return
    for lm in ctx.tables.legacy_rows:
        yield ctx.finding("MT003", evidence=[ctx.text_ev(lm.start, lm.end)], what="表三该行",
                          quote=lm.written, year=facts.year, facts={"kind": "row"})
    for label, s, e in facts.legacy_labels:
        yield ctx.finding("MT003", evidence=[ctx.text_ev(s, e)], what="表二", quote=label, year=facts.year,
                          facts={"kind": "label"})


@rule(code="MT002", check="meta.year",
      message="正文“{quote}”以{stated}年开头叙述本年度工作，与报告年度{expected}年不符（疑为沿用上年文字）",
      options=("max_years_back",))
def narrative_year_is_report_year(ctx: CheckContext) -> Iterator[Finding]:
    """叙述本年度工作的句子写成了其他年份（疑为沿用上年文字）。

    A sentence about the report year's work is written with another year (last year's text copied).

    **反例** 2023年度报告中 ``2022年，我局共收到政府信息公开申请7件``  **正例** ``2023年，我局共收到…``
    """
    year = ctx.facts.year
    if year is None:
        return
    zones = [(a, b) for _, a, b in ctx.tables.spans]
    back = option(ctx.config, "meta.year", "max_years_back")
    for o in ctx.facts.year_openings:
        if o.year == year or o.year < year - back or o.year > year + 1 or any(a <= o.start < b for a, b in zones):
            continue
        if not o.activity or (o.year > year and o.plan):  # 2024年，我局将… in a 2023 report: next year's plan
            continue
        yield ctx.finding("MT002", stated=o.year, expected=year, evidence=[ctx.text_ev(o.start, o.quote_end)],
                          quote=o.quote, facts={"delta_years": o.year - year})


@rule(code="MT005", check="meta.year",
      message="落款日期“{quote}”早于统计期末{year}年12月31日，疑为沿用上年报告的日期（应为{next_year}年）")
def signed_after_the_period(ctx: CheckContext) -> Iterator[Finding]:
    """落款（成文、印发）日期早于统计期末：年度报告只能在统计期结束后写成。

    The signature date closing the report falls before the end of the year it reports on.

    **反例** 2021年度报告落款 ``2021年1月25日``  **正例** ``2022年1月25日``
    """
    year = ctx.facts.year
    if year is None:
        return
    for d in ctx.facts.signature_dates:
        if (d.year, d.month, d.day) >= (year, 12, 31):
            continue
        yield ctx.finding("MT005", stated=d.year, expected=year + 1, evidence=[ctx.text_ev(d.start, d.end)],
                          quote=d.quote, year=year, next_year=year + 1, facts={"delta_years": d.year - year - 1})


@rule(code="MT006", check="meta.year",
      message="正文“{quote}”所称年度与报告年度{expected}年不符")
def report_names_its_own_year(ctx: CheckContext) -> Iterator[Finding]:
    """正文说明编制的是另一年度的报告（现编制完成2023年度…年度报告，而报告为2022年度）。

    The narrative says it is the annual report of another year than the title's.

    **反例** 2022年度报告中 ``编制完成2023年度政府信息公开工作年度报告``  **正例** ``编制完成2022年度…``
    """
    year, title = ctx.facts.year, ctx.facts.year_span
    if year is None:
        return
    for n in ctx.facts.self_named:
        if n.year == year or n.in_title_marks:
            continue  # a notice's name (《关于做好2021年…年度报告编制公布工作的通知》) is not the report
        if n.year < year and not n.now:
            continue  # 按时编制公布2023年度…年度报告 in a 2024 report: last year's report, published this year
        if title is not None and title.start <= n.year_start < title.end:
            continue
        yield ctx.finding("MT006", stated=n.year, expected=year, evidence=[ctx.text_ev(n.start, n.end)],
                          quote=n.quote, facts={"delta_years": n.year - year})


# MT004 compares a report with the whole batch, so the comparison runs once in
# ``auditor.across.copy_index`` (``CorpusIndex.find``) and each report's matches reach the rule as
# ``ctx.config["copies"]`` (``CopyMatch``es). A report audited on its own has none.
def _whose(match) -> str:
    if match.same_agency:
        return f"本单位{match.other_year}年度报告" if match.other_year else "本单位往年报告"
    year = f"{match.other_year}年度" if match.other_year else ""
    return f"其他单位（{match.other_agency or '未识别'}）{year}报告"


@rule(code="MT004", check="meta.copied",
      message="该段文字与{whose}高度相似（相似度{stated}），疑似照搬；对方文件：{source}")
def narrative_not_copied(ctx: CheckContext) -> Iterator[Finding]:
    """正文段落与本单位往年报告或其他单位报告高度相似（疑似照搬，仅批量审核时检查）。

    A narrative paragraph nearly repeats last year's report or another agency's report.

    Low when the text is the agency's own earlier report, medium when it is another agency's.
    Only in batch mode (``auditor batch``), where every report of the batch is compared.

    **反例** 2023年报告“（五）健全监督保障机制。成立由主要负责同志任组长……”与2022年报告一字不差
    **正例** 每年据实撰写当年工作情况
    """
    for m in ctx.config.get("copies") or ():
        similarity = round(m.similarity, 2)
        yield ctx.finding("MT004", stated=similarity,
                          evidence=[ctx.text_ev(m.start, m.end), SourceEvidence(m.other_source, m.other_quote)],
                          whose=_whose(m), source=m.other_source,
                          facts={"kind": "own" if m.same_agency else "other", "other_agency": not m.same_agency,
                                 "similarity": m.similarity})
