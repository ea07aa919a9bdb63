"""Severity assignment: the rule's own severity, moved at most one level by the learned model.

The findings contract allows the model to move a finding one level from its rule's severity
(a rounding-only difference, a headline figure versus a sub-item). Without a usable model file
the rule severities stand and a Chinese warning says so.
"""
from __future__ import annotations


def assign_severity(findings, ctx):
    """Return (findings with severity and severity_score, model name or None, warnings)."""
    findings = list(findings)
    if not findings:
        return findings, None, []
    from .store import MODEL_NAME, get_model

    loaded = get_model()
    if loaded.model is None:
        return findings, None, [loaded.warning]
    from .features import features_for
    from .model import rate

    try:
        return rate(loaded.model, findings, features_for(findings, ctx)), MODEL_NAME, []
    except Exception as exc:  # noqa: BLE001 - a model that cannot predict must not sink the audit
        return findings, None, [f"严重程度模型预测出错（{type(exc).__name__}），严重程度按规则默认值给出"]
