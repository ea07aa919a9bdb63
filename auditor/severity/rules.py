"""Severity assignment: the rule's own severity, moved at most one level by the learned model.

The findings contract allows the model to move a finding one level from its rule's severity
(a rounding-only difference, a headline figure versus a sub-item). Without a usable model file
the rule severities stand and a Chinese warning says so.
"""
from __future__ import annotations


# Checks whose guideline move depends on learned evidence (size and kind of the discrepancy, which
# cell). Others carry their severity from their own evidence (wrong year, wholly 2019, roll-forward,
# another agency's text): the model does not second-guess those, so a family it never saw in
# training cannot drift (models/severity-guideline.md).
MODEL_MOVES = frozenset({"table.row_sum", "table.column_sum", "table.balance", "narrative.table_mismatch",
                         "narrative.sum", "narrative.ratio", "narrative.conflict"})


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
    from .moves import rate

    try:
        movable = [f for f in findings if f.check in MODEL_MOVES]
        rated = iter(rate(loaded.model, movable, features_for(movable, ctx)))
        return [next(rated) if f.check in MODEL_MOVES else f for f in findings], MODEL_NAME, []
    except Exception as exc:  # noqa: BLE001 - a model that cannot predict must not sink the audit
        return findings, None, [f"严重程度模型预测出错（{type(exc).__name__}），严重程度按规则默认值给出"]
