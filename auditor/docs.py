"""Generate docs/checks.md from the rule registry (the docs are built from the rules, never by hand)."""
from __future__ import annotations

import inspect
import sys
from pathlib import Path

from .checks import get_rules
from .config import declarations

HEADER = """# Checks

Generated from the rule registry by `python -m auditor.docs` — do not edit by hand.
Codes are stable and never reused; `--select`/`--ignore` take a code, a name, a group or a glob.

| code | check | default severity | description |
|---|---|---|---|
"""


def checks_markdown() -> str:
    rules = get_rules()
    out = [HEADER]
    out += [f"| {r.code} | `{r.check}` | {r.default} | {r.description} |\n" for r in rules]
    for r in rules:
        doc = inspect.cleandoc(r.func.__doc__ or "")
        body = "\n".join(doc.splitlines()[1:]).strip()
        out.append(f"\n## {r.code} `{r.check}` — {r.func.__name__}\n\n{r.description}\n\n")
        if body:
            out.append(body + "\n\n")
        out.append(f"Message template: `{r.message}`\n")
        for key in r.options:
            decl = declarations()[r.check][key]
            out.append(f"\nOption `{r.check}.{key}` (default `{decl['default']}`): {decl.get('help', '')}\n")
        if r.aliases:
            out.append(f"\nAlso answers to: {', '.join(f'`{a}`' for a in r.aliases)}\n")
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    target = Path(argv[0] if argv else "docs/checks.md")
    target.write_text(checks_markdown(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
