"""The state of one report while defects are injected into it."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from auditor.template import Template
from .grids import LabelStyle, TableEdits
from .model import GoldFinding
from .tables import Cells


class Unavailable(Exception):
    """The report offers no place for this defect (e.g. no percentage to get wrong)."""


@dataclass
class Draft:
    rng: random.Random
    template: Template
    year: int
    layout: str
    style: LabelStyle
    cells: Cells  # as the report will state them
    clean: Cells  # before inconsistent defects (after consistent cross-year adjustments)
    previous: Cells | None = None
    edits: TableEdits = field(default_factory=TableEdits)
    reserved: set[str] = field(default_factory=set)
    touched_rows: set[str] = field(default_factory=set)
    findings: list[GoldFinding] = field(default_factory=list)
    may_flag: list[dict] = field(default_factory=list)
    changed_slots: set[str] = field(default_factory=set)


def nudge(rng: random.Random, v: int, lo: int = 0) -> int:
    """A typist's error to add to ``v`` (±1–3, ±5, ±10), keeping the result ≥ ``lo``."""
    for _ in range(50):
        d = rng.choice((1, 1, 2, 3, -1, -2, 10, -10, 5))
        if v + d >= lo and d:
            return d
    return 1


def wrong_value(rng: random.Random, v: int, forbidden: set) -> int:
    """A plausible mistyping of ``v`` (off by a little, digits swapped or lost) outside ``forbidden``."""
    s = str(int(v))
    cands = {v + 1, v + 2, v + 3, v - 1, v - 2, v + 10, v * 10 + int(s[-1]), int(s + "0") if v else 7}
    if len(s) >= 2:
        cands |= {int(s[1] + s[0] + s[2:]), int(s[:-2] + s[-1] + s[-2]), int(s[:-1]) if len(s) > 1 else v}
    options = sorted(c for c in cands if c >= 0 and c != v and all(abs(c - f) > 1e-9 for f in forbidden))
    if not options:
        return v + 7 + max(forbidden, default=0)
    return rng.choice(options)
