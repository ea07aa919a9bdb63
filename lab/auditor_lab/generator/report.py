"""One synthetic report: plan, inject, derive gold, write."""
from __future__ import annotations

import random
from dataclasses import dataclass

from auditor.template import load_template
from . import inject
from . import phrases as P
from .evaluate import carry_over_findings, glued_unreadable, narrative_findings, table_findings
from .guideline import severity
from .grids import LabelStyle, build_grids
from .draft import Draft, Unavailable
from .layout import Block, TextStyle, render_blocks, resolve_quote, to_text
from .model import GoldFinding
from .narrative import Context, build_plan
from .tables import PROFILES, Cells, make_cells

FORMAT_YEARS = {"2021": (2021, 2025), "2019": (2019, 2020)}
PROFILE_WEIGHTS = {"none": 1, "tiny": 3, "small": 3, "medium": 2, "large": 1}


@dataclass(frozen=True)
class Agency:
    name: str
    slug: str
    we: str
    scope: str
    profile: str


@dataclass(frozen=True)
class SynthReport:
    """A generated report: its text, its structure (for HTML/DOCX) and its gold."""

    seed: int
    agency: Agency
    year: int
    fmt: str  # the format the tables are written in
    layout: str
    text: str
    gold: dict
    blocks: tuple[Block, ...]
    cells: dict


def pick_agency(rng: random.Random, name: str | None = None) -> Agency:
    place, pslug, level = rng.choice(P.PLACES)
    city, cslug = rng.choice(P.CITIES)
    dept, dslug, we, sizes = rng.choice(P.DEPARTMENTS)
    if level in ("镇", "街道"):
        dept, dslug, we, sizes = ("办事处" if level == "街道" else "人民政府"), "office", f"我{level}", ("none", "tiny")
    if level == "市":
        city, cslug = "", ""
    full = f"{city}{place}{dept}" if name is None else name
    scope = f"全{level}" if dslug == "gov" else we
    we = we.format(level=level)
    profile = rng.choices(sizes, weights=[PROFILE_WEIGHTS[s] for s in sizes])[0]
    slug = "-".join(s for s in (cslug, pslug, dslug) if s) if name is None else f"agency{rng.randint(100, 999)}"
    return Agency(full, slug, we, scope, profile)


