"""The checks stage: claims + tables -> findings, one registered rule per check."""
from __future__ import annotations

from .context import CheckContext
from .finding import CellEvidence, Finding, TextEvidence
from .registry import Rule, get_rules, select
from .runner import run_checks

__all__ = ["CheckContext", "CellEvidence", "Finding", "TextEvidence", "Rule", "get_rules", "select", "run_checks"]
