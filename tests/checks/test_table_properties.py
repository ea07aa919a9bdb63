"""Property tests (hypothesis): a consistent table set passes; changing any one cell of 表三 or
表四 yields a finding whose evidence names that cell."""
from __future__ import annotations

from casekit import render
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.pipeline import audit_text
from auditor.template import load_template

T = load_template("2021")
APP = T.tables["applications"]
RESULT_ROWS = [r.key for r in APP.rows if r.key not in ("new_received", "carried_over", "total_processed", "carried_forward")]
TABLE_RULES = ["table.*"]
small = st.integers(min_value=0, max_value=30)


@st.composite
def consistent_tables(draw):
    cols6 = lambda: [draw(small) for _ in range(6)]  # noqa: E731
    rows = {}
    processed = [0] * 6
    for key in RESULT_ROWS:
        vals = cols6() if draw(st.booleans()) else [0] * 6
        rows[key] = vals
        processed = [a + b for a, b in zip(processed, vals)]
    forward = [draw(st.integers(0, 5)) for _ in range(6)]
    carried = [draw(st.integers(0, p + f)) for p, f in zip(processed, forward)]
    new = [p + f - c for p, f, c in zip(processed, forward, carried)]
    rows.update(total_processed=processed, carried_forward=forward, carried_over=carried, new_received=new)
    rows = {k: v + [sum(v)] for k, v in rows.items()}
    appeals = []
    for _ in range(3):
        parts = [draw(st.integers(0, 20)) for _ in range(4)]
        appeals += parts + [sum(parts)]
    return rows, appeals


def table_findings(rows, appeals):
    report = audit_text(render({"rows": rows, "appeals": appeals}, 2023), select_rules=TABLE_RULES)
    return report.findings


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_tables())
def test_consistent_tables_yield_no_table_finding(tables):
    rows, appeals = tables
    assert table_findings(rows, appeals) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_tables(), st.data())
def test_any_single_changed_cell_is_named_in_evidence(tables, data):
    rows, appeals = tables
    columns = [c.key for c in APP.columns]
    if data.draw(st.booleans(), label="in 表四"):
        i = data.draw(st.integers(0, 14), label="appeals cell")
        appeals = list(appeals)
        appeals[i] += data.draw(st.integers(1, 9), label="delta")
        group = ("review", "litigation_direct", "litigation_after_review")[i // 5]
        col = ("upheld", "corrected", "other", "pending", "total")[i % 5]
        named = ("appeals", group, col)
    else:
        row = data.draw(st.sampled_from(sorted(rows)), label="row")
        ci = data.draw(st.integers(0, 6), label="column")
        rows = {k: list(v) for k, v in rows.items()}
        rows[row][ci] += data.draw(st.integers(1, 9), label="delta")
        named = ("applications", row, columns[ci])
    findings = table_findings(rows, appeals)
    assert findings, "a changed cell went unnoticed"
    cells = {(e.table, e.row, e.column) for f in findings for e in f.evidence if e.kind == "cell"}
    assert named in cells, f"{named} not named; findings: {[f.message for f in findings]}"
