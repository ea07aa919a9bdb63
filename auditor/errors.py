"""Typed, coded exceptions (spaCy-style): every message is Chinese, every code stable."""
from __future__ import annotations


class AuditorError(Exception):
    """Base class. ``code`` is stable; ``message`` is shown to inspectors."""

    code = "E000"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class InputError(AuditorError):
    """The input file cannot be read as a report (empty, binary, malformed, too large)."""

    code = "E100"


class ConfigError(AuditorError):
    code = "E200"


class ModelError(AuditorError):
    code = "E300"
