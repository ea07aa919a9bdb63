"""The severity guideline: its moves, and its agreement with the real gold files."""
from __future__ import annotations

import json

import pytest

from auditor_lab.generator.guideline import DEFAULTS, LEVELS, rounding_only, severity
from shared_corpus import REAL, SNIPPETS, need


@pytest.mark.parametrize("check,facts,level", [
    ("narrative.table_mismatch", {}, "high"),
    ("narrative.table_mismatch", {"headline": False}, "medium"),
    ("narrative.ratio", {}, "medium"),
    ("narrative.ratio", {"rounding_only": True}, "low"),
    ("meta.period", {}, "low"),
    ("meta.period", {"wrong_year": True}, "high"),
    ("meta.format", {"wholly": True}, "medium"),
    ("meta.format", {}, "low"),
    ("meta.period", {"partial_year": True}, "medium"),
    ("table.missing", {"reading_doubt": True}, "info"),
    ("cross_year.carry_over", {"roll_forward": True}, "low"),
    ("meta.copied", {}, "low"),
    ("meta.copied", {"other_agency": True}, "medium"),
    ("cross_year.delta", {}, "info"),
    ("cross_year.delta", {"with_previous": True}, "medium"),
    ("table.row_sum", {"subtotal_only": True}, "medium"),
    ("table.balance", {"headline": False}, "high"),
])
def test_moves(check, facts, level):
    assert severity(check, **facts) == level


def test_rounding_only():
    assert rounding_only(33.8, 33.85, 1)  # a tie resolved downwards
    assert rounding_only(33.8, 33.86, 1)  # truncation
    assert not rounding_only(1.3, 13 / 1046 * 100, 1)  # s23: 1.24% written 1.3%
    assert not rounding_only(35.0, 33.86, 1)


def _allowed(check: str) -> set[str]:
    """Every level the guideline can give a check (its default and its moves)."""
    keys = ("headline", "rounding_only", "wrong_year", "wholly", "other_agency", "with_previous", "subtotal_only")
    out = {severity(check)}
    for k in keys:
        out |= {severity(check, **{k: True}), severity(check, **{k: False})}
    return out


def test_every_real_gold_level_is_one_the_guideline_allows():
    need(REAL)
    seen = 0
    for path in sorted(REAL.glob("*.gold.json")) + sorted(need(SNIPPETS).glob("*.gold.json")):
        for f in json.loads(path.read_text(encoding="utf-8"))["findings"]:
            assert f["severity"] in _allowed(f["check"]), (path.name, f)
            seen += 1
    assert seen >= 15


def test_real_gold_headline_mismatches_are_high_and_s23_ratio_medium():
    need(REAL)
    seed = json.loads((REAL / "000_02434a0845e90c92.txt.gold.json").read_text(encoding="utf-8"))
    mismatch = next(f for f in seed["findings"] if f["check"] == "narrative.table_mismatch")
    assert mismatch["severity"] == severity("narrative.table_mismatch", headline=True)  # （一）予以公开 总计
    s23 = json.loads((need(SNIPPETS) / "s23.txt.gold.json").read_text(encoding="utf-8"))["findings"][0]
    stated, _ = s23["values"]
    assert s23["severity"] == severity("narrative.ratio", rounding_only=rounding_only(stated, 13 / 1046 * 100, 1))


def test_defaults_cover_every_family_of_the_contract():
    assert set(DEFAULTS.values()) <= set(LEVELS)
    assert {"table.row_sum", "table.column_sum", "table.balance", "table.label", "table.missing",
            "narrative.table_mismatch", "narrative.sum", "narrative.ratio", "narrative.conflict", "meta.period",
            "meta.year", "meta.format", "meta.copied", "cross_year.carry_over", "cross_year.delta"} == set(DEFAULTS)
