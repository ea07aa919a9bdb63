"""Synthetic annual reports in the statutory format, with gold findings.

Deterministic: the same seed and options give the same bytes. Used for tests, for training
the severity model and for evaluation (corpora/README.md says how).

    text, gold = generate_report(7, layout="rows", errors=2)
    paths = generate_corpus("corpora/generated", n=200, seed=1, formats=("txt", "html", "docx"))
"""
from __future__ import annotations

from .corpus import generate_corpus, generate_report
from .formats import render_docx, render_html
from .report import SynthReport, build_report

__all__ = ["generate_report", "generate_corpus", "render_html", "render_docx", "build_report", "SynthReport"]
