"""The claims stage: narrative -> quantitative claims with spans, linked to table cells."""
from __future__ import annotations

from .model import Claim, ReportFacts


def extract_claims(text: str, facts: ReportFacts, tables) -> list[Claim]:
    from .extract import extract

    return extract(text, facts, tables)


def claims_to_dicts(ctx) -> list[dict]:
    from .extract import to_dicts

    return to_dicts(ctx)


def coverage(ctx) -> dict:
    from .extract import coverage as cov

    return cov(ctx)


__all__ = ["Claim", "ReportFacts", "extract_claims", "claims_to_dicts", "coverage"]
