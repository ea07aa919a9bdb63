"""CSV for spreadsheets: one row per finding (``findings.csv``) or per report (``reports.csv``).

Rows accept ``Report`` objects or their contract dicts (what batch mode reads back from disk).
Text cells that a spreadsheet would run as a formula (leading ``= + - @``) get a leading ``'``.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

FINDING_COLUMNS = ("source", "agency", "year", "code", "check", "severity", "message", "stated", "expected",
                   "id", "severity_score", "offset", "length", "fingerprint", "page")
REPORT_COLUMNS = ("source", "sha256", "title", "agency", "year", "format", "input_kind", "findings",
                  "high", "medium", "low", "info", "errors", "timing_ms")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_dict(report) -> Mapping:
    return report if isinstance(report, Mapping) else report.to_dict()


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _write(columns: Iterable[str], rows: Iterable[Mapping], bom: bool) -> str:
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")  # lets Excel open UTF-8 Chinese text correctly
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buf.getvalue()


def finding_rows(reports) -> Iterable[dict]:
    for report in reports:
        d = _as_dict(report)
        meta = d.get("report", {})
        for f in d.get("findings", ()):
            yield {"source": meta.get("source"), "agency": meta.get("agency"), "year": meta.get("year"),
                   **{k: f.get(k) for k in FINDING_COLUMNS[3:]}}


def report_row(report) -> dict:
    """The per-report summary row of ``reports.csv``."""
    d = _as_dict(report)
    meta = d.get("report", {})
    findings = d.get("findings", ())
    counts = {level: sum(1 for f in findings if f.get("severity") == level)
              for level in ("high", "medium", "low", "info")}
    return {**{k: meta.get(k) for k in ("source", "sha256", "title", "agency", "year", "format", "input_kind")},
            "findings": len(findings), **counts, "errors": len(d.get("errors", ())),
            "timing_ms": d.get("timing_ms")}


def render_findings_csv(reports, *, bom: bool = False, **_) -> str:
    return _write(FINDING_COLUMNS, finding_rows(reports), bom)


def render_reports_csv(rows, *, bom: bool = False) -> str:
    """One row per report. A row is a Report, a contract dict, or a ready summary dict (for
    example a file that failed: ``{"source": …, "status": "error", "error": …}``); the columns
    are ``REPORT_COLUMNS`` followed by any other keys, in order of first appearance."""
    flat = [report_row(r) if not isinstance(r, Mapping) or ("findings" in r and "report" in r) else dict(r)
            for r in rows]
    columns = list(REPORT_COLUMNS)
    for row in flat:
        columns += [k for k in row if k not in columns]
    return _write(columns, flat, bom)
