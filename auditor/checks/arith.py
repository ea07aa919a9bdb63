"""Shared arithmetic for the table rules: null handling and relation terms."""
from __future__ import annotations

import fnmatch

from ..tables.model import TOLERANCE as TOL
from ..tables.model import Cell, StatutoryTables


def row_keys(tables: StatutoryTables, table: str) -> list[str]:
    """Row keys present in the read table, in reading order."""
    return list(tables.row_keys(table))


def expand(tables: StatutoryTables, table: str, patterns) -> list[str]:
    rows = row_keys(tables, table)
    out: list[str] = []
    for pat in patterns:
        out += [r for r in rows if fnmatch.fnmatchcase(r, pat) and r not in out]
    return out


def cells_of(tables: StatutoryTables, table: str, rows: list[str], column: str) -> list[Cell] | None:
    """The cells, or None when any is absent or blank (a blank is table.missing, not a sum error)."""
    out = []
    for r in rows:
        c = tables.cells.get(f"{table}.{r}.{column}")
        if c is None or c.value is None:
            return None
        out.append(c)
    return out


def total(cells: list[Cell]) -> float:
    s = sum(c.value for c in cells)
    return int(s) if float(s).is_integer() else round(s, 4)


def differs(a: float, b: float) -> bool:
    return abs(a - b) > TOL
