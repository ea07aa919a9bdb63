"""Rules over the report as a whole: statistics period, format, stale years."""
from __future__ import annotations

from collections.abc import Iterator

import regex

from ..config import option
from .context import CheckContext
from .finding import Finding
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
                          problem="格式不规范（缺少年、月、日）", quote=ctx.text[s:e], year=facts.year,
                          facts={"kind": "malformed"})
    elif p.problem_start is not None:
        yield ctx.finding("MT001", stated=p.begin_year if p.begin_year != facts.year else p.end_year,
                          expected=facts.year, evidence=[ctx.text_ev(p.problem_start, p.problem_end), ctx.text_ev(p.start, p.end)],
                          problem="年份与报告年度不符", quote=ctx.text[p.problem_start:p.problem_end], year=facts.year,
                          facts={"kind": "wrong_year"})
    elif p.first_day is not None and (p.first_day, p.last_day) != ((1, 1), (12, 31)) and p.begin_year == p.end_year:
        s, e = p.dates_span
        # the tables then count part of the year, or the period misstates them: a reader notices
        yield ctx.finding("MT001", evidence=[ctx.text_ev(s, e), ctx.text_ev(p.start, p.end)],
                          problem="未覆盖全年", quote=ctx.text[s:e], year=facts.year, facts={"kind": "partial_year"})


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


_STALE = regex.compile(r"(?:^|(?<=[。！？；\n]))\s*(?:[（(][一二三四五六七八九十]+[)）][^。\n]{0,24}?[。．.]?\s*)?((?:19|20)\d{2})\s*年(?:度)?\s*[，,]")
_ACTIVITY = regex.compile(r"公开|发布|收到|受理|办理|开展|组织|制发|答复|办结|举办|召开|印发|推进|收取|新收|接收|承办|"
                          r"制定|出台|修订|清理|编制|梳理|解读|培训|更新")
_PLAN = regex.compile(r"将|计划|拟|力争|争取|预计|下一步|着力|要")
_SENTENCE_END = regex.compile(r"[。！？]|\n\s*\n")


@rule(code="MT002", check="meta.year",
      message="正文“{quote}”以{stated}年开头叙述本年度工作，与报告年度{expected}年不符（疑为沿用上年文字）")
def narrative_year_is_report_year(ctx: CheckContext) -> Iterator[Finding]:
    """叙述本年度工作的句子写成了其他年份（疑为沿用上年文字）。

    A sentence about the report year's work is written with another year (last year's text copied).

    **反例** 2023年度报告中 ``2022年，我局共收到政府信息公开申请7件``  **正例** ``2023年，我局共收到…``
    """
    year = ctx.facts.year
    if year is None:
        return
    zones = [(a, b) for _, a, b in ctx.tables.spans]
    text = ctx.text
    for m in _STALE.finditer(text):
        y = int(m.group(1))
        if y == year or y < year - option(ctx.config, "meta.year", "max_years_back") or y > year + 1 or any(a <= m.start(1) < b for a, b in zones):
            continue
        end = _SENTENCE_END.search(text, m.end())
        sentence = text[m.start(1):end.start() if end else len(text)]
        compact = "".join(sentence.split())  # 办⏎理: a line wrapped inside a word
        if not _ACTIVITY.search(compact):
            continue
        if y > year and _PLAN.search(compact):  # 2024年，我局将… in a 2023 report: next year's plan
            continue
        quote_end = min(len(text), m.end() + 20, end.start() if end else len(text))
        yield ctx.finding("MT002", stated=y, expected=year, evidence=[ctx.text_ev(m.start(1), quote_end)],
                          quote=text[m.start(1):quote_end].replace("\n", ""), facts={"delta_years": y - year})


_DATE = regex.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_PAGE_DATE = regex.compile(r"(?:发布|更新|时间|日期)[：:\s]*$")  # page furniture, not the signature
_CLOSING_HEADING = "其他需要报告的事项"
_IN_SENTENCE_BEFORE = regex.compile(r"(?:自|于|从|至|到|截至|截止|在|起|的)\s*$")
_SIGNATURE_AFTER = regex.compile(r"\s*(?:$|印\s*发|附件|\n|[（(]|[^\S\n]+\S)")
SIGNATURE_WINDOW = 200  # characters at the end of the report where the signature stands


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
    text = ctx.text.rstrip()
    start = max(text.rfind("。"), text.rfind(_CLOSING_HEADING), len(text) - SIGNATURE_WINDOW)
    for m in _DATE.finditer(text, max(start, 0)):
        y, mo, d = (int(g) for g in m.groups())
        if (y, mo, d) >= (year, 12, 31) or _PAGE_DATE.search(text, max(0, m.start() - 8), m.start()):
            continue
        if _IN_SENTENCE_BEFORE.search(text, max(0, m.start() - 3), m.start()) or not _SIGNATURE_AFTER.match(text, m.end()):
            continue  # 自2023年1月1日起施行: a date inside a sentence, not the one the report is signed with
        yield ctx.finding("MT005", stated=y, expected=year + 1, evidence=[ctx.text_ev(m.start(), m.end())],
                          quote=m.group(), year=year, next_year=year + 1, facts={"delta_years": y - year - 1})


_SELF_NAMED = regex.compile(r"(?P<now>[现特今]\s*)?(?:编\s*制(?:\s*完\s*成)?(?:\s*了)?|公\s*布|形\s*成)\s*((?:19|20)\d{2})\s*年\s*度?\s*"
                            r"(?:政\s*府\s*)?信\s*息\s*公\s*开\s*(?:工\s*作\s*)?年\s*度\s*报\s*告")


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
    text = ctx.text
    for m in _SELF_NAMED.finditer(text):
        y = int(m.group(2))
        opened = text.rfind("《", 0, m.start())
        if y == year or (opened >= 0 and text.find("》", opened, m.start()) < 0):
            continue  # a notice's name (《关于做好2021年…年度报告编制公布工作的通知》) is not the report
        if y < year and not m.group("now"):
            continue  # 按时编制公布2023年度…年度报告 in a 2024 report: last year's report, published this year
        if title is not None and title.start <= m.start(2) < title.end:
            continue
        yield ctx.finding("MT006", stated=y, expected=year, evidence=[ctx.text_ev(m.start(), m.end())],
                          quote="".join(m.group().split()), facts={"delta_years": y - year})
