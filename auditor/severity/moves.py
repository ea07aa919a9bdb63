"""From a model's probabilities over the four severities to a finding's severity and score.

Kept apart from ``model.py`` so that predicting needs neither scikit-learn nor SciPy.
"""
from __future__ import annotations

LEVELS = ("high", "medium", "low", "info")  # the model's classes: severities of the contract


def rate(model, findings: list, features: list[dict]) -> list:
    """The findings with the model's most probable severity and its probability as severity_score."""
    if not findings:
        return []
    out = []
    classes = [str(c) for c in model.classes_]
    for finding, row in zip(findings, model.predict_proba(features)):
        best = max(range(len(classes)), key=lambda i: (row[i], -LEVELS.index(classes[i])))
        out.append(finding.with_(severity=classes[best], severity_score=round(float(row[best]), 4)))
    return out
