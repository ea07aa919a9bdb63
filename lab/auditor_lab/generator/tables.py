"""Consistent random statutory tables, and the template's relations evaluated over them.

Cells are a flat ``{"applications.granted.total": 5, ...}`` dict under the canonical keys of
findings-contract.md; every relation of format-2021.md holds in what ``make_cells`` returns.
"""
from __future__ import annotations

import fnmatch
import math
import random
from dataclasses import dataclass

from auditor.template import Relation, Template

Number = int | float
Cells = dict[str, Number | None]

APPLICANTS = ("natural_person", "commercial", "research", "social", "legal", "other_org")
ORGS = APPLICANTS[1:]
APPEAL_PARTS = ("upheld", "corrected", "other", "pending")

# How often each outcome row is used and how heavily (real reports: 予以公开 and 不掌握 dominate).
_OUTCOME_WEIGHT = {
    "granted": 34, "partially_granted": 9,
    "denied.state_secret": 0.3, "denied.prohibited_by_law": 1, "denied.security_stability": 0.4,
    "denied.third_party": 1.2, "denied.internal_affairs": 1.5, "denied.process_info": 1.5,
    "denied.enforcement_file": 1.2, "denied.inquiry": 2,
    "unable.not_held": 24, "unable.needs_creation": 2, "unable.unclear": 1,
    "not_processed.complaint": 2, "not_processed.duplicate": 2, "not_processed.publication": 0.3,
    "not_processed.excessive": 0.6, "not_processed.confirmation": 0.4,
    "other.overdue_correction": 4, "other.overdue_fee": 0.4, "other.other": 5, "other.total": 9,
}
_APPLICANT_WEIGHT = {"natural_person": 90, "commercial": 5, "research": 0.3, "social": 0.7, "legal": 3, "other_org": 1}


@dataclass(frozen=True)
class Profile:
    """The size of an agency: how many applications, appeals and decisions it has."""

    name: str
    applications: tuple[int, int]
    decisions: tuple[int, int]
    government: bool = False


PROFILES = {
    "none": Profile("none", (0, 0), (0, 50)),
    "tiny": Profile("tiny", (1, 9), (0, 800)),
    "small": Profile("small", (10, 60), (0, 8000)),
    "medium": Profile("medium", (60, 600), (100, 90000), government=True),
    "large": Profile("large", (600, 6000), (10000, 4000000), government=True),
}


def _split(total: int, weights: dict[str, float], rng: random.Random) -> dict[str, int]:
    """Distribute ``total`` over the keys of ``weights`` (multinomial-like, deterministic in rng)."""
    keys = list(weights)
    out = dict.fromkeys(keys, 0)
    if total <= 0:
        return out
    if total <= 300:
        for k in rng.choices(keys, weights=[weights[k] for k in keys], k=total):
            out[k] += 1
        return out
    w = {k: weights[k] * rng.uniform(0.6, 1.4) for k in keys}
    s = sum(w.values())
    for k in keys:
        out[k] = int(total * w[k] / s)
    rest = total - sum(out.values())
    for k in rng.choices(keys, weights=[w[k] for k in keys], k=rest):
        out[k] += 1
    return out


def _outcome_rows(template: Template) -> list[str]:
    spec = template.tables["applications"]
    rel = next(r for r in template.relations if r.table == "applications" and r.kind == "column_total")
    return spec.match_rows(rel.parts)


