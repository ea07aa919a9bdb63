"""Runs every YAML case in tests/checks/cases/<CODE>.yml (sqlfluff-style rule cases).

A case gives a report as ``text`` (verbatim), or as ``narrative`` plus ``rows`` overrides of a
small consistent 2021 report rendered here (PDF-text layout: a row per line). ``expect`` lists
the findings of the file's code: each ``quote`` must be inside one of the finding's text
evidence quotes, and ``stated``/``expected`` must equal when given. ``expect: []`` is a passing
case. ``previous`` (same shape) is last year's report.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auditor.checks import get_rules
from auditor.pipeline import audit_text
from auditor.template import load_template

CASES = Path(__file__).parent / "cases"
BASE_ROWS = {
    "new_received": [5, 1, 0, 0, 0, 0, 6], "granted": [4, 1, 0, 0, 0, 0, 5],
    "unable.not_held": [1, 0, 0, 0, 0, 0, 1], "total_processed": [5, 1, 0, 0, 0, 0, 6],
}
BASE_ACTIVE = {"rules": [0, 0, 0], "normative_docs": [2, 1, 10], "licensing": [120], "penalty": [3],
               "enforcement": [0], "fees": [0]}


def render(case: dict, year: int) -> str:
    if "text" in case:
        return case["text"]
    t = load_template("2021")
    rows = {**BASE_ROWS, **case.get("rows", {})}
    labels = case.get("labels", {})
    out = [case.get("title", f"某某区测试局{year}年政府信息公开工作年度报告"),
           case.get("period", f"本年度报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"),
           "一、总体情况", case.get("narrative", "（一）主动公开。持续深化政务公开。"),
           "二、主动公开政府信息情况", "第二十条第（一）项", "信息内容 本年制发件数 本年废止件数 现行有效件数"]
    active = {**BASE_ACTIVE, **case.get("active", {})}
    for row in t.tables["active"].rows:
        out.append(f"{labels.get(row.key, row.label)} {' '.join(str(v) for v in active[row.key])}")
    out += ["三、收到和处理政府信息公开申请情况", t.tables["applications"].columns and
            "申请人情况 自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他"]
    for row in t.tables["applications"].rows:
        vals = rows.get(row.key, [0] * 7)
        out.append(f"{labels.get(row.key, row.full_label)} {' '.join('—' if v is None else str(v) for v in vals)}")
    out += [case.get("appeals_heading", "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
            "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计",
            " ".join(str(v) for v in case.get("appeals", [0] * 15)),
            "五、政府信息公开工作存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", case.get("closing", "无。")]
    return "\n".join(out) + "\n"


def _load():
    for path in sorted(CASES.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            yield pytest.param(data["code"], case, id=f"{data['code']}-{case['name']}")


@pytest.mark.parametrize("code, case", list(_load()))
def test_case(code, case):
    year = case.get("year", 2023)
    previous = case.get("previous")
    prev_text = render(previous, year - 1) if previous is not None else None
    report = audit_text(render(case, year), filename="case.txt", previous=prev_text, select_rules=[code])
    assert not report.errors, report.errors
    got = [f for f in report.findings if f.code == code]
    expect = case.get("expect") or []
    assert len(got) == len(expect), [f.message for f in got]
    unmatched = list(got)
    for exp in expect:
        hit = next((f for f in unmatched if _matches(f, exp)), None)
        assert hit is not None, f"no finding like {exp}; got {[ (f.message, f.stated, f.expected) for f in unmatched]}"
        unmatched.remove(hit)


def _matches(f, exp) -> bool:
    quotes = [ev.quote for ev in f.evidence if ev.kind == "text"]
    if "quote" in exp and not any(exp["quote"] in q for q in quotes):
        return False
    if "severity" in exp and f.severity != exp["severity"]:
        return False
    return all(exp[k] == getattr(f, k) for k in ("stated", "expected") if k in exp)


def test_every_rule_has_failing_and_passing_cases():
    codes = {}
    for path in CASES.glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert path.stem == data["code"]
        codes[data["code"]] = data["cases"]
    for r in get_rules():
        cases = codes.get(r.code)
        assert cases, f"{r.code} has no YAML cases"
        assert any(c.get("expect") for c in cases), f"{r.code} has no failing case"
        assert any(not c.get("expect") for c in cases), f"{r.code} has no passing case"


def test_registry_conventions():
    from auditor.checks.registry import FAMILY_PREFIX

    rules = get_rules()
    assert len({r.code for r in rules}) == len(rules)
    for r in rules:
        assert r.code[:2] == FAMILY_PREFIX[r.family], r.code
        assert "all" in r.groups and r.family in r.groups
        assert r.default in ("high", "medium", "low", "info")
        assert r.description and not r.description.isascii(), f"{r.code}: description must be Chinese"
