"""The years and dates a report states about itself: sentences opening with a year (2022年，…),
the date it is signed with, and the year it names its own report by. The ``meta.year`` checks
compare them with the report year; word lists: ``patterns/years.yaml``."""
from __future__ import annotations

from .lexicon import load_patterns
from .model import SelfNamedYear, SignatureDate, YearOpening

SIGNATURE_WINDOW = 200  # characters at the end of the report where the signature stands


def year_openings(text: str, year: int | None) -> tuple[YearOpening, ...]:
    """Sentences opening with a year other than the report's ``year`` (none when it is unknown:
    then no year is stale)."""
    if year is None:
        return ()
    p = load_patterns("years")
    out = []
    for m in p["year_opening"].finditer(text):
        if int(m.group(1)) == year:
            continue
        end = p["sentence_end"].search(text, m.end())
        stop = end.start() if end else len(text)
        compact = "".join(text[m.start(1):stop].split())  # 办⏎理: a line wrapped inside a word
        quote_end = min(len(text), m.end() + 20, stop)
        out.append(YearOpening(int(m.group(1)), m.start(1), quote_end, text[m.start(1):quote_end].replace("\n", ""),
                               activity=bool(p["activity"].search(compact)), plan=bool(p["plan"].search(compact))))
    return tuple(out)


def signature_dates(text: str) -> tuple[SignatureDate, ...]:
    """Full dates among the closing words that stand as a signature does: not page furniture
    (发布时间：), not inside a sentence (自2023年1月1日起施行)."""
    p = load_patterns("years")
    text = text.rstrip()
    start = max(text.rfind("。"), text.rfind(p["closing_heading"].pattern), len(text) - SIGNATURE_WINDOW)
    out = []
    for m in p["date"].finditer(text, max(start, 0)):
        if p["page_date"].search(text, max(0, m.start() - 8), m.start()):
            continue
        if p["in_sentence_before"].search(text, max(0, m.start() - 3), m.start()) or not p["signature_after"].match(text, m.end()):
            continue
        y, mo, d = (int(g) for g in m.groups())
        out.append(SignatureDate(m.start(), m.end(), y, mo, d, m.group()))
    return tuple(out)


def self_named_years(text: str) -> tuple[SelfNamedYear, ...]:
    p = load_patterns("years")
    out = []
    for m in p["self_named"].finditer(text):
        opened = text.rfind("《", 0, m.start())
        in_marks = opened >= 0 and text.find("》", opened, m.start()) < 0
        out.append(SelfNamedYear(m.start(), m.end(), int(m.group(2)), m.start(2), now=bool(m.group("now")),
                                 in_title_marks=in_marks, quote="".join(m.group().split())))
    return tuple(out)
