"""The render stage: a Report (or its contract dict) -> json, text, csv, html, sarif."""
from __future__ import annotations

FORMATS = ("text", "json", "jsonl", "text-dump", "html", "sarif", "csv")


def render(report, fmt: str, **opts) -> str:
    if fmt == "json":
        from .json import render_json

        return render_json(report, **opts)
    if fmt == "text":
        from .text import render_text

        return render_text(report, **opts)
    if fmt == "text-dump":
        return report.text
    if fmt == "jsonl":  # the same object as json, on one line: appendable, one report a line
        from .json import render_jsonl

        return render_jsonl(report, **opts)
    if fmt == "html":
        from .html import render_html

        return render_html(report, **opts)
    if fmt == "sarif":
        from .sarif import render_sarif

        return render_sarif(report, **opts)
    if fmt == "csv":
        from .csv import render_findings_csv

        return render_findings_csv([report], **opts)
    raise ValueError(fmt)
