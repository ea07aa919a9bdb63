"""The tables stage's output: statutory cells under canonical keys."""
from __future__ import annotations

from dataclasses import dataclass, field

Number = int | float


@dataclass(frozen=True)
class Cell:
    """One statutory cell. ``value`` is None for blank, “—” or “/” (never 0)."""

    key: str
    value: Number | None
    raw: str
    start: int
    end: int

    @property
    def table(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def row(self) -> str:
        return self.key.split(".", 1)[1].rsplit(".", 1)[0]

    @property
    def column(self) -> str:
        return self.key.rsplit(".", 1)[1]


@dataclass(frozen=True)
class LabelMatch:
    """Where a template label was found, and how closely it was written."""

    key: str  # "applications.denied.prohibited_by_law" or "heading.appeals"
    statutory: str  # the statutory label
    written: str  # the text as written (label span)
    start: int
    end: int
    score: float  # 100 = equal after normalisation
    exact: bool  # equal to the label or a known variant after normalisation


@dataclass(frozen=True)
class Unreadable:
    """A statutory row or cell that is absent or cannot be read unambiguously."""

    key: str  # row key (applications.granted) or cell key
    reason: str  # Chinese, for the message
    start: int | None = None
    end: int | None = None
    raw: str = ""


@dataclass(frozen=True)
class StatutoryTables:
    format: str
    cells: dict[str, Cell]
    labels: tuple[LabelMatch, ...] = ()
    unreadable: tuple[Unreadable, ...] = ()
    legacy_rows: tuple[LabelMatch, ...] = ()  # rows written in the 2019 layout in a 2021 table
    found_tables: tuple[str, ...] = ()
    spans: tuple[tuple[str, int, int], ...] = ()  # (table, start, end) of each table body read
    notes: tuple[str, ...] = field(default=())

    def value(self, key: str) -> Number | None:
        cell = self.cells.get(key)
        return None if cell is None else cell.value

    def flat(self) -> dict[str, Number | None]:
        return {k: c.value for k, c in self.cells.items()}
