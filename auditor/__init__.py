"""auditor: a consistency auditor for 政府信息公开工作年度报告.

Public API: ``audit_path``, ``audit_text``, ``audit_bytes`` (each returns a ``Report`` whose
``to_dict()`` is the findings contract). Imports are lazy: ``import auditor`` is cheap.
"""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["audit_path", "audit_text", "audit_bytes", "__version__"]


def __getattr__(name: str):
    if name in ("audit_path", "audit_text", "audit_bytes", "audit_document"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
