"""Messages speak the report's language (contract 1.1): statutory Chinese labels, never canonical keys."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.pipeline import audit_path, audit_text
from casekit import render

SAMPLE = Path(__file__).resolve().parents[2] / "corpora" / "sample"
_KEY = re.compile(r"[A-Za-z_]{3,}")  # other, applications.other.other, natural_person…


@pytest.mark.parametrize("path", sorted(p for p in SAMPLE.glob("*") if not p.name.endswith(".gold.json")),
                         ids=lambda p: p.name)
def test_no_canonical_key_in_any_message_of_the_sample(path):
    for f in audit_path(path).findings:
        assert not _KEY.search(f.message), (f.code, f.message)


def test_the_other_rows_and_columns_are_named_by_their_labels():
    rows = {"other.other": [1, 0, 0, 0, 0, 0, 2], "total_processed": [6, 1, 0, 0, 0, 0, 7]}
    messages = [f.message for f in audit_text(render({"rows": rows}, 2023)).findings]
    assert messages and not any(_KEY.search(m) for m in messages), messages
    assert any("其他" in m for m in messages)
