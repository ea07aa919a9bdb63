"""The tables stage's output: statutory cells under canonical keys."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

Number = int | float

TOLERANCE = 1e-6  # two figures closer than this are equal (sums of cells, a claim and a cell, rounding steps)


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
        return _key_parts(self.key)[0]

    @property
    def row(self) -> str:
        return _key_parts(self.key)[1]

    @property
    def column(self) -> str:
        return _key_parts(self.key)[2]


@lru_cache(maxsize=4096)  # the template's keys: a few hundred, read thousands of times a report
def _key_parts(key: str) -> tuple[str, str, str]:
    """(table, row, column) of ``table.row.column``; a row key may itself hold dots."""
    return key.split(".", 1)[0], key.split(".", 1)[1].rsplit(".", 1)[0], key.rsplit(".", 1)[1]


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
    # the relation no reading of the digits satisfies ("row_sum", "column_sum"): the report is
    # wrong whichever way the run is cut (contract 1.1), not merely unreadable; "blank": fewer
    # digits than cells, so some cell was left blank whichever way the run is cut
    proven: str | None = None


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

    def row_keys(self, table: str) -> tuple[str, ...]:
        """The row keys read in ``table``, in reading order."""
        return self._rows_by_table.get(table, ())

    @cached_property  # ``cells`` is complete when the tables are built and never changes after
    def _rows_by_table(self) -> dict[str, tuple[str, ...]]:
        rows: dict[str, dict[str, None]] = {}
        for cell in self.cells.values():
            rows.setdefault(cell.table, {})[cell.row] = None
        return {table: tuple(keys) for table, keys in rows.items()}

    def value(self, key: str) -> Number | None:
        cell = self.cells.get(key)
        return None if cell is None else cell.value

    def flat(self) -> dict[str, Number | None]:
        return {k: c.value for k, c in self.cells.items()}
