"""corpora/sample is exactly what corpora/README.md's commands write (regenerate it when the generator changes)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor_lab.generator import generate_corpus

SAMPLE = Path(__file__).resolve().parents[3] / "corpora" / "sample"


def test_sample_is_reproducible(tmp_path):
    if not SAMPLE.exists():
        pytest.skip("corpora/sample is not present")
    generate_corpus(tmp_path, 24, 12, formats=("txt", "txt", "html", "docx"))
    generate_corpus(tmp_path, 6, 1, pairs=True)
    names = sorted(p.name for p in SAMPLE.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    stale = [n for n in names if (SAMPLE / n).read_bytes() != (tmp_path / n).read_bytes()]
    assert not stale, f"corpora/sample is stale ({stale[:3]}…): rerun the commands in corpora/README.md"


def test_sample_covers_every_family_and_level():
    if not SAMPLE.exists():
        pytest.skip("corpora/sample is not present")
    seen = {(f["check"], f["severity"]) for p in SAMPLE.glob("*.gold.json")
            for f in json.loads(p.read_text(encoding="utf-8"))["findings"]}
    checks = {c for c, _ in seen}
    assert checks >= {"table.row_sum", "table.column_sum", "table.balance", "table.label", "table.missing",
                      "narrative.table_mismatch", "narrative.sum", "narrative.ratio", "narrative.conflict",
                      "meta.period", "meta.year", "meta.format", "cross_year.carry_over", "cross_year.delta"}
    assert {("meta.period", "low"), ("meta.period", "high"), ("narrative.table_mismatch", "medium"),
            ("narrative.ratio", "low"), ("meta.format", "medium")} <= seen
