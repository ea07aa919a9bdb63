"""Rules decide what is wrong; severity/ decides how much it matters (issue 15)."""
from __future__ import annotations

import ast
from pathlib import Path

from auditor.checks import get_rules
from auditor.severity.guideline import DEFAULTS

CHECKS = Path(__file__).resolve().parents[2] / "auditor" / "checks"


def test_no_rule_module_sets_a_severity():
    offenders = []
    for path in sorted(CHECKS.glob("*.py")):
        if path.name in ("context.py", "finding.py", "registry.py"):
            continue  # the finding's data type and its constructor, not rules
        tree = ast.parse(path.read_text(encoding="utf-8"))
        keys = {id(k) for n in ast.walk(tree) if isinstance(n, ast.Dict) for k in n.keys if k is not None}
        for node in ast.walk(tree):
            if id(node) in keys:
                continue  # {"low": …, "high": …}: an interval's bounds, not a severity
            if isinstance(node, ast.keyword) and node.arg in ("severity", "default"):
                offenders.append(f"{path.name}:{node.value.lineno}")
            if isinstance(node, ast.Constant) and node.value in ("high", "medium", "low", "info"):
                offenders.append(f"{path.name}:{node.lineno} {node.value!r}")
    assert not offenders, offenders


def test_every_rule_starts_at_its_family_default_from_one_table():
    for r in get_rules():
        assert r.default == DEFAULTS[r.check], r.code
