"""The severity stage: findings -> severity (rule defaults now; the learned model plugs in here)."""
from __future__ import annotations

from .rules import assign_severity

__all__ = ["assign_severity"]
