"""Generate docs/checks.md from the rule registry and docs/errors.md from the error catalog
(the docs are built from the rules and the table, never by hand)."""
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


ERRORS_HEADER = """# Errors

Generated from the catalog in `auditor/errors.py` by `python -m auditor.docs` — do not edit by hand.
Codes are stable and never reused. `auditor audit` prints `错误：<file>：[code] message` and exits with
the status below; `auditor batch` records a file's error as a row of `reports.csv` and goes on; the
HTTP service answers `{"error": {"code", "message"}}` with the HTTP status below. Messages are
templates: `{field}` is filled at the raise site.

| code | kind | exception | exit | HTTP | summary |
|---|---|---|---|---|---|
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def errors_markdown() -> str:
    from .errors import CATALOG, KINDS, RAISED_BY

    entries = sorted(CATALOG.values(), key=lambda c: c.code)
    out = [ERRORS_HEADER]
    for c in entries:
        cls = c.cls.__name__ if c.cls else ("ApiError" if c.http else "Failure（batch）")
        out.append(f"| {c.code} | {c.kind} | {cls} | {c.exit if c.exit is not None else '—'} | "
                   f"{c.http if c.http is not None else '—'} | {c.summary} |\n")
    out.append("\nKinds: " + "; ".join(f"`{k}` {v}" for k, v in KINDS.items()) + ".\n")
    for c in entries:
        out.append(f"\n## {c.code} — {c.summary}\n\n")
        if c.raised_by != "auditor":
            out.append(f"*{RAISED_BY[c.raised_by]}*\n\n")
        if c.messages:
            out.append("| message | template |\n|---|---|\n")
        out += [f"| `{name}` | {_cell(template)} |\n" for name, template in c.messages.items()]
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    target = Path(argv[0] if argv else "docs/checks.md")
    target.write_text(checks_markdown(), encoding="utf-8")
    print(f"wrote {target}")
    errors = target.with_name("errors.md")
    errors.write_text(errors_markdown(), encoding="utf-8")
    print(f"wrote {errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
