"""Severity assignment: the guideline's severity as the baseline, the learned model's where it has
earned it.

Rules emit findings at their family default with the facts the decision needs. Here every finding
first gets the hand-written guideline's severity (``guideline.py``); then, for the families where the
model beat the guideline on the grouped cross-validation of real reports (recorded beside the
model, ``severity-v2.json``), the model's predicted class among high/medium/low/info, with its
calibrated probability as ``severity_score``. A finding the model judges unlikely to be a report
error goes to ``info`` ("worth a look"), never away. Without a usable model file the guideline
stands and a Chinese warning says so.
"""
from __future__ import annotations

from .guideline import guideline_severity


def assign_severity(findings, ctx):
    """Return (findings with severity and severity_score, model name or None, warnings)."""
    findings = [f.with_(severity=guideline_severity(f)) for f in findings]
    if not findings:
        return findings, None, []
    from .store import MODEL_NAME, get_model

    loaded = get_model()
    if loaded.model is None:
        return findings, None, [loaded.warning]
    from .features import features_for
    from .moves import rate

    try:
        families = set(loaded.families)
        def moves(f) -> bool:  # an OCR doubt is the reader's: no model trained on text layers overrules it
            return f.check.split(".", 1)[0] in families and not f.facts.get("ocr_doubt")

        movable = [f for f in findings if moves(f)]
        rated = iter(rate(loaded.model, movable, features_for(movable, ctx)))
        return [next(rated) if moves(f) else f for f in findings], MODEL_NAME, []
    except Exception as exc:  # noqa: BLE001 - a model that cannot predict must not sink the audit
        return findings, None, [f"严重程度模型预测出错（{type(exc).__name__}），严重程度按指南给出"]
