"""Run the selected rules, isolating each: a crashing rule is an error entry, not a crash."""
from __future__ import annotations

from .. import deadline
from ..deadline import DeadlineExceeded
from .context import CheckContext
from .finding import Finding
from .registry import Rule


def run_checks(ctx: CheckContext, rules: list[Rule]) -> tuple[list[Finding], list[dict]]:
    findings: list[Finding] = []
    errors: list[dict] = []
    for r in rules:
        deadline.check()
        try:
            findings.extend(r.func(ctx))
        except (KeyboardInterrupt, DeadlineExceeded):
            raise
        except Exception as exc:  # noqa: BLE001 - isolate the rule, keep the others running
            errors.append({"code": r.code, "error": f"检查规则 {r.code} 运行出错：{type(exc).__name__}: {exc}"})
    return findings, errors
