"""The severity guideline (models/severity-guideline.md) as data and a function: the family
default of every check, and the exact conditions, read from a finding's facts, that move it.

The one place severities are decided by hand: the family defaults (``DEFAULTS``) are the
contract's, declared with the checks (``checks.registry.FAMILY_DEFAULTS``); the moves from them
are here. The generator labels its gold with ``severity``, and the severity stage uses
``guideline_severity`` as the baseline the model is measured against and as one of its features.
Rules decide what is wrong and record the facts; they set no severity."""
from __future__ import annotations

from ..checks.registry import FAMILY_DEFAULTS as DEFAULTS
from ..tables.model import TOLERANCE
LEVELS = ("info", "low", "medium", "high")


def _move(level: str, step: int) -> str:
    return LEVELS[max(0, min(len(LEVELS) - 1, LEVELS.index(level) + step))]


def severity(check: str, **facts) -> str:
    """Severity of one finding. Facts (all optional, defaults = the family default):

    - table sums: ``subtotal_only`` – the failing total is a non-statutory subtotal (法人或其他组织小计) → medium
    - narrative.table_mismatch: ``headline`` False – one applicant column, a numbered sub-item or a 表四 outcome → medium
    - narrative.ratio: ``rounding_only`` – stated % is another rounding of the exact ratio at its precision → low
    - meta.period: ``wrong_year`` – a year other than the report year → high
    - meta.period: ``partial_year`` – a well-formed period of part of the year → medium
    - meta.format: ``wholly`` – the whole report in the 2019 layout → medium (a single row or label: low)
    - any check: ``reading_doubt`` – the reader's doubt, not the report's defect (digits run together
      that split several ways, no statistics period found, a difference that one digit OCR read
      with low confidence would explain) → info
    - meta.copied: ``other_agency`` – copied from another agency → medium
    - cross_year.delta: ``with_previous`` – last year's report is available (and contradicts the claim) → medium
    - cross_year.carry_over: ``roll_forward`` – 现行有效件数 against last year's plus issued minus
      repealed, expected rather than mandated → low
    - narrative.conflict: ``provable`` False – the wording does not make the two counts one quantity
      (对23个政务新媒体开展检查 after 政务新媒体24个; a website channel smaller than the total) → info
    - narrative.table_mismatch: ``provable`` False – a cell fixed by convention, not by the wording:
      website posts (公开行政强制信息26条) against decisions, bare withdrawals (申请人自行撤回19件) → info
    - narrative.sum: ``provable`` False – a 其中 list short of its total, which may name only some
      categories (not 办理结果为, not a slip of ≤1% over three or more items) → info
    """
    level = DEFAULTS[check]
    if facts.get("reading_doubt"):
        return "info"  # the doubt is the reader's (digits it cannot split, a period it did not find), not the report's
    if check.startswith("table.") and check.endswith(("sum", "balance")) and facts.get("subtotal_only"):
        return _move(level, -1)
    if check == "narrative.table_mismatch" and facts.get("headline", True) is False:
        return _move(level, -1)
    if check == "narrative.ratio" and facts.get("rounding_only"):
        return _move(level, -1)
    if check == "meta.period" and facts.get("wrong_year"):
        return "high"
    if check == "meta.period" and facts.get("partial_year"):
        return "medium"
    if check == "meta.format" and facts.get("wholly"):
        return "medium"
    if check == "meta.copied" and facts.get("other_agency"):
        return _move(level, +1)
    if check.startswith("narrative.") and facts.get("provable", True) is False:
        return "info"
    if check == "cross_year.delta" and facts.get("with_previous"):
        return "medium"
    if check == "cross_year.carry_over" and facts.get("roll_forward"):
        return "low"  # 现行有效件数 rolled forward: expected, not mandated (documents lapse, get re-counted)
    return level


def rounding_only(stated: float, exact: float, decimals: int) -> bool:
    """The stated percentage is a rounding of ``exact`` at its precision, just not half-up:
    the truncation (33.8 for 33.86) or a tie resolved downwards (33.8 for 33.85)."""
    unit = 10.0 ** -decimals
    truncated = int(exact / unit + TOLERANCE) * unit
    return abs(stated - truncated) < unit / 1000 or abs(stated - exact) <= unit / 2 + TOLERANCE


def finding_facts(finding) -> dict:
    """The guideline's conditions, read from what a rule recorded in ``finding.facts``."""
    f = finding.facts or {}
    kind = f.get("kind")
    return {
        "subtotal_only": bool(f.get("subtotal_only")),
        "headline": f.get("headline", True),
        "rounding_only": bool(f.get("rounding_only")),
        "wrong_year": kind == "wrong_year",
        "partial_year": kind == "partial_year",
        "wholly": kind == "wholly",
        "other_agency": bool(f.get("other_agency")),
        "with_previous": bool(f.get("with_previous") or f.get("verifiable")),
        "roll_forward": kind == "roll_forward",
        "provable": f.get("provable", True),
        "reading_doubt": kind == "glued" or bool(f.get("reading_doubt")) or bool(f.get("ocr_doubt")),
    }


def guideline_severity(finding) -> str:
    """The hand-written guideline's severity for a finding of the rules."""
    return severity(finding.check, **finding_facts(finding))
