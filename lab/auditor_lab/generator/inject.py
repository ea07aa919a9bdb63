"""Error injection: which defects a report gets, one check family of findings-contract.md each.

Table defects (``table_defects``) go in before the narrative is planned, narrative and meta
defects (``narrative_defects``) after. What a defect breaks is not recorded by the injectors
but derived by ``evaluate`` from the result, except for defects that are facts of form
(labels, blanks, format, period), which they record directly.
"""
from __future__ import annotations

import random

from .narrative_defects import POST_INJECTORS
from .table_defects import PRE_INJECTORS

__all__ = ["PRE", "POST", "FAMILIES", "PRE_INJECTORS", "POST_INJECTORS", "choose_families"]

PRE = ("table.row_sum", "table.column_sum", "table.balance", "table.label", "table.missing", "meta.format",
       "cross_year.carry_over")
POST = ("narrative.table_mismatch", "narrative.sum", "narrative.ratio", "narrative.conflict", "meta.year",
        "meta.period", "cross_year.delta")
FAMILIES = PRE + POST
WEIGHTS = {"table.row_sum": 1.0, "table.column_sum": 1.0, "table.balance": 0.8, "table.label": 1.0,
           "table.missing": 0.7, "meta.format": 0.5, "cross_year.carry_over": 1.5,
           "narrative.table_mismatch": 2.0, "narrative.sum": 1.0, "narrative.ratio": 0.8, "narrative.conflict": 0.8,
           "meta.year": 0.8, "meta.period": 0.7, "cross_year.delta": 1.5}
ONCE = {"meta.format", "meta.period", "cross_year.carry_over"}
ARITH = {"table.row_sum", "table.column_sum", "table.balance", "table.missing"}


def choose_families(rng: random.Random, n: int, *, layout: str, fmt: str, paired: bool,
                    families=None) -> list[str]:
    pool = [f for f in (families or FAMILIES) if f in FAMILIES]
    if layout == "glued":
        pool = [f for f in pool if f not in ARITH]
    if not paired:
        pool = [f for f in pool if not f.startswith("cross_year.")]
    if fmt == "2019":
        pool = [f for f in pool if f != "meta.format"]
    out: list[str] = []
    while len(out) < n and pool:
        f = rng.choices(pool, weights=[WEIGHTS[p] for p in pool])[0]
        out.append(f)
        if f in ONCE or (f in ARITH and sum(x in ARITH for x in out) >= 2):
            pool = [p for p in pool if p != f and not (f in ARITH and p in ARITH and sum(x in ARITH for x in out) >= 2)]
    return out
