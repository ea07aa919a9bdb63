"""The findings contract as JSON (one object per report)."""
from __future__ import annotations

import json


def render_json(report, *, include_text: bool = False, timing: bool = True, **_) -> str:
    return json.dumps(report.to_dict(include_text=include_text, timing=timing), ensure_ascii=False, indent=2)


def render_jsonl(report, *, include_text: bool = False, timing: bool = True, **_) -> str:
    return json.dumps(report.to_dict(include_text=include_text, timing=timing), ensure_ascii=False,
                      separators=(",", ":")) + "\n"
