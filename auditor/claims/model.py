"""The claims stage's output: quantitative claims and report facts, with spans."""
from __future__ import annotations

from dataclasses import dataclass, field


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
        return self.low - 1e-9 <= value <= self.high + 1e-9
