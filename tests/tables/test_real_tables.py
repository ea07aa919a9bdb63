"""The table reader on the real reports of ../shared (skipped when absent)."""
from __future__ import annotations

import pytest
from shared_corpus import SEED, gold, need, real_reports

from auditor.pipeline import audit_path


@pytest.mark.parametrize("path", real_reports() or [SEED], ids=lambda p: p.name)
def test_cells_match_gold(path):
    need(path)
    g = gold(path)
    report = audit_path(path)
    wrong = {k: (v, report.tables.get(k, "absent")) for k, v in g["cells"].items()
             if report.tables.get(k) != v and not (isinstance(v, float) and abs(report.tables.get(k, 1e9) - v) < 1e-6)}
    # a cell that cannot be read uniquely is reported missing (never guessed); only those may differ
    missing = {f["evidence"][0]["quote"] for f in report.to_dict()["findings"] if f["check"] == "table.missing" and f["evidence"]}
    guessed = {k: v for k, v in wrong.items() if v[1] != "absent"}
    assert not guessed, f"cells read wrongly (not merely unreadable): {guessed}"
    if wrong:
        assert missing, f"unreadable cells {sorted(wrong)} without a table.missing finding"


def test_seed_cells_all_read():
    need(SEED)
    g = gold(SEED)
    report = audit_path(SEED)
    assert {k: report.tables.get(k) for k in g["cells"]} == g["cells"]


def test_seed_has_no_sum_or_balance_finding():
    need(SEED)
    checks = {f.check for f in audit_path(SEED).findings}
    assert not checks & {"table.row_sum", "table.column_sum", "table.balance"}


def test_seed_label_and_period_findings_quote_exactly():
    need(SEED)
    report = audit_path(SEED)
    labels = [f for f in report.findings if f.check == "table.label"]
    assert len(labels) == 2
    assert {f.replacement for f in labels} == {
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"}
    assert all("预期" in f.evidence[0].quote for f in labels)
    period = [f for f in report.findings if f.check == "meta.period"]
    assert len(period) == 1 and period[0].evidence[0].quote == "202311日"
    for f in report.findings:
        for ev in f.evidence:
            if ev.kind == "text":
                assert report.text[ev.start:ev.end] == ev.quote
