"""Rule-default severities (findings-contract.md), used until and whenever the model is absent."""
from __future__ import annotations


def assign_severity(findings, ctx):
    """Keep each rule's own severity; return (findings, model name, warnings)."""
    return list(findings), None, []