def _previous_received(rng: random.Random, cells: Cells) -> int:
    now = int(cells["applications.new_received.total"])
    return max(0, now + rng.randint(-max(3, now // 3), max(3, now // 3)))


def _inject(d: Draft, rng: random.Random, n: int, chosen: list[str], plan=None, *, families, paired: bool) -> list[str]:
    """Apply the chosen families of one phase (table defects before the plan, the rest after);
    a narrative family the plan offers no place for is replaced by another one."""
    applied: list[str] = []
    if plan is None:
        for fam in [f for f in chosen if f in inject.PRE]:
            try:
                inject.PRE_INJECTORS[fam](d)
                applied.append(fam)
            except Unavailable:
                pass
        return applied
    post = [f for f in chosen if f in inject.POST]
    spare = [f for f in inject.POST if (families is None or f in families) and (paired or not f.startswith("cross_year."))]
    while post and len(applied) < n:
        fam = post.pop(0)
        try:
            inject.POST_INJECTORS[fam](plan, d)
            applied.append(fam)
        except Unavailable:
            spare = [f for f in spare if f != fam]
            if spare and len(applied) + len(post) < n:
                post.append(rng.choice(spare))
    return applied


def _resolve(specs, text: str, spans, style: TextStyle) -> list[str]:
    """Quote specs as exact substrings of the written text (literals as the style wrote them)."""
    out: list[str] = []
    for spec in specs:
        variants = [spec] if not spec.startswith("=") else ["=" + f(spec[1:]) for f in (style.narrative, style.table, str)]
        for v in variants:
            q = resolve_quote(v, text, spans)
            if q and q not in out:
                out.append(q)
                break
    return out


def _gold_entries(findings: list[GoldFinding], may_flag: list[dict], text: str, spans, style: TextStyle):
    entries = []
    for f in findings:
        quotes = _resolve(f.quotes, text, spans, style)
        if not quotes:  # a generator defect: every gold finding must be quotable
            raise RuntimeError(f"gold quote not found in the text: {f}")
        entry = {"check": f.check, "severity": f.severity, "quotes": quotes}
        if f.values is not None:
            entry["values"] = list(f.values)
        entry["why"] = f.why
        entries.append(entry)
    may = []
    for m in may_flag:
        entry = dict(m)
        if "quotes" in entry:
            entry["quotes"] = _resolve(entry["quotes"], text, spans, style)
            if not entry["quotes"]:
                continue
        may.append(entry)
    return entries, may


def build_report(seed: int, *, fmt: str = "2021", layout: str = "lines", errors: int | None = None,
                 year: int | None = None, agency: str | None = None, families=None,
                 previous: SynthReport | None = None, name: str | None = None,
                 profile: str | None = None) -> SynthReport:
    """The report for ``seed``; ``previous`` makes it next year's report of the same agency and
    ``profile`` (none/tiny/small/medium/large) forces the agency's size."""
    rng = random.Random(f"synth:{seed}")
    who = previous.agency if previous is not None else pick_agency(rng, agency)
    if profile is not None:
        who = Agency(who.name, who.slug, who.we, who.scope, profile)
    if year is None:
        year = previous.year + 1 if previous is not None else rng.randint(*FORMAT_YEARS[fmt])
    template = load_template(fmt)
    prev_cells = previous.cells if previous is not None else None
    carried = in_force = None
    if prev_cells is not None:
        carried = {c: int(prev_cells.get(f"applications.carried_forward.{c}") or 0)
                   for c in ("natural_person", "commercial", "research", "social", "legal", "other_org")}
        if fmt == "2021" and "active.rules.in_force" in prev_cells:
            in_force = {r: int(prev_cells[f"active.{r}.in_force"] or 0) for r in ("rules", "normative_docs")}
    clean = make_cells(rng, template, PROFILES[who.profile], carried_over=carried, previous_in_force=in_force)
    style = LabelStyle.random(rng)
    d = Draft(rng=rng, template=template, year=year, layout=layout, style=style, cells=dict(clean), clean=dict(clean),
              previous=prev_cells)

    n = errors if errors is not None else rng.randint(0, 4)
    paired = previous is not None
    chosen = inject.choose_families(rng, n, layout=layout, fmt=fmt, paired=paired, families=families)
    applied = _inject(d, rng, n, chosen, families=families, paired=paired)
    ctx = Context(year=year, agency=who.name, we=who.we, scope=who.scope, fmt=fmt, cells=d.clean,
                  avoid=frozenset(d.reserved),
                  previous_received=(int(prev_cells["applications.new_received.total"]) if prev_cells
                                     else _previous_received(rng, d.clean)),
                  paired=paired)
    plan = build_plan(random.Random(f"synth:{seed}:narrative"), ctx)
    applied += _inject(d, rng, n - len(applied), chosen, plan, families=families, paired=paired)

    findings: list[GoldFinding] = list(d.findings)
    may_flag = list(d.may_flag) + list(plan.may_flag)
    if fmt == "2019" and year >= 2021:
        findings.append(GoldFinding("meta.format", severity("meta.format", wholly=True),
                                    ("=本年新制作数量", "=上一年项目数量", "=其他对外管理服务事项"),
                                    f"{year}年度报告仍使用2019年试行格式（国办公开办函〔2019〕60号）"))
    findings += table_findings(d.cells, d.clean, template)
    unreadable = glued_unreadable(d.cells) if layout == "glued" else frozenset()
    findings += narrative_findings(plan, d.cells, year, d.changed_slots, prev_cells, unreadable)
    # "info" is "worth a look, not provably wrong": a checker may report it or not (may_flag)
    may_flag += [{"check": f.check, "quotes": list(f.quotes), "why": f.why} for f in findings if f.severity == "info"]
    findings = [f for f in findings if f.severity != "info"]
    if prev_cells is not None:
        co, co_may = carry_over_findings(d.cells, prev_cells)
        findings += co
        may_flag += co_may

    headings = {h.key: h.label for h in template.headings}
    for h in template.headings:
        if h.variants and rng.random() < 0.25:
            headings[h.key] = rng.choice(h.variants)
            may_flag.append({"check": "table.label", "quotes": [f"={headings[h.key]}"], "why": "章节标题为常见简写"})
    if layout == "glued":
        may_flag.append({"check": "table.missing", "any": True, "why": "表格数字连写无分隔，无法唯一拆分的单元格可报为无法读取"})

    tstyle = TextStyle(ascii_punct=rng.random() < (0.5 if layout == "lines" else 0.2),
                       spaced_numbers=layout == "rows" and rng.random() < 0.6)
    blocks = render_blocks(plan, build_grids(template, d.cells, style, d.edits, rng), headings, tstyle)
    text, spans = to_text(blocks, layout, random.Random(f"synth:{seed}:layout"), agency=who.name, year=year)
    gold_findings, gold_may = _gold_entries(findings, may_flag, text, spans, tstyle)
    gold = {
        "report": name or f"synth-{seed}.txt",
        "agency": who.name,
        "year": year,
        "format": template.format,
        "cells": dict(d.cells),
        "findings": gold_findings,
        "may_flag": gold_may,
        "consistent": list(plan.consistent),
        "generator": {"seed": seed, "layout": layout, "fmt": fmt, "errors": applied},
    }
    return SynthReport(seed, who, year, template.format, layout, text, gold, tuple(blocks), dict(d.cells))
