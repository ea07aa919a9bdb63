"""Baselines: hide findings an earlier draft's output already reported (and the inspector accepted).

A baseline is a previous ``auditor audit`` output: the findings contract JSON (one report, or a
list of them) or a SARIF log. Findings are matched by ``Finding.fingerprint()``, which holds no
offsets, so moving text between drafts keeps a finding matched. Matching counts: if the baseline
had one finding with a fingerprint and the new draft has two, one of them is still reported.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

from .. import errors
from ..checks.finding import CellEvidence, Finding, TextEvidence

SARIF_FINGERPRINT_KEY = "auditorFinding/v1"


def _contract_fingerprint(finding: dict) -> str:
    """The stored fingerprint, or the same recipe recomputed from the contract fields."""
    if isinstance(finding.get("fingerprint"), str):
        return finding["fingerprint"]
    evidence: list = []
    for ev in finding.get("evidence") or ():
        if ev.get("kind") == "cell":
            evidence.append(CellEvidence(table=ev.get("table", ""), row=ev.get("row", ""),
                                         column=ev.get("column", ""), value=ev.get("value")))
        elif ev.get("kind") == "text":
            evidence.append(TextEvidence(start=0, end=0, quote=str(ev.get("quote", ""))))
    return Finding(code=str(finding.get("code", "")), check="", severity="info", message="",
                   stated=finding.get("stated"), expected=finding.get("expected"),
                   evidence=tuple(evidence)).fingerprint()


def _fingerprints_of(doc) -> list[str]:
    if isinstance(doc, list):
        return [fp for item in doc for fp in _fingerprints_of(item)]
    if not isinstance(doc, dict):
        raise ValueError("not an object")
    if "runs" in doc:  # SARIF
        return [r["partialFingerprints"][SARIF_FINGERPRINT_KEY] for run in doc["runs"]
                for r in run.get("results") or () if SARIF_FINGERPRINT_KEY in r.get("partialFingerprints", {})]
    if "findings" in doc:  # findings contract
        return [_contract_fingerprint(f) for f in doc["findings"]]
    raise ValueError("neither findings contract nor SARIF")


def load_baseline(path: str | Path) -> Counter[str]:
    """Fingerprints (with multiplicity) of the findings in a previous JSON or SARIF output."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise errors.E111("baseline_missing", path=p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.E111("baseline_unreadable", path=p, reason=exc) from None
    except json.JSONDecodeError as exc:
        raise errors.E120("baseline_json", path=p, line=exc.lineno) from None
    try:
        return Counter(_fingerprints_of(doc))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise errors.E120("baseline_kind", path=p) from None


def apply_baseline(report, baseline_path: str | Path):
    """A copy of ``report`` without the findings the baseline already holds (ids are kept)."""
    accepted = load_baseline(baseline_path)
    kept: list[Finding] = []
    for finding in report.findings:
        fp = finding.fingerprint()
        if accepted[fp] > 0:
            accepted[fp] -= 1
        else:
            kept.append(finding)
    hidden = len(report.findings) - len(kept)
    warnings = list(report.warnings)
    if hidden:
        warnings.append(f"已按基线 {Path(baseline_path).name} 隐藏 {hidden} 项此前已报告的问题。")
    return replace(report, findings=kept, warnings=warnings)
