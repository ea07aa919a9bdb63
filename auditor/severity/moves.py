"""From a model's probabilities over moves (down, keep, up) to a finding's severity.

Kept apart from ``model.py`` so that predicting needs neither scikit-learn nor SciPy.
"""
from __future__ import annotations

from ..checks.finding import SEVERITY_RANK

MOVES = {"down": -1, "keep": 0, "up": 1}  # the model's classes: a move from the rule's severity
RANK_SEVERITY = {rank: level for level, rank in SEVERITY_RANK.items()}


def move_label(rule_severity: str, gold_severity: str) -> str:
    """The training label: how far the gold severity lies from the rule's, clipped to one level."""
    step = SEVERITY_RANK[gold_severity] - SEVERITY_RANK[rule_severity]
    return "up" if step > 0 else "down" if step < 0 else "keep"


def constrained(proba_row, classes, rule_severity: str) -> tuple[str, float]:
    """The severity of the most probable move that stays on the scale, and its probability.

    The model predicts a move (down, keep, up), never a level, so it can move a finding one level
    at most, and where it saw no evidence for a move it keeps the rule's severity. Ties keep.
    Nothing moves into or out of ``info``.
    """
    base = SEVERITY_RANK[rule_severity]
    best, best_p = rule_severity, -1.0
    for move, p in zip(classes, proba_row):
        rank = base + MOVES[str(move)]
        if rule_severity == "info" or RANK_SEVERITY.get(rank) == "info":
            # info means "not provable": a rule's judgement of its evidence, not the model's to change
            if move != "keep":
                continue
        if rank in RANK_SEVERITY and (p > best_p or (p == best_p and move == "keep")):
            best, best_p = RANK_SEVERITY[rank], float(p)
    return best, max(best_p, 0.0)


def rate(model, findings: list, features: list[dict]) -> list:
    """The findings with the model's severity (within one level of the rule's) and severity_score."""
    if not findings:
        return []
    out = []
    for finding, row in zip(findings, model.predict_proba(features)):
        severity, p = constrained(row, model.classes_, finding.severity)
        out.append(finding.with_(severity=severity, severity_score=round(p, 4)))
    return out
