"""Report facts read from the narrative: title, agency, year, the 统计期限 sentence, 2019-only
labels, and the years and dates the report states about itself (claims/years.py)."""
from __future__ import annotations

from dataclasses import replace

import regex

from ..errors import E904
from ..template import load_template
from .model import Period, ReportFacts, Span
from .years import self_named_years, signature_dates, year_openings


def _spaced(word: str) -> str:
    """A pattern for ``word`` wrapped or spaced anywhere inside (政府信⏎息公开, 政 府)."""
    return r"\s*".join(word)


# the title's year is the report year, however the page wrapped or spaced the title
_TITLE = regex.compile(r"([^\n：:]{0,60}?)\s*((?:19|20)\d{2})\s*年\s*度?\s*(?:" + _spaced("政府") + r")?\s*"
                       + _spaced("信息公开") + r"\s*(?:" + _spaced("工作") + r")?\s*年\s*度?\s*报\s*告")
# the year first, then the agency: 2024 年上海市某委政府信息公开工作⏎年度报告
_TITLE_YEAR_FIRST = regex.compile(r"(?:^|\n)[ \t　]*((?:19|20)\d{2})\s*年\s*度?\s*([^\n\d：:，。]{2,30}?)\s*"
                                  + _spaced("政府信息公开") + r"\s*(?:" + _spaced("工作") + r")?\s*年\s*度?\s*报\s*告")
_PERIOD_KEY = regex.compile(r"统\s*计\s*(?:期\s*限|周\s*期|时\s*限|时\s*间|区\s*间|期\s*间|范\s*围|期)|数\s*据\s*(?:统\s*计\s*)?(?:期\s*限|时\s*间)")
_DATE = regex.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_END_NOYEAR = regex.compile(r"(?:至|到|—|-|－|~)\s*(?P<m>1\s*2)\s*月\s*(?P<d>3\s*1)\s*日")
_GLUED = regex.compile(r"(?P<y>(?:19|20)\d{2})(?P<rest>\d{2,4})\s*日")


def _title(text: str) -> tuple[str | None, str | None, int | None, Span | None]:
    head = text[:3000]
    for m in _TITLE.finditer(head):
        year = int(m.group(2))
        agency = regex.sub(r"^(?:标题|题名|名称)\s*[:：]\s*", "", m.group(1)).strip(" 　\t\n《“")
        agency = regex.sub(r"\s+", "", agency)
        title = regex.sub(r"\s+", "", text[m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip())):m.end()])
        title = regex.sub(r"^(?:标题|题名|名称)[:：]", "", title)
        return title, agency or None, year, Span(m.start(2), m.end(2))
    m = _TITLE_YEAR_FIRST.search(head)
    if m:
        return (regex.sub(r"\s+", "", text[m.start(1):m.end()]), regex.sub(r"\s+", "", m.group(2)), int(m.group(1)),
                Span(m.start(1), m.end(1)))
    return None, None, None, None


def _month_day(m) -> tuple[int, int]:
    return int("".join(m.group("m").split())), int("".join(m.group("d").split()))


def _period(text: str, year: int | None) -> Period | None:
    m = _PERIOD_KEY.search(text)
    if not m:
        return None
    # the sentence may wrap over a line (…统计时限为 2021 年 1 月 1 日至⏎ 2021 年 12 月 31 日。)
    end = text.find("\n\n", m.end())
    stop = regex.compile(r"[。；;]").search(text, m.end(), min(end if end > 0 else len(text), m.end() + 80))
    s_end = stop.start() if stop else min(len(text), m.end() + 60)
    s_end = min(s_end, m.end() + 80)
    quote = text[m.start():s_end]
    dates = list(_DATE.finditer(text, m.end(), s_end))
    tail = _END_NOYEAR.search(text, dates[0].end() if dates else m.end(), s_end)
    if dates and (len(dates) >= 2 or tail):
        begin_year = int(dates[0].group("y"))
        end_year = int(dates[1].group("y")) if len(dates) >= 2 else begin_year
        wrong = next((d for d in dates[:2] if year is not None and int(d.group("y")) != year), None)
        last = dates[1] if len(dates) >= 2 else tail
        return Period(m.start(), s_end, quote, begin_year, end_year, True,
                      wrong.start() if wrong else None, wrong.end() if wrong else None,
                      first_day=_month_day(dates[0]), last_day=_month_day(last),
                      dates_span=(dates[0].start(), last.end()))
    glued = _GLUED.search(text, m.end(), s_end)
    if glued or dates or regex.search(r"\d", quote):
        bad = glued or _DATE.search(text, m.end(), s_end) or regex.search(r"\d[\d年月日\s]*", text[m.end():s_end])
        ps = bad.start() if bad and bad.re is not None and bad.string is text else m.end()
        pe = bad.end() if bad and bad.string is text else s_end
        if bad and bad.string is not text:
            ps, pe = m.end() + bad.start(), m.end() + bad.end()
        y = int(glued.group("y")) if glued else None
        return Period(m.start(), s_end, quote, y, y, False, ps, pe)
    return None


def _legacy_labels(text: str) -> tuple[tuple[str, int, int], ...]:
    out = []
    for label in load_template("2021").legacy_labels:
        pos = text.find(label)
        if pos >= 0:
            out.append((label, pos, pos + len(label)))
    return tuple(out)


def identify(text: str) -> ReportFacts:
    """Only what tells whose report of which year it is (title, agency, year, period): what a
    batch's first pass needs to pair the years, at a fraction of ``read_facts``'s cost."""
    title, agency, year, year_span = _title(text)
    period = _period(text, year)
    if year is None and period and period.begin_year:
        year = period.begin_year
    return ReportFacts(title=title, agency=agency, year=year, year_span=year_span, format="", period=period)


def read_facts(text: str, fmt: str | None = None) -> ReportFacts:
    who = identify(text)
    title, agency, year, year_span, period = who.title, who.agency, who.year, who.year_span, who.period
    if fmt is None:
        from ..tables.reader import detect_format

        fmt = detect_format(text, year)
    if period is not None:
        ps, pe = (period.problem_start, period.problem_end) if period.problem_start is not None else (period.start, period.end)
        period = replace(period, problem_quote=text[ps:pe],
                         dates_quote=text[slice(*period.dates_span)] if period.dates_span else "")
    return ReportFacts(title=title, agency=agency, year=year, year_span=year_span, format=fmt,
                       period=period, legacy_labels=_legacy_labels(text), year_openings=year_openings(text, year),
                       signature_dates=signature_dates(text), self_named=self_named_years(text))


# Words no disclosure report or passage of one goes without (simplified and traditional), and few
# other documents use: 政府信息, 信息公开, 政务公开, 主动公开, 依申请, 予以公开, 行政复议.
_REPORT_WORDS = regex.compile(r"政府信息|信息公[开開]|政[务務]公[开開]|主[动動]公[开開]|依申[请請]|予以公[开開]|行政[复復][议議]")


def not_a_report(text: str, facts: ReportFacts) -> str | None:
    """Why a text is no annual report nor a passage of one, or None. One rule for ``audit``, the
    HTTP service and ``batch`` (which skips such a file before pairing and copy detection)."""
    if facts.year is not None or _REPORT_WORDS.search(text):
        return None
    return E904.message()
