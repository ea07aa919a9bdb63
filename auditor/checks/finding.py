"""The checks stage's output: findings with their evidence."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

SEVERITIES = ("high", "medium", "low", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(reversed(SEVERITIES))}  # info 0 … high 3


@dataclass(frozen=True)
class Reading:
    """How a piece of evidence was read when it came from OCR (a scanned page): the lowest
    confidence of its characters, and the characters read below certainty (offset, confidence)."""

    confidence: float
    unsure: tuple[tuple[int, float], ...] = ()

    def to_dict(self) -> dict:
        d: dict = {"read_by": "ocr", "confidence": self.confidence}
        if self.unsure:
            d["unsure"] = [{"offset": at, "confidence": c} for at, c in self.unsure]
        return d


@dataclass(frozen=True)
class TextEvidence:
    start: int
    end: int
    quote: str
    kind: str = "text"
    read: Reading | None = None  # the span was OCR'd: how surely it was read

    def to_dict(self) -> dict:
        d = {"kind": "text", "start": self.start, "end": self.end, "quote": self.quote}
        if self.read is not None:
            d.update(self.read.to_dict())
        return d


@dataclass(frozen=True)
class CellEvidence:
    table: str
    row: str
    column: str
    value: int | float | None
    start: int | None = None
    end: int | None = None
    kind: str = "cell"
    source: str | None = None  # another report's cell (cross_year): its source; no offsets then
    read: Reading | None = None  # the cell was OCR'd: how surely it was read

    def to_dict(self) -> dict:
        d = {"kind": "cell", "table": self.table, "row": self.row, "column": self.column, "value": self.value}
        if self.start is not None:
            d.update(start=self.start, end=self.end)
        if self.source is not None:
            d["source"] = self.source
        if self.read is not None:
            d.update(self.read.to_dict())
        return d


@dataclass(frozen=True)
class SourceEvidence:
    """Another report a finding points to (meta.copied): its source and a quote from it."""

    source: str
    quote: str
    kind: str = "source"
    start: None = None  # no span in this report's text
    end: None = None

    def to_dict(self) -> dict:
        return {"kind": "source", "source": self.source, "quote": self.quote}


Evidence = TextEvidence | CellEvidence | SourceEvidence


@dataclass(frozen=True)
class Finding:
    code: str
    check: str
    severity: str
    message: str
    stated: int | float | str | None = None
    expected: int | float | str | None = None
    evidence: tuple[Evidence, ...] = ()
    replacement: str | None = None
    severity_score: float | None = None
    facts: dict = field(default_factory=dict, compare=False)  # structured inputs for severity features
    id: str = ""

    @property
    def main_span(self) -> tuple[int, int] | None:
        for ev in self.evidence:
            if isinstance(ev, TextEvidence):
                return ev.start, ev.end
        for ev in self.evidence:
            if isinstance(ev, CellEvidence) and ev.start is not None:
                return ev.start, ev.end
        return None

    @property
    def ocr_confidence(self) -> float | None:
        """The lowest reading confidence of its OCR'd evidence, or None when none was OCR'd."""
        reads = [ev.read.confidence for ev in self.evidence if getattr(ev, "read", None) is not None]
        return min(reads) if reads else None

    def fingerprint(self, text: str = "") -> str:
        """Stable across runs and across drafts that only move text: no offsets inside."""
        parts = [self.code, str(self.stated), str(self.expected)]
        parts += sorted(f"{e.table}.{e.row}.{e.column}" for e in self.evidence if isinstance(e, CellEvidence))
        parts += sorted(e.quote for e in self.evidence if isinstance(e, TextEvidence))
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]

    def with_(self, **changes) -> "Finding":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        d = {
            "id": self.id,
            "code": self.code,
            "check": self.check,
            "severity": self.severity,
            "severity_score": self.severity_score,
            "message": self.message,
            "stated": self.stated,
            "expected": self.expected,
            "evidence": [e.to_dict() for e in self.evidence],
            "fingerprint": self.fingerprint(),
        }
        span = self.main_span
        if span:
            d["offset"], d["length"] = span[0], span[1] - span[0]
        if self.replacement is not None:
            d["replacement"] = self.replacement
        return d
