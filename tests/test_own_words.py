"""The repository holds no run of a real report's wording (../shared/tools/copied.py, when present)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COPIED = REPO.parent / "shared" / "tools" / "copied.py"


@pytest.mark.skipif(not COPIED.exists(), reason="../shared/tools/copied.py is only beside the checkout in CI")
def test_no_line_copies_a_real_report():
    out = subprocess.run([sys.executable, str(COPIED), str(REPO)], capture_output=True, text=True, timeout=300)
    assert out.stdout.strip().endswith("0 line(s) hold 16+ consecutive Han characters copied from a real report"), out.stdout[-2000:]
