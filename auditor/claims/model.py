"""The claims stage's output: quantitative claims and report facts, with spans."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..tables.model import TOLERANCE


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Period:
    """The 统计期限 sentence: its span and the dates read from it."""

    start: int
    end: int
    quote: str
    begin_year: int | None
    end_year: int | None
    well_formed: bool
    problem_start: int | None = None  # the malformed or wrong part
    problem_end: int | None = None
    first_day: tuple[int, int] | None = None  # (month, day) it begins and ends on
    last_day: tuple[int, int] | None = None
    dates_span: tuple[int, int] | None = None  # the text of its two dates
    problem_quote: str = ""  # the words of the malformed or wrong part (the whole sentence if none)
    dates_quote: str = ""  # the words of its two dates


@dataclass(frozen=True)
class YearOpening:
    """A sentence opening with another year than the report's (2022年，我局… in a 2023 report): the
    year, where it is written, and what the sentence does (reports work done, or plans work)."""

    year: int
    start: int  # the year's digits
    quote_end: int
    quote: str
    activity: bool  # the sentence names work done (公开, 受理, 办结…)
    plan: bool  # or work to come (将, 计划, 下一步…)


@dataclass(frozen=True)
class SignatureDate:
    """A full date among the closing words, standing where a signature date stands."""

    start: int
    end: int
    year: int
    month: int
    day: int
    quote: str


@dataclass(frozen=True)
class SelfNamedYear:
    """The report naming itself (编制完成2023年度…年度报告)."""

    start: int
    end: int
    year: int
    year_start: int  # where the year's digits stand
    now: bool  # 现/特/今: the report being written, not last year's
    in_title_marks: bool  # inside 《…》: a notice's name, not the report
    quote: str  # without spaces


@dataclass(frozen=True)
class ReportFacts:
    title: str | None
    agency: str | None
    year: int | None
    year_span: Span | None
    format: str
    period: Period | None = None
    legacy_labels: tuple[tuple[str, int, int], ...] = ()  # (label, start, end) of 2019-only labels
    headings: tuple[tuple[str, int, int], ...] = ()
    year_openings: tuple[YearOpening, ...] = ()
    signature_dates: tuple[SignatureDate, ...] = ()
    self_named: tuple[SelfNamedYear, ...] = ()


@dataclass(frozen=True)
class Claim:
    """A quantitative statement of the narrative."""

    start: int  # span of the claim (metric words through the number and unit)
    end: int
    quote: str
    metric: str | None  # canonical metric (cell row key or narrative metric name)
    value: float
    low: float
    high: float
    unit: str | None
    approx: str | None
    sentence: tuple[int, int]
    number: tuple[int, int]  # span of the number itself
    qualifiers: tuple[str, ...] = ()
    kind: str = "count"  # count | percent | money
    decimals: int = 0
    candidates: tuple[str, ...] = ()  # plausible cell keys
    role: str = "plain"  # plain | total | part
    group: int | None = None  # id of the total/breakdown structure it belongs to
    extra: dict = field(default_factory=dict, compare=False)

    def holds(self, value: float) -> bool:
        return self.low - TOLERANCE <= value <= self.high + TOLERANCE


@dataclass(frozen=True)
class Wording:
    """What a figure is a figure of, as the words around it say (claims/relations.py reads it)."""

    head: str  # the words right before the number, without filler (公开信息)
    noun: str  # the end of the head and the words after the unit: what it counts
    specific: frozenset[str]  # the head's two-character words that are not filler
    scope: frozenset[str]  # scope words before it (本级, 全市, 乡镇…)
    whole: bool  # a total, or a whole word (共, 全年, 累计) just before it
    total_word: bool  # a word naming all information published (共, 各类, 主动公开) just before it
    channel: bool  # a publishing channel (网站, 专栏, 栏目) just before it
    portal: bool  # a website or portal just before it
    says_all: bool  # 全部13个… / 13个…均…: it claims to be every one of them
    item_topic: str | None  # the subject of the enumerated item it stands in (一是…方面)
    to_date: bool  # a stock counted up to a date (截至目前累计), not the year's flow
    published_info: bool  # its head names information published (公开…信息)
    on_request: bool  # its head names disclosure on request (依申请)
    opener_end: int | None  # 其中/包括/含 follows it, ending this many non-space characters on
    end_at: int  # non-space characters before its end
    number_at: int  # non-space characters before its number


@dataclass(frozen=True)
class Share:
    """A count and the share it is said to be (258件，占33.9%): indices into the claims."""

    count: int
    percent: int
    quote: str


@dataclass(frozen=True)
class Rate:
    """A rate and the counts it is computed from (受理161件，办结161件，办结率99.95%)."""

    base: int
    count: int
    percent: int
    quote: str


@dataclass(frozen=True)
class Outcome:
    """A conclusion about 表四 in words: no appeals at all ("none"), all upheld, all closed."""

    start: int
    end: int
    kind: str  # none | upheld | closed
    quote: str
    review: bool  # it speaks of 复议
    litigation: bool  # it speaks of 诉讼


@dataclass(frozen=True)
class Relations:
    """The relations between the claims the narrative states, aligned with the claims' order."""

    scopes: tuple[frozenset[str] | None, ...] = ()  # a count's scope words; None for the other claims
    wordings: tuple[Wording | None, ...] = ()  # an untabled count's wording; None for the other claims
    shares: tuple[Share, ...] = ()
    rates: tuple[Rate, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
