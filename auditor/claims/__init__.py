"""The claims stage: narrative -> quantitative claims with spans, linked to table cells."""
from __future__ import annotations

from .model import Claim, ReportFacts


def extract_claims(text: str, facts: ReportFacts, tables) -> list[Claim]:
    from .extract import extract

    return extract(text, facts, tables)


def read_relations(text: str, claims, table_spans=()):
    from .relations import read_relations as read

    return read(text, claims, table_spans)


__all__ = ["Claim", "ReportFacts", "extract_claims", "read_relations"]
