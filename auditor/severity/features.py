"""Severity features: one flat dict per finding, from its code, numbers, cells, facts and quotes.

Strings are one-hot encoded by the model's DictVectorizer; numbers are used as they are. The family
default and the guideline's severity are features: the model learns where the evidence says otherwise.
"""
from __future__ import annotations

import math
import re

from ..checks.finding import SEVERITY_RANK, CellEvidence, Finding, TextEvidence
from ..tables.model import TOLERANCE
from ..template import load_template

COLUMNS = frozenset({"natural_person", "commercial", "research", "social", "legal", "other_org", "total",
                     "upheld", "corrected", "other", "pending", "issued", "repealed", "in_force", "decisions", "amount"})
APPROX_CUES = ("约", "近", "余", "左右", "多件", "多条", "超过", "以上", "逾", "大约", "接近")
TEXT_CUES = {"cue_breakdown": ("其中", "分别", "包括"), "cue_total": ("共", "合计", "总计", "累计"),
             "cue_change": ("较上年", "同比", "增加", "减少", "增长", "下降"), "cue_percent": ("%", "％", "百分之", "比例"),
             "cue_all": ("全部", "均", "所有")}
_DECIMALS = re.compile(r"\.(\d+)")


def _number(x) -> float | None:
    if isinstance(x, bool) or x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _decimals(x, facts: dict) -> int:
    if isinstance(facts.get("decimals"), int):
        return facts["decimals"]
    m = _DECIMALS.search(str(x))
    return len(m.group(1).rstrip("0")) if m else 0


def _cell_of(finding: Finding) -> tuple[str, str, str]:
    f = finding.facts or {}
    if f.get("table"):
        row = str(f.get("row") or "")
        table = str(f["table"])
        if row.startswith(table + "."):  # some rules store the full key
            row = row[len(table) + 1:]
        return table, row, str(f.get("column") or "")
    if isinstance(f.get("expr"), str):  # narrative: table:row[+row][.column][@applicant]
        table, _, rest = f["expr"].partition(":")
        rest, _, applicant = rest.partition("@")
        row, _, column = rest.rpartition(".") if rest.rpartition(".")[2] in COLUMNS else (rest, "", "")
        return table, row, applicant or column or "total"
    for ev in finding.evidence:
        if isinstance(ev, CellEvidence):
            return ev.table, ev.row, ev.column
    return "", "", ""


def row_level(row: str) -> str:
    if not row:
        return "none"
    template = load_template("2021")  # rows an inspector reads first, and the classes of outcome
    if row in template.rows_at("headline"):
        return "headline"
    if "+" in row:
        return "combined"
    if row in template.rows_at("category") or row.endswith(".*"):
        return "category"
    return "item" if "." in row else "category"


def column_level(table: str, column: str) -> str:
    if not column:
        return "none"
    if column == "total":
        return "total"
    return "part" if table in ("applications", "appeals") else "item"


def numeric_features(finding: Finding) -> dict[str, float]:
    s, e = _number(finding.stated), _number(finding.expected)
    if s is None or e is None:
        return {"has_values": 0.0}
    diff = abs(s - e)
    d = _decimals(finding.stated, finding.facts or {})
    return {
        "has_values": 1.0,
        "abs_diff": diff,
        "log_abs_diff": math.log1p(diff),
        "rel_diff": diff / max(abs(s), abs(e), 1.0),
        "log_magnitude": math.log1p(max(abs(s), abs(e))),
        "stated_zero": float(s == 0),
        "expected_zero": float(e == 0),
        "stated_above": float(s > e),
        # closer than one unit of the stated last digit: rounding or truncation, not a wrong figure
        "rounding_only": float(0 < diff < 10.0 ** -d - TOLERANCE),
    }


def text_features(finding: Finding) -> dict[str, float]:
    quotes = " ".join(ev.quote for ev in finding.evidence if isinstance(ev, TextEvidence))
    facts = finding.facts or {}
    out = {name: float(any(c in quotes for c in cues)) for name, cues in TEXT_CUES.items()}
    out["approx"] = float(bool(facts.get("approx")) or any(c in quotes for c in APPROX_CUES))
    out["quote_len"] = math.log1p(len(quotes))
    return out


def finding_features(finding: Finding, report_format: str | None = None) -> dict[str, float | str]:
    """The feature dict for one finding (its severity is not read: the rules set none)."""
    facts = finding.facts or {}
    table, row, column = _cell_of(finding)
    from .guideline import DEFAULTS, guideline_severity

    guideline = guideline_severity(finding)
    feats: dict[str, float | str] = {
        "code": finding.code,
        "check": finding.check,
        "family": finding.check.split(".", 1)[0],
        "family_default": DEFAULTS[finding.check],
        "guideline": guideline,
        "guideline_rank": float(SEVERITY_RANK.get(guideline, 0)),
        "format": str(report_format or "unknown"),
        "table": table or "none",
        "row_level": row_level(row),
        "column_level": column_level(table, column),
        "n_cells": float(sum(isinstance(ev, CellEvidence) for ev in finding.evidence)),
        "n_quotes": float(sum(isinstance(ev, TextEvidence) for ev in finding.evidence)),
        "has_replacement": float(finding.replacement is not None),
    }
    for key in ("kind", "role", "metric"):
        if isinstance(facts.get(key), str):
            feats[key] = facts[key]
    feats.update(numeric_features(finding))
    feats.update(text_features(finding))
    # the rule's own judgements (headline, rounding_only, verifiable, similarity…), whatever it records
    for key, value in sorted(facts.items()):
        if isinstance(value, bool) or _number(value) is not None:
            feats[f"fact_{key}"] = float(value)
    if facts.get("rounding_only"):
        feats["rounding_only"] = 1.0
    return feats


def features_for(findings, ctx) -> list[dict[str, float | str]]:
    fmt = getattr(getattr(ctx, "facts", None), "format", None)
    return [finding_features(f, fmt) for f in findings]
