"""OCR readings into the findings: which evidence came from a scanned page, how surely it was
read, and whether a misread digit alone could explain the finding.

A finding whose stated and expected figures differ by what one low-confidence digit of its
evidence could account for (a 9 read as 6 in the units place: a difference of 3; in the tens
place: 30) records ``ocr_doubt``: the severity guideline makes it "worth a look" (``info``), not a
proven error; so does a row read short (table.missing) among digits read unsure, where the
marks the recogniser could not place (a / or — in a cell, read as 1 or not at all) may be no
figures at all. Every OCR'd finding records ``ocr_confidence``, the lowest confidence of its
evidence, a feature for the severity model.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from .finding import CellEvidence, Finding, Reading, TextEvidence

__all__ = ["mark_readings"]


def mark_readings(findings: Sequence[Finding], text: str, ocr_spans: Sequence[tuple[int, int]],
                  unsure: Sequence[tuple[int, float]], low: float) -> list[Finding]:
    """The findings with their OCR'd evidence marked (``ocr_spans``: text ranges read by OCR;
    ``unsure``: offsets read below certainty, sorted; ``low``: a digit below it may be misread)."""
    if not ocr_spans:
        return list(findings)
    at = [a for a, _ in unsure]
    return [_mark(f, text, ocr_spans, unsure, at, low) for f in findings]


def _mark(finding: Finding, text, ocr_spans, unsure, at, low) -> Finding:
    evidence, confidences, doubtful = [], [], []
    for ev in finding.evidence:
        if not isinstance(ev, (TextEvidence, CellEvidence)) or ev.start is None or ev.end is None \
                or not any(s < ev.end and ev.start < e for s, e in ocr_spans):
            evidence.append(ev)
            continue
        chars = tuple(unsure[bisect_left(at, ev.start):bisect_right(at, ev.end - 1)])
        reading = Reading(min([c for _, c in chars] + [1.0]), chars)
        confidences.append(reading.confidence)
        doubtful += [(offset, _place(text, offset, ev.end)) for offset, c in chars if c < low and text[offset].isdigit()]
        evidence.append(ev.__class__(**{**ev.__dict__, "read": reading}))
    if not confidences:
        return finding
    facts = {**finding.facts, "ocr_confidence": min(confidences)}
    if _explained(finding.stated, finding.expected, [place for _, place in doubtful]) \
            or (finding.check == "table.missing" and doubtful):
        facts["ocr_doubt"] = True  # a row read short among unsure digits: its marks (/, —) may be no figures
    return finding.with_(evidence=tuple(evidence), facts=facts)


def _place(text: str, offset: int, end: int) -> int:
    """The decimal place of the digit at ``offset`` in its number (0: units)."""
    k = offset + 1
    while k < end and (text[k].isdigit() or text[k] == ","):
        k += 1
    return sum(ch.isdigit() for ch in text[offset + 1:k])


def _explained(stated, expected, places: list[int]) -> bool:
    """One digit misread at one of ``places`` would account for stated − expected."""
    if not places or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (stated, expected)):
        return False
    diff = abs(stated - expected)
    if diff != int(diff) or diff == 0:
        return False
    diff = int(diff)
    return any(diff % 10 ** p == 0 and diff // 10 ** p <= 9 for p in places)
