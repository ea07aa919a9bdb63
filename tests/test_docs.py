"""docs/checks.md is generated from the registry and must be current."""
from pathlib import Path

from auditor.docs import checks_markdown


def test_checks_doc_is_current():
    doc = Path(__file__).resolve().parents[1] / "docs" / "checks.md"
    assert doc.read_text(encoding="utf-8") == checks_markdown(), "run: python -m auditor.docs"
