"""The whole audit of one report, and its JSON contract (findings-contract.md, version 1)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .checks.finding import SEVERITY_RANK, Finding

CONTRACT_VERSION = 1


@dataclass
class Report:
    source: str
    sha256: str
    input_kind: str
    text: str
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    format: str | None = None
    encoding: str | None = None
    findings: list[Finding] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    tables: dict = field(default_factory=dict)
    coverage: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timing_ms: float = 0.0
    model: str | None = None
    tool_version: str = ""
    size: int | None = None  # bytes of the file read (SARIF artifact.length); not in the JSON contract
    previous: dict | None = None  # last year's report as given: source, year, agency, used, reason
    page_starts: tuple = ()  # (text offset, page) where each page of a PDF begins (Document.page_starts)
    ocr_pages: tuple = ()  # pages of a scanned PDF read by OCR (Document.ocr_pages)

    def page_of(self, finding) -> int | None:
        """The page of a finding's main span in a paged source (PDF), else None."""
        from .ingest.document import page_at

        span = finding.main_span
        return page_at(self.page_starts, span[0]) if span and self.page_starts else None

    def count(self, at_least: str) -> int:
        floor = SEVERITY_RANK[at_least]
        return sum(1 for f in self.findings if SEVERITY_RANK[f.severity] >= floor)

    def to_dict(self, *, include_text: bool = False, timing: bool = True) -> dict:
        """The findings contract. ``timing=False`` leaves out ``timing_ms``, the one field that
        differs between two audits of the same file (the command line's default)."""
        d = {
            "contract": CONTRACT_VERSION,
            "tool": {"name": "auditor", "version": self.tool_version, "model": self.model},
            "report": {"source": self.source, "sha256": self.sha256, "title": self.title, "agency": self.agency,
                       "year": self.year, "format": self.format, "input_kind": self.input_kind,
                       "encoding": self.encoding, **({"ocr_pages": list(self.ocr_pages)} if self.ocr_pages else {})},
            "findings": [{**f.to_dict(), "page": self.page_of(f)} if self.page_starts else f.to_dict()
                         for f in self.findings],
            "claims": self.claims,
            "tables": self.tables,
            "coverage": self.coverage,
            "errors": self.errors,
            "warnings": self.warnings,
            "previous": self.previous,
            "timing_ms": round(self.timing_ms, 2),
        }
        if not timing:
            del d["timing_ms"]
        if include_text:
            d["text"] = self.text
        return d
