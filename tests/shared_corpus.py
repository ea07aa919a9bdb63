"""Access to ../shared (beside the checkout in CI, absent on a user's machine): skip cleanly."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL = SHARED / "corpora" / "real"
SNIPPETS = SHARED / "corpora" / "snippets"
SEED = REAL / "000_02434a0845e90c92.txt"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not present (../shared is only beside the checkout in CI)")
    return path


def gold(path: Path) -> dict:
    return json.loads(Path(str(path) + ".gold.json").read_text(encoding="utf-8"))


def real_reports() -> list[Path]:
    if not REAL.exists():
        return []
    return sorted(p for p in REAL.iterdir() if p.is_file() and not p.name.endswith(".gold.json"))
