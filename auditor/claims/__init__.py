"""The claims stage: narrative -> quantitative claims with spans, linked to table cells."""
from __future__ import annotations

from .model import Claim, ReportFacts


def extract_claims(text: str, facts: ReportFacts, tables) -> list[Claim]:
    from .extract import extract

    return extract(text, facts, tables)


__all__ = ["Claim", "ReportFacts", "extract_claims"]
