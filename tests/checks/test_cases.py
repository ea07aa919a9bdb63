"""Runs every YAML case in tests/checks/cases/<CODE>.yml (sqlfluff-style rule cases).

A case gives a report as ``text`` (verbatim), or as ``narrative`` plus ``rows`` overrides of a
small consistent 2021 report rendered here (PDF-text layout: a row per line). ``expect`` lists
the findings of the file's code: each ``quote`` must be inside one of the finding's text
evidence quotes, ``message`` must be inside its message, and ``stated``/``expected`` must equal
when given. ``expect: []`` is a passing
case. ``previous`` (same shape) is last year's report. ``copies`` (meta.copied) are the batch's
matches for this report, each located by its ``quote`` in the rendered text.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auditor.checks import get_rules
from auditor.config import defaults
from auditor.pipeline import audit_text
from casekit import render
from reportkit import copies_in

CASES = Path(__file__).parent / "cases"
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
    config = defaults()
    for section, values in (case.get("config") or {}).items():
        config[section].update(values)
    text = render(case, year)
    if case.get("copies"):  # meta.copied: the batch's matches for this report
        config["copies"] = copies_in(text, case["copies"])
    report = audit_text(text, filename="case.txt", previous=prev_text, select_rules=[code], config=config)
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
    if "message" in exp and exp["message"] not in f.message:
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
