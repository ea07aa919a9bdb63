#!/usr/bin/env python3
"""Check a hand-written gold file against its report: shape, exact quotes, canonical cell keys,
and every statutory relation over the cells it gives (so a labeler sees each sum at once).

usage: python eval/gold/validate.py GOLD.json [REPORT]   (REPORT defaults to
       ../shared/corpora/wild/<report> or ../shared/corpora/real/<report>)
Exit 1 when the file is malformed or a quote is not an exact substring of the report.
"""
from __future__ import annotations

import json
import pathlib
import sys

COLS = ["natural_person", "commercial", "research", "social", "legal", "other_org", "total"]
RESULT_ROWS = (["granted", "partially_granted"]
               + [f"denied.{k}" for k in ("state_secret", "prohibited_by_law", "security_stability", "third_party",
                                          "internal_affairs", "process_info", "enforcement_file", "inquiry")]
               + [f"unable.{k}" for k in ("not_held", "needs_creation", "unclear")]
               + [f"not_processed.{k}" for k in ("complaint", "duplicate", "publication", "excessive", "confirmation")])
OTHER_2021 = ["other.overdue_correction", "other.overdue_fee", "other.other"]
OTHER_2019 = ["other.total"]
ROWS = ["new_received", "carried_over", *RESULT_ROWS, *OTHER_2021, *OTHER_2019, "total_processed", "carried_forward"]
APPEAL_ROWS = ["review", "litigation_direct", "litigation_after_review"]
APPEAL_COLS = ["upheld", "corrected", "other", "pending", "total"]
ACTIVE = {"active.rules.issued", "active.rules.repealed", "active.rules.in_force",
          "active.normative_docs.issued", "active.normative_docs.repealed", "active.normative_docs.in_force",
          "active.licensing.decisions", "active.penalty.decisions", "active.enforcement.decisions",
          "active.fees.amount"}
KEYS = ({f"applications.{r}.{c}" for r in ROWS for c in COLS}
        | {f"appeals.{r}.{c}" for r in APPEAL_ROWS for c in APPEAL_COLS} | ACTIVE)
CHECKS = {"table.row_sum", "table.column_sum", "table.balance", "table.label", "table.missing",
          "narrative.table_mismatch", "narrative.sum", "narrative.ratio", "narrative.conflict",
          "meta.period", "meta.year", "meta.format", "meta.copied", "cross_year.carry_over", "cross_year.delta"}
SEVERITIES = {"high", "medium", "low", "info"}


def relations(cells: dict, fmt: str) -> list[str]:
    """Each statutory relation the given cells allow to compute, with its verdict."""
    out = []
    get = lambda k: cells.get(k)
    other = OTHER_2019 if fmt == "2019" else OTHER_2021
    for r in ROWS:
        parts = [get(f"applications.{r}.{c}") for c in COLS[:-1]]
        tot = get(f"applications.{r}.total")
        if tot is not None and all(p is not None for p in parts):
            ok = sum(parts) == tot
            out.append(f"{'ok ' if ok else 'BAD'} row {r}: {'+'.join(map(str, parts))}={sum(parts)} vs total {tot}")
    for c in COLS:
        parts = [get(f"applications.{r}.{c}") for r in RESULT_ROWS + other]
        tot = get(f"applications.total_processed.{c}")
        if tot is not None and all(p is not None for p in parts):
            ok = sum(parts) == tot
            out.append(f"{'ok ' if ok else 'BAD'} column {c}: results sum {sum(parts)} vs （七） {tot}")
        a, b, t7, f = (get(f"applications.{r}.{c}") for r in ("new_received", "carried_over", "total_processed", "carried_forward"))
        if None not in (a, b, t7, f):
            ok = a + b == t7 + f
            out.append(f"{'ok ' if ok else 'BAD'} balance {c}: {a}+{b}={a + b} vs {t7}+{f}={t7 + f}")
    for r in APPEAL_ROWS:
        parts = [get(f"appeals.{r}.{c}") for c in APPEAL_COLS[:-1]]
        tot = get(f"appeals.{r}.total")
        if tot is not None and all(p is not None for p in parts):
            ok = sum(parts) == tot
            out.append(f"{'ok ' if ok else 'BAD'} appeals {r}: {'+'.join(map(str, parts))}={sum(parts)} vs total {tot}")
    return out


def report_for(gold_path: pathlib.Path, name: str) -> pathlib.Path | None:
    here = pathlib.Path(__file__).resolve().parents[2]
    for d in (gold_path.parent, here.parent / "shared/corpora/wild", here.parent / "shared/corpora/real"):
        if (d / name).is_file():
            return d / name
    return None


def validate(gold_path: pathlib.Path, report: pathlib.Path | None = None) -> int:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    problems = []
    for key in ("report", "agency", "year", "format", "cells", "findings", "may_flag", "consistent"):
        if key not in gold:
            problems.append(f"missing key {key!r}")
    report = report or report_for(gold_path, gold.get("report", ""))
    text = report.read_text(encoding="utf-8") if report else None
    if text is None:
        problems.append("report file not found: quotes unchecked")
    if gold.get("format") not in ("2019", "2021"):
        problems.append("format must be \"2019\" or \"2021\"")
    for k, v in (gold.get("cells") or {}).items():
        if k not in KEYS:
            problems.append(f"unknown cell key {k}")
        if v is not None and not isinstance(v, (int, float)):
            problems.append(f"cell {k} is not a number or null: {v!r}")
    for where in ("findings", "may_flag"):
        for i, f in enumerate(gold.get(where) or []):
            if f.get("check") != "*" and f.get("check") not in CHECKS:
                problems.append(f"{where}[{i}] unknown check {f.get('check')!r}")
            if where == "findings" and f.get("severity") not in SEVERITIES:
                problems.append(f"findings[{i}] severity {f.get('severity')!r}")
            if where == "findings" and not f.get("why"):
                problems.append(f"findings[{i}] has no why")
            if where == "findings" and not f.get("quotes"):
                problems.append(f"findings[{i}] has no quotes")
            for q in f.get("quotes") or []:
                if text is not None and q not in text:
                    problems.append(f"{where}[{i}] quote not in report: {q!r}")
                if not 2 <= len(q) <= 20:
                    problems.append(f"{where}[{i}] quote length {len(q)} (keep 3-15): {q!r}")
    for line in relations(gold.get("cells") or {}, gold.get("format", "2021")):
        print("  " + line)
    for p in problems:
        print("PROBLEM: " + p)
    print(f"{gold_path.name}: {len(gold.get('cells') or {})} cells, {len(gold.get('findings') or [])} findings, "
          f"{len(gold.get('may_flag') or [])} may_flag, {len(gold.get('consistent') or [])} consistent, "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(validate(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else None))
