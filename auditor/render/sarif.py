"""SARIF 2.1.0 (OASIS errata 01): one run, rules from the registry, one result per finding.

Regions carry both ``charOffset``/``charLength`` (Python ``str`` indices into the normalized
text, the contract's offsets) and ``startLine``/``startColumn`` computed from that text;
``columnKind`` is ``unicodeCodePoints`` because Python indexes code points, not UTF-16 units.
"""
from __future__ import annotations

import bisect
import json
import re
from pathlib import Path
from urllib.parse import quote

from .baseline import SARIF_FINGERPRINT_KEY, apply_baseline
from ..checks.finding import CellEvidence, TextEvidence

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"high": "error", "medium": "warning", "low": "note", "info": "note"}


class LineIndex:
    """1-based line and column of a character offset."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1


_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def artifact_uri(source: str) -> str:
    """A URI reference that names the file and nothing else: an absolute path becomes a ``file:``
    URI (``C:\\reports\\a.txt`` -> ``file:///C:/reports/a.txt``), anything else a relative
    reference whose colons are escaped, so ``javascript:alert(1).txt`` can never read as a scheme."""
    path = source.replace("\\", "/")
    if _DRIVE.match(source):
        return "file:///" + path[:2] + quote(path[2:], safe="/!$&'()*+,;=-._~@")
    if path.startswith("/"):
        return "file://" + quote(path, safe="/!$&'()*+,;=-._~@")
    return quote(path, safe="/!$&'()*+,;=-._~@")


def _region(lines: LineIndex, start: int, end: int, text: str) -> dict:
    start_line, start_col = lines.position(start)
    end_line, end_col = lines.position(end)
    return {"startLine": start_line, "startColumn": start_col, "endLine": end_line, "endColumn": end_col,
            "charOffset": start, "charLength": end - start, "snippet": {"text": text[start:end]}}


def _location(uri: str, region: dict | None, message: str | None = None, ident: int | None = None) -> dict:
    physical: dict = {"artifactLocation": {"uri": uri, "index": 0}}
    if region is not None:
        physical["region"] = region
    loc: dict = {"physicalLocation": physical}
    if ident is not None:
        loc["id"] = ident
    if message:
        loc["message"] = {"text": message}
    return loc


def _paged(loc: dict, report, start: int, message: str | None, ident: int) -> dict:
    from ..ingest.document import page_at

    page = page_at(report.page_starts, start)
    loc["logicalLocations"] = [{"name": f"第{page}页", "fullyQualifiedName": f"page {page}", "kind": "page"}]
    loc["id"] = ident
    if message:
        loc["message"] = {"text": message}
    return loc


def _spans(finding, text_len: int):
    """(start, end, label) of every evidence span that lies inside the text."""
    for ev in finding.evidence:
        if ev.start is None or not 0 <= ev.start <= ev.end <= text_len:
            continue
        if isinstance(ev, TextEvidence):
            yield ev.start, ev.end, None
        elif isinstance(ev, CellEvidence):
            yield ev.start, ev.end, f"单元格 {ev.table}.{ev.row}.{ev.column} = {ev.value}"


def _result(finding, report, lines: LineIndex, uri: str, rule_index: dict[str, int]) -> dict:
    spans = list(_spans(finding, len(report.text)))
    main = finding.main_span
    primary = next((s for s in spans if (s[0], s[1]) == main), spans[0] if spans else None)
    page = report.page_of(finding)
    region = _region(lines, primary[0], primary[1], report.text) if primary else None
    location = _location(uri, None if page else region)
    if page:  # a PDF: a region of the normalized text is no place in the artifact; the page is
        location["logicalLocations"] = [{"name": f"第{page}页", "fullyQualifiedName": f"page {page}", "kind": "page"}]
    result: dict = {
        "ruleId": finding.code,
        "level": LEVELS.get(finding.severity, "note"),
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {SARIF_FINGERPRINT_KEY: finding.fingerprint()},
        "properties": {
            "findingId": finding.id, "check": finding.check, "severity": finding.severity,
            "severityScore": finding.severity_score, "stated": finding.stated, "expected": finding.expected,
            "cells": [f"{e.table}.{e.row}.{e.column}" for e in finding.evidence if isinstance(e, CellEvidence)],
        },
    }
    if page:
        result["properties"].update(page=page, textRegion=region)
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    related = [_paged(_location(uri, None), report, s, label, i) if page
               else _location(uri, _region(lines, s, e, report.text), label, i)
               for i, (s, e, label) in enumerate(x for x in spans if x is not primary)]
    if related:
        result["relatedLocations"] = related
    if finding.replacement is not None and primary is not None and not page:
        result["fixes"] = [{
            "description": {"text": f"改为“{finding.replacement}”"},
            "artifactChanges": [{"artifactLocation": {"uri": uri, "index": 0}, "replacements": [{
                "deletedRegion": {"charOffset": primary[0], "charLength": primary[1] - primary[0]},
                "insertedContent": {"text": finding.replacement}}]}],
        }]
    return result


def _rules() -> list[dict]:
    from ..checks import get_rules

    return [{
        "id": r.code,
        "name": r.check,
        "shortDescription": {"text": r.description or r.check},
        "defaultConfiguration": {"level": LEVELS.get(r.default, "note")},
        "properties": {"tags": list(r.groups), "defaultSeverity": r.default, "messageTemplate": r.message},
    } for r in get_rules()]


def sarif_log(report, *, baseline: str | Path | None = None) -> dict:
    """The SARIF log as a dict (``render_sarif`` serializes it)."""
    if baseline is not None:
        report = apply_baseline(report, baseline)
    rules = _rules()
    rule_index = {r["id"]: i for i, r in enumerate(rules)}
    lines = LineIndex(report.text)
    uri = artifact_uri(report.source)
    results = [_result(f, report, lines, uri, rule_index) for f in report.findings]
    if baseline is not None:
        for r in results:
            r["baselineState"] = "new"
    notifications = [{"level": "error", "message": {"text": str(e.get("error", ""))},
                      "descriptor": {"id": str(e.get("code", "unknown"))}} for e in report.errors]
    notifications += [{"level": "warning", "message": {"text": w}} for w in report.warnings]
    artifact: dict = {"location": {"uri": uri}, "length": report.size if report.size is not None else -1,
                      "properties": {"title": report.title, "agency": report.agency, "year": report.year,
                                     "format": report.format, "inputKind": report.input_kind}}
    if report.sha256:
        artifact["hashes"] = {"sha-256": report.sha256}
    run = {
        "tool": {"driver": {"name": "auditor", "version": report.tool_version or "0", "rules": rules,
                            "properties": {"severityModel": report.model}}},
        "invocations": [{"executionSuccessful": not report.errors, "toolExecutionNotifications": notifications}],
        "artifacts": [artifact],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(report, *, baseline: str | Path | None = None, **_) -> str:
    return json.dumps(sarif_log(report, baseline=baseline), ensure_ascii=False, indent=2)