def make_applications(rng: random.Random, template: Template, received: int,
                      carried_over: dict[str, int] | None = None) -> Cells:
    """Table 三 with every row, column and balance relation holding."""
    rows = _outcome_rows(template)
    active = [r for r in rows if rng.random() < (0.9 if _OUTCOME_WEIGHT[r] >= 5 else 0.45)] or ["granted"]
    weights = {r: _OUTCOME_WEIGHT[r] * rng.uniform(0.3, 1.7) for r in active}
    app_w = {c: _APPLICANT_WEIGHT[c] * (rng.uniform(0.2, 2.5) if c != "natural_person" else 1) for c in APPLICANTS}
    if received < 40:
        app_w = {c: w for c, w in app_w.items() if c == "natural_person" or rng.random() < 0.35}
    new = {**dict.fromkeys(APPLICANTS, 0), **_split(received, app_w, rng)}
    if carried_over is None:
        carried_over = {c: (rng.randint(0, max(1, new[c] // 25)) if new[c] and rng.random() < 0.3 else 0) for c in APPLICANTS}
    cells: Cells = {}
    for c in APPLICANTS:
        available = new[c] + carried_over[c]
        forward = rng.randint(0, max(1, available // 20)) if available and rng.random() < 0.3 else 0
        forward = min(forward, available)
        outcome = _split(available - forward, weights, rng)
        cells[f"applications.new_received.{c}"] = new[c]
        cells[f"applications.carried_over.{c}"] = carried_over[c]
        for r in rows:
            cells[f"applications.{r}.{c}"] = outcome.get(r, 0)
        cells[f"applications.total_processed.{c}"] = available - forward
        cells[f"applications.carried_forward.{c}"] = forward
    spec = template.tables["applications"]
    ordered: Cells = {}
    for row in spec.rows:
        for c in APPLICANTS:
            ordered[f"applications.{row.key}.{c}"] = cells[f"applications.{row.key}.{c}"]
        ordered[f"applications.{row.key}.total"] = sum(cells[f"applications.{row.key}.{c}"] for c in APPLICANTS)
    return ordered


def make_appeals(rng: random.Random, received: int) -> Cells:
    cells: Cells = {}
    scale = {"review": 0.09, "litigation_direct": 0.02, "litigation_after_review": 0.015}
    for row, frac in scale.items():
        n = 0
        if received and rng.random() < min(0.9, 0.08 + received / 400):
            n = max(1, int(received * frac * rng.uniform(0.2, 1.8)))
        parts = _split(n, {"upheld": 4, "corrected": 1.2, "other": 2, "pending": 1.5}, rng)
        for p in APPEAL_PARTS:
            cells[f"appeals.{row}.{p}"] = parts[p]
        cells[f"appeals.{row}.total"] = n
    return cells


def _count(rng: random.Random, lo: int, hi: int, zero: float) -> int:
    if rng.random() < zero or hi <= 0:
        return 0
    if hi <= 10:
        return rng.randint(max(lo, 0), hi)
    return int(round(10 ** rng.uniform(math.log10(max(lo, 1)), math.log10(hi))))


def _fee(rng: random.Random, government: bool) -> float | int:
    if rng.random() < (0.3 if government else 0.7):
        return 0
    v = round(10 ** rng.uniform(-1, 5 if government else 3), rng.choice((0, 1, 2, 2)))
    return int(v) if float(v).is_integer() else v


def make_active(rng: random.Random, template: Template, profile: Profile,
                previous_in_force: dict[str, int] | None = None) -> Cells:
    """Table 二 (2021 or 2019 columns): non-negative counts, 收费金额 in 万元 (may be decimal)."""
    lo, hi = profile.decisions
    cells: Cells = {}
    if template.format == "2021":
        for row, zero in (("rules", 0.6 if profile.government else 0.97), ("normative_docs", 0.35)):
            issued = _count(rng, 0, 30 if profile.government else 8, zero)
            repealed = _count(rng, 0, 20 if profile.government else 5, 0.6)
            base = (previous_in_force or {}).get(row)
            in_force = base + issued - repealed if base is not None else issued + rng.randint(0, 60 if profile.government else 12)
            if in_force < 0:
                repealed, in_force = base + issued, 0
            cells.update({f"active.{row}.issued": issued, f"active.{row}.repealed": repealed,
                          f"active.{row}.in_force": in_force})
        cells["active.licensing.decisions"] = _count(rng, lo, hi, 0.25)
        cells["active.penalty.decisions"] = _count(rng, lo, hi, 0.35)
        cells["active.enforcement.decisions"] = _count(rng, 0, max(1, hi // 20), 0.55)
        cells["active.fees.amount"] = _fee(rng, profile.government)
        return cells
    for row, zero in (("rules", 0.8), ("normative_docs", 0.3)):
        made = _count(rng, 0, 30 if profile.government else 8, zero)
        cells.update({f"active.{row}.new_made": made, f"active.{row}.new_published": made,
                      f"active.{row}.published_total": made + rng.randint(0, 80)})
    for row, zero in (("licensing", 0.2), ("other_services", 0.5), ("penalty", 0.3), ("enforcement", 0.5)):
        last = rng.randint(0, 400) if rng.random() > zero else 0
        change = (rng.randint(-min(last, 20), -1) if rng.random() < 0.25 else rng.randint(0, 20)) if last else 0
        cells.update({f"active.{row}.last_year": last, f"active.{row}.change": change,
                      f"active.{row}.decisions": _count(rng, lo, hi, zero)})
    last = rng.randint(0, 60) if rng.random() < 0.6 else 0
    cells.update({"active.fees.last_year": last,
                  "active.fees.change": (-rng.randint(1, min(last, 10)) if rng.random() < 0.25 else rng.randint(0, 5)) if last else 0})
    projects = rng.randint(0, 400) if rng.random() < 0.5 else 0
    cells.update({"active.procurement.projects": projects,
                  "active.procurement.amount": round(rng.uniform(1, 9000), 2) if projects else 0})
    return cells


def make_cells(rng: random.Random, template: Template, profile: Profile, *,
               carried_over: dict[str, int] | None = None,
               previous_in_force: dict[str, int] | None = None) -> Cells:
    """Every canonical cell of ``template``, in template order, all relations holding."""
    received = rng.randint(*profile.applications)
    if carried_over is not None and received == 0 and any(carried_over.values()):
        received = 0
    cells = {**make_active(rng, template, profile, previous_in_force),
             **make_applications(rng, template, received, carried_over),
             **make_appeals(rng, received)}
    return {k: cells[k] for k in template.cell_keys()}


# --------------------------------------------------------------------------- relations
@dataclass(frozen=True)
class Broken:
    """One instance of a template relation that does not hold."""

    relation: Relation
    table: str
    row: str | None  # row_total relations: the row; others: None
    column: str | None  # column_total / balance: the column; row_total: the total column
    stated: Number
    expected: Number
    total_keys: tuple[str, ...]
    part_keys: tuple[str, ...]


def _rows_present(cells: Cells, table: str) -> list[str]:
    seen: list[str] = []
    for key in cells:
        t, rest = key.split(".", 1)
        row = rest.rsplit(".", 1)[0]
        if t == table and row not in seen:
            seen.append(row)
    return seen


def _sum(cells: Cells, keys) -> Number | None:
    vals = [cells.get(k) for k in keys]
    if any(v is None for v in vals):
        return None
    s = sum(vals)
    return int(s) if float(s).is_integer() else round(s, 4)


def broken_relations(cells: Cells, template: Template) -> list[Broken]:
    """Every relation instance that fails; blanks and absent cells make a relation unevaluable."""
    out: list[Broken] = []
    for rel in template.relations:
        spec = template.tables[rel.table]
        present = _rows_present(cells, rel.table)
        if rel.kind == "row_total":
            for row in present:
                tot = [f"{rel.table}.{row}.{rel.total}"]
                parts = [f"{rel.table}.{row}.{p}" for p in rel.parts]
                a, b = _sum(cells, tot), _sum(cells, parts)
                if a is not None and b is not None and abs(a - b) > 1e-6:
                    out.append(Broken(rel, rel.table, row, rel.total, a, b, tuple(tot), tuple(parts)))
            continue
        for col in (c.key for c in spec.columns):
            if rel.kind == "column_total":
                # rows present in the report: a 2021 table may still carry the 2019 single other.total row
                rows = [r for r in present if any(fnmatch.fnmatchcase(r, p) for p in rel.parts)]
                tot = [f"{rel.table}.{rel.total}.{col}"]
                parts = [f"{rel.table}.{r}.{col}" for r in rows]
            else:
                tot = [f"{rel.table}.{r}.{col}" for r in rel.left]
                parts = [f"{rel.table}.{r}.{col}" for r in rel.right]
            if any(k not in cells for k in tot + parts):
                continue
            a, b = _sum(cells, tot), _sum(cells, parts)
            if a is not None and b is not None and abs(a - b) > 1e-6:
                out.append(Broken(rel, rel.table, None, col, a, b, tuple(tot), tuple(parts)))
    return out
