"""The severity guideline (models/severity-guideline.md) as a function: family default plus
the exact conditions that move a finding one level. The generator labels gold with it."""
from __future__ import annotations

DEFAULTS = {
    "table.row_sum": "high", "table.column_sum": "high", "table.balance": "high",
    "table.label": "low", "table.missing": "low",
    "narrative.table_mismatch": "high", "narrative.sum": "medium", "narrative.ratio": "medium",
    "narrative.conflict": "medium",
    "meta.period": "low", "meta.year": "medium", "meta.format": "medium", "meta.copied": "low",
    "cross_year.carry_over": "medium", "cross_year.delta": "info",
}
LEVELS = ("info", "low", "medium", "high")


def _move(level: str, step: int) -> str:
    return LEVELS[max(0, min(len(LEVELS) - 1, LEVELS.index(level) + step))]


def severity(check: str, **facts) -> str:
    """Severity of one finding. Facts (all optional, defaults = the family default):

    - table sums: ``subtotal_only`` – the failing total is a non-statutory subtotal (法人或其他组织小计) → medium
    - narrative.table_mismatch: ``headline`` False – one applicant column, a numbered sub-item or a 表四 outcome → medium
    - narrative.ratio: ``rounding_only`` – stated % is another rounding of the exact ratio at its precision → low
    - meta.period: ``wrong_year`` – a year other than the report year → high
    - meta.format: ``wholly`` False – a single row or label in the 2019 layout → low
    - meta.copied: ``other_agency`` – copied from another agency → medium
    - cross_year.delta: ``with_previous`` – last year's report is available (and contradicts the claim) → medium
    - narrative.conflict: ``provable`` False – the wording does not make the two counts one quantity
      (对23个政务新媒体开展检查 after 政务新媒体24个; a website channel smaller than the total) → info
    - narrative.table_mismatch: ``provable`` False – a cell fixed by convention, not by the wording:
      website posts (公开行政强制信息26条) against decisions, bare withdrawals (申请人自行撤回19件) → info
    - narrative.sum: ``provable`` False – a 其中 list short of its total, which may name only some
      categories (not 办理结果为, not a slip of ≤1% over three or more items) → info
    """
    level = DEFAULTS[check]
    if check.startswith("table.") and check.endswith(("sum", "balance")) and facts.get("subtotal_only"):
        return _move(level, -1)
    if check == "narrative.table_mismatch" and facts.get("headline", True) is False:
        return _move(level, -1)
    if check == "narrative.ratio" and facts.get("rounding_only"):
        return _move(level, -1)
    if check == "meta.period" and facts.get("wrong_year"):
        return "high"
    if check == "meta.format" and facts.get("wholly", True) is False:
        return _move(level, -1)
    if check == "meta.copied" and facts.get("other_agency"):
        return _move(level, +1)
    if check.startswith("narrative.") and facts.get("provable", True) is False:
        return "info"
    if check == "cross_year.delta" and facts.get("with_previous"):
        return "medium"
    return level


def rounding_only(stated: float, exact: float, decimals: int) -> bool:
    """The stated percentage is a rounding of ``exact`` at its precision, just not half-up:
    the truncation (33.8 for 33.86) or a tie resolved downwards (33.8 for 33.85)."""
    unit = 10.0 ** -decimals
    truncated = int(exact / unit + 1e-9) * unit
    return abs(stated - truncated) < unit / 1000 or abs(stated - exact) <= unit / 2 + 1e-9
