"""Planted errors in real reports (``auditor eval --mutate``): recall on real wording and layouts.

A report the auditor reads is changed in one fact, the way report writers get things wrong, at a
place found from the report's own tables and claims; the mutated text is audited again. A mutation
is *detected* when a finding of its expected check appears that the original did not have (at
``low`` or above, near the change); it causes *collateral* when any other new finding at ``low`` or
above appears that is not a true consequence of the change. A mutation the reading no longer sees
as intended (the new digits read another way) is dropped and counted.

Mutations edit the document's normalized text (the text layer of HTML, DOCX and PDF alike), so the
recorded offsets are offsets of ``Document.text``.
"""
from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import regex

from auditor.checks.finding import SEVERITY_RANK, TextEvidence

# class -> (checks that detect it, checks that are true consequences of it)
CLASSES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "table_cell": (frozenset({"table.row_sum", "table.column_sum", "table.balance"}),
                   frozenset({"narrative.table_mismatch", "narrative.sum", "narrative.ratio", "narrative.conflict",
                              "cross_year.carry_over"})),
    "narrative_cell": (frozenset({"narrative.table_mismatch"}),
                       frozenset({"narrative.sum", "narrative.ratio", "narrative.conflict"})),
    "narrative_sum": (frozenset({"narrative.sum"}),
                      frozenset({"narrative.table_mismatch", "narrative.ratio", "narrative.conflict"})),
    "percentage": (frozenset({"narrative.ratio"}), frozenset()),
    "restatement": (frozenset({"narrative.conflict", "narrative.table_mismatch"}),
                    frozenset({"narrative.sum", "narrative.ratio"})),  # the restated sentence's own share
    "sentence_year": (frozenset({"meta.year"}), frozenset()),
    "period_year": (frozenset({"meta.period"}), frozenset({"meta.year"})),
    "label_typo": (frozenset({"table.label"}), frozenset()),
    "legacy_label": (frozenset({"table.label", "meta.format"}), frozenset()),
    "carry_over": (frozenset({"cross_year.carry_over"}),
                   frozenset({"table.row_sum", "table.balance", "table.column_sum", "narrative.table_mismatch"})),
}
TYPOS = {"逾": "预", "掌": "长", "补": "部", "缴": "交", "制": "治", "执": "职", "确": "明", "秘": "密"}
_STANDALONE = regex.compile(r"^\d{1,6}$")
_YEAR_OPENING = regex.compile(r"(?:^|(?<=[。！？\n]))\s*((?:19|20)\d{2})(?=\s*年\s*[，,])")


@dataclass(frozen=True)
class Mutation:
    """One planted error: where, what, and the finding it should cause."""

    cls: str
    start: int
    end: int
    before: str
    after: str
    expect: str  # the check (or checks, "|"-joined) that should report it
    cell: str | None = None  # the table cell it changes, when it changes one
    value: float | None = None  # the figure the mutated text should read as
    figure: tuple[int, int] | None = None  # where the changed figure stands in the mutated text

    def apply(self, text: str) -> str:
        assert text[self.start:self.end] == self.before, "the mutation no longer fits the text"
        return text[:self.start] + self.after + text[self.end:]


@dataclass
class Outcome:
    report: str
    mutation: Mutation
    status: str  # detected | missed | dropped
    collateral: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------ planning

def _digit_typo(rng: random.Random, raw: str) -> str | None:
    """One digit changed, two adjacent digits swapped, or a digit dropped."""
    hows = ["change"] + (["swap"] if len(raw) >= 2 and len(set(raw)) > 1 else []) + (["drop"] if len(raw) >= 2 else [])
    how = rng.choice(hows)
    if how == "change":
        i = rng.randrange(len(raw))
        choices = [d for d in "0123456789" if d != raw[i] and not (i == 0 and d == "0" and len(raw) > 1)]
        return raw[:i] + rng.choice(choices) + raw[i + 1:]
    if how == "swap":
        pairs = [i for i in range(len(raw) - 1) if raw[i] != raw[i + 1] and not (i == 0 and raw[1] == "0")]
        if not pairs:
            return None
        i = rng.choice(pairs)
        return raw[:i] + raw[i + 1] + raw[i] + raw[i + 2:]
    i = rng.randrange(len(raw))
    out = raw[:i] + raw[i + 1:]
    return out if out and not (len(out) > 1 and out[0] == "0") else None


def _cycle(sites: list, n: int) -> list:
    """``n`` sites, going round the list again when it is shorter (each visit varies the change)."""
    return [sites[k % len(sites)] for k in range(n)] if sites else []


def _table_cells(ctx, rng, n, table="applications") -> Iterator[Mutation]:
    cells = [c for c in ctx.tables.cells.values() if c.table == table and c.value is not None
             and _STANDALONE.match(ctx.text[c.start:c.end]) and ctx.text[c.start:c.end] == c.raw]
    rng.shuffle(cells)
    for c in _cycle(cells, n):
        after = _digit_typo(rng, c.raw)
        if after is not None and after != c.raw:
            yield Mutation("table_cell", c.start, c.end, c.raw, after, "|".join(sorted(CLASSES["table_cell"][0])),
                           cell=c.key, value=float(after))


_LEADING_DIGITS = regex.compile(r"\d{1,6}(?![\d.．,，])")


def _number_span(ctx, claim) -> tuple[int, int, str] | None:
    """The digits of a claim's figure (its span holds the unit too: 21件, 3119 件)."""
    s, e = claim.number
    m = _LEADING_DIGITS.match(ctx.text, s, e)
    return (m.start(), m.end(), m.group()) if m else None


def _bumped(rng, raw: str) -> str:
    v = int(raw)
    return str(v + rng.choice([1, 2, 3]) if v < 3 or rng.random() < 0.5 else v - rng.choice([1, 2]))


def _narrative_cells(ctx, rng, n, records) -> Iterator[Mutation]:
    linked = [c for c, r in zip(ctx.claims, records) if r.get("verdict") == "consistent" and r.get("linked")
              and not c.approx and c.kind == "count"]
    rng.shuffle(linked)
    for c in _cycle(linked, n):
        span = _number_span(ctx, c)
        if span:
            bumped = _bumped(rng, span[2])
            yield Mutation("narrative_cell", span[0], span[1], span[2], bumped, "narrative.table_mismatch",
                           figure=(span[0], span[0] + len(bumped)))


def _sum_sites(ctx) -> list[tuple]:
    """(total, parts, exhaustive) of every exact breakdown whose parts do not exceed its total: a
    breakdown the report gets right, where a changed figure is an error the text itself proves."""
    sites = []
    for c in ctx.claims:
        if c.role != "total" or c.approx:
            continue
        for parts_idx, exhaustive in c.extra.get("breakdowns", ()):
            parts = [ctx.claims[j] for j in parts_idx]
            if any(p.approx for p in parts) or not parts:
                continue
            gap = c.value - sum(p.value for p in parts)
            if abs(gap) < 1e-9 or (not exhaustive and 0 < gap <= 3):
                sites.append((c, parts, exhaustive, gap))
    return sites


def _narrative_sums(ctx, rng, n) -> Iterator[Mutation]:
    """The total or one part of a 共…其中… breakdown changed. A partial list (其中 not covering the
    whole) only proves an error when its parts come to more than the total, so there the total goes
    down or a part goes up past the gap; an exhaustive one is wrong either way."""
    sites = []
    for c, parts, exhaustive, gap in _sum_sites(ctx):
        sites.append((c, exhaustive, -1 if not exhaustive else 0, gap))
        sites += [(p, exhaustive, 1 if not exhaustive else 0, gap) for p in parts]
    rng.shuffle(sites)
    for claim, exhaustive, direction, gap in _cycle(sites, n):
        span = _number_span(ctx, claim)
        if not span:
            continue
        v = int(span[2])
        if direction == 0:
            after = _bumped(rng, span[2])
        else:
            step = int(gap) + rng.choice([1, 2])  # past the gap the partial list leaves
            after = str(v + step) if direction > 0 else str(v - step)
        if after.startswith("-") or after == span[2]:
            continue
        yield Mutation("narrative_sum", span[0], span[1], span[2], after, "narrative.sum")


_PERCENT_DIGITS = regex.compile(r"(\d{1,3})(?:\.(\d{1,2}))?(?=\s*[%％])")


_RATE_WORD = regex.compile(r"(?:办结|答复|回复|办理|处理)率")
_SHARE_WORD = regex.compile(r"[，,]?(?:所?占|占比)")


def _has_base(ctx, pct) -> bool:
    """The count right before the percentage in its sentence, divided by a larger count of its
    paragraph, gives the percentage at its stated precision: the figures it is computed from are in
    the text, so a changed percentage is checkable at all (92%的事项… with no count is not)."""
    before = [c for c in ctx.claims if c.kind == "count" and c.sentence == pct.sentence and c.end <= pct.start]
    if not before or before[-1].approx:
        return False
    a = before[-1]
    between = "".join(ctx.text[a.end:pct.start].split())
    if len(between) > 24 or "。" in between:
        return False
    share = _SHARE_WORD.match(between)
    rate = _RATE_WORD.search(between) and _RATE_WORD.search(ctx.text[a.sentence[0]:pct.start])
    if pct.value == 100 and not (share or rate):
        return False  # 全文电子化达100%: a 100% with no rate of a counted act is no share of the counts
    para = pct.extra.get("para")
    tol = 10 ** (-pct.decimals) / 2 + 1e-9
    return any(d is not a and d.value >= a.value > 0 and not d.approx and abs(a.value / d.value * 100 - pct.value) <= tol
               for d in ctx.claims if d.kind == "count" and d.extra.get("para") == para)


def _percentages(ctx, rng, n) -> Iterator[Mutation]:
    shares = [c for c in ctx.claims if c.kind == "percent" and not c.approx and _has_base(ctx, c)]
    rng.shuffle(shares)
    for c in _cycle(shares, n):
        s, e = c.number
        m = _PERCENT_DIGITS.match(ctx.text, s, e)
        if not m or c.value == 0:
            continue
        s, e = m.span()
        new = c.value + rng.choice([-1, 1]) * rng.choice([5, 7, 9])
        if not 0 < new < 100 or new == c.value:
            new = c.value - 7 if c.value > 10 else c.value + 7
        after = f"{new:.{len(m.group(2) or '')}f}"
        yield Mutation("percentage", s, e, ctx.text[s:e], after, "narrative.ratio")


def _restatements(ctx, rng, n, records) -> Iterator[Mutation]:
    """The sentence of a figure that describes a table cell, said again right after it with the
    figure changed: one quantity stated twice with two values."""
    linked = [c for c, r in zip(ctx.claims, records) if r.get("verdict") == "consistent" and r.get("linked")
              and not c.approx and c.kind == "count" and c.metric]
    rng.shuffle(linked)
    for c in _cycle(linked, n):
        span = _number_span(ctx, c)
        if not span:
            continue
        s0, end = c.sentence
        while end < len(ctx.text) and ctx.text[end] in "。；;！":
            end += 1
        bumped = _bumped(rng, span[2])
        sentence = ctx.text[s0:span[0]] + bumped + ctx.text[span[1]:end]
        if not sentence.rstrip().endswith(("。", "；", ";", "！")):
            sentence = sentence.rstrip() + "。"
        at = end + span[0] - s0
        yield Mutation("restatement", end, end, "", sentence, "narrative.conflict|narrative.table_mismatch",
                       figure=(at, at + len(bumped)))


def _sentence_years(ctx, rng, n) -> Iterator[Mutation]:
    year = ctx.facts.year
    if year is None:
        return
    zones = [(a, b) for _, a, b in ctx.tables.spans]
    hits = [m for m in _YEAR_OPENING.finditer(ctx.text) if int(m.group(1)) == year
            and not any(a <= m.start(1) < b for a, b in zones)
            and not (ctx.facts.year_span and ctx.facts.year_span.start <= m.start(1) < ctx.facts.year_span.end)]
    rng.shuffle(hits)
    for m in _cycle(hits, n):
        yield Mutation("sentence_year", m.start(1), m.end(1), m.group(1), str(year - 1), "meta.year")


_PERIOD_YEAR = regex.compile(r"(?:19|20)\d{2}")


def _period_years(ctx, rng, n) -> Iterator[Mutation]:
    p, year = ctx.facts.period, ctx.facts.year
    if p is None or year is None or not p.well_formed or p.problem_start is not None:
        return
    hits = [m for m in _PERIOD_YEAR.finditer(ctx.text, p.start, p.end) if int(m.group()) == year]
    rng.shuffle(hits)
    for m in _cycle(hits, n):
        yield Mutation("period_year", m.start(), m.end(), m.group(), str(year + rng.choice([-1, 1])), "meta.period")


def _label_typos(ctx, rng, n) -> Iterator[Mutation]:
    legacy = {lm.key for lm in ctx.tables.legacy_rows}  # a 2019 row in a 2021 report is no statutory label
    labels = [lm for lm in ctx.tables.labels if lm.exact and lm.key.startswith("applications.") and lm.key not in legacy
              and len(lm.written) >= 6 and lm.key.split(".", 1)[1] not in ("new_received", "carried_over", "carried_forward")]
    rng.shuffle(labels)
    for lm in _cycle(labels, n):
        written = lm.written
        subs = [i for i, ch in enumerate(written) if ch in TYPOS]
        if subs:
            i = rng.choice(subs)
            after = written[:i] + TYPOS[written[i]] + written[i + 1:]
        else:
            han = [i for i, ch in enumerate(written) if "\u4e00" <= ch <= "\u9fff"][2:-1]
            if not han:
                continue
            i = rng.choice(han)
            after = written[:i] + written[i + 1:]
        yield Mutation("label_typo", lm.start, lm.end, written, after, "table.label")


# a 2021 表二 label -> the 2019 trial format's label for the same place (国办公开办函〔2019〕60号)
_LEGACY = (("行政规范性文件", "规范性文件"), ("本年制发件数", "本年新制作数量"), ("现行有效件数", "对外公开总数量"),
           ("本年废止件数", "本年新公开数量"), ("本年处理决定数量", "上一年项目数量"),
           ("本年收费金额（单位：万元）", "上一年项目数量"))
_ACTIVE_HEADING = regex.compile(r"主动公开政府信息情况")


def _legacy_labels(ctx, rng, n) -> Iterator[Mutation]:
    """A 2019-only label written into a 2021-format 表二, in a row name or a column header, wherever
    the report's 表二 (from its heading to its last cell) writes the 2021 label."""
    if ctx.facts.format != "2021":
        return
    region = next(((a, b) for key, a, b in ctx.tables.spans if key == "active"), None)
    if region is None:
        return
    heading = None
    for m in _ACTIVE_HEADING.finditer(ctx.text, max(0, region[0] - 400), region[0]):
        heading = m  # the last heading before the first row: headers sit between it and the rows
    lo = heading.end() if heading else region[0]
    sites = []
    for new_label, old_label in _LEGACY:
        at = ctx.text.find(new_label, lo, region[1])
        while at >= 0:
            sites.append((at, new_label, old_label))
            at = ctx.text.find(new_label, at + len(new_label), region[1])
    rng.shuffle(sites)
    for i, new_label, old_label in _cycle(sites, n):
        yield Mutation("legacy_label", i, i + len(new_label), new_label, old_label, "table.label|meta.format")


def _carry_overs(ctx, rng, n) -> Iterator[Mutation]:
    """表三 二、上年结转, any column, no longer equal to last year's 四、结转下年度继续办理."""
    if ctx.previous is None:
        return
    cells = []
    for c in ctx.tables.cells.values():
        if c.table != "applications" or not c.key.startswith("applications.carried_over."):
            continue
        prev = ctx.previous.tables.cells.get(c.key.replace(".carried_over.", ".carried_forward."))
        if prev is not None and c.value == prev.value and _STANDALONE.match(ctx.text[c.start:c.end]) \
                and ctx.text[c.start:c.end] == c.raw:
            cells.append(c)
    cells.sort(key=lambda c: c.start)
    rng.shuffle(cells)
    for c in _cycle(cells, n):
        after = _digit_typo(rng, c.raw) if rng.random() < 0.5 else _bumped(rng, c.raw)
        if after is not None and after != c.raw:
            yield Mutation("carry_over", c.start, c.end, c.raw, after, "cross_year.carry_over", cell=c.key,
                           value=float(after))


def plan(ctx, records: list[dict], rng: random.Random, per_class: int) -> list[Mutation]:
    """Up to ``per_class`` mutations of each class, placed by the report's own tables and claims."""
    out: list[Mutation] = []
    out += list(_table_cells(ctx, rng, per_class))
    out += list(_narrative_cells(ctx, rng, per_class, records))
    out += list(_narrative_sums(ctx, rng, per_class))
    out += list(_percentages(ctx, rng, per_class))
    out += list(_restatements(ctx, rng, per_class, records))
    out += list(_sentence_years(ctx, rng, per_class))
    out += list(_period_years(ctx, rng, per_class))
    out += list(_label_typos(ctx, rng, per_class))
    out += list(_legacy_labels(ctx, rng, per_class))
    out += list(_carry_overs(ctx, rng, per_class))
    seen, unique = set(), []
    for m in out:
        if (m.cls, m.start, m.end, m.after) not in seen:
            seen.add((m.cls, m.start, m.end, m.after))
            unique.append(m)
    return unique


# ------------------------------------------------------------------------------------ running

def _key(f) -> tuple:
    return f.code, f.message


def _near(f, m: Mutation, slack: int = 60) -> bool:
    spans = [(ev.start, ev.end) for ev in f.evidence if isinstance(ev, TextEvidence)]
    lo, hi = m.start - slack, m.start + len(m.after) + slack
    return not spans or any(s < hi and e > lo for s, e in spans)


def _reads_true(report, m: Mutation) -> bool:
    """The changed figure agrees with the tables under another reading."""
    if m.figure is None:
        return False
    lo, hi = m.figure
    return any(r["start"] <= lo and r["end"] >= hi and r.get("verdict") == "consistent" for r in report.claims)


def judge(original, mutated_report, mutated_ctx, m: Mutation) -> Outcome:
    detect, consequences = CLASSES[m.cls]
    if m.cell is not None:
        cell = mutated_ctx.tables.cells.get(m.cell)
        if cell is None or cell.value != m.value:
            return Outcome("", m, "dropped")  # the new digits read another way: ambiguous, not a miss
    if m.cls in ("narrative_cell", "restatement") and _reads_true(mutated_report, m):
        return Outcome("", m, "dropped")  # the new figure is another cell's value: 75 → 74 = 新收 without 结转
    before = {_key(f) for f in original.findings}
    new = [f for f in mutated_report.findings if _key(f) not in before
           and SEVERITY_RANK[f.severity] >= SEVERITY_RANK["low"]]
    hits = [f for f in new if f.check in detect and _near(f, m)]
    collateral = [f for f in new if f not in hits and f.check not in consequences and f.check not in detect]
    return Outcome("", m, "detected" if hits else "missed", [f"{f.code} {f.message}" for f in collateral],
                   [f"{f.code} {f.message}" for f in hits])


def mutate_report(path: Path, rng: random.Random, per_class: int, previous: Path | None = None) -> list[Outcome]:
    from auditor.checks.reconcile import claim_records
    from auditor.ingest import document_from_text, read_document
    from auditor.pipeline import analyse, audit_document

    doc = read_document(path)
    if document_from_text(doc.text, source=path.name).text != doc.text:
        return []  # normalizing is not the identity on this text: offsets would not be the document's
    prev_doc = read_document(previous) if previous else None
    original = audit_document(doc, previous=prev_doc)
    ctx = analyse(doc)
    if prev_doc is not None:
        from auditor.checks import CheckContext

        ctx = CheckContext(**{**ctx.__dict__, "previous": analyse(prev_doc)})
    outcomes = []
    for m in plan(ctx, claim_records(ctx), rng, per_class):
        text = m.apply(doc.text)
        mdoc = document_from_text(text, source=path.name)
        report = audit_document(mdoc, previous=prev_doc)
        out = judge(original, report, analyse(mdoc), m)
        out.report = path.name
        outcomes.append(out)
    return outcomes


_YEAR_NAME = regex.compile(r"^(?P<stem>.+?)[-_](?P<y>(?:19|20)\d{2})\.[^.]+$")


def previous_of(path: Path) -> Path | None:
    """Last year's report of the same agency in the folder: NAME-2023.txt for NAME-2024.txt, or the
    gold's ``previous``."""
    gold = Path(str(path) + ".gold.json")
    if gold.exists():
        prev = json.loads(gold.read_text(encoding="utf-8")).get("previous")
        if prev and (path.parent / prev).exists():
            return path.parent / prev
    m = _YEAR_NAME.match(path.name)
    if m:
        for cand in path.parent.glob(f"{m.group('stem')}-{int(m.group('y')) - 1}.*"):
            if not cand.name.endswith(".gold.json"):
                return cand
    return None


def run_mutations(corpus: Path, *, per_class: int = 3, seed: int = 0) -> list[Outcome]:
    reports = sorted(p for p in corpus.iterdir() if p.is_file() and not p.name.endswith(".gold.json")
                     and p.suffix.lower() in (".txt", ".html", ".htm", ".docx", ".pdf"))
    outcomes: list[Outcome] = []
    for p in reports:
        rng = random.Random(f"{seed}:{p.name}")
        try:
            outcomes += mutate_report(p, rng, per_class, previous_of(p))
        except Exception as exc:  # noqa: BLE001 - one unreadable report must not end the run
            print(f"{p.name}: 无法变异（{type(exc).__name__}: {exc}）")
    return outcomes


def summary(outcomes: list[Outcome]) -> dict:
    rows = {}
    for cls in CLASSES:
        mine = [o for o in outcomes if o.mutation.cls == cls]
        kept = [o for o in mine if o.status != "dropped"]
        det = sum(o.status == "detected" for o in kept)
        col = sum(bool(o.collateral) for o in kept)
        rows[cls] = {"mutations": len(kept), "sites": len({(o.report, o.mutation.start) for o in kept}),
                     "dropped": len(mine) - len(kept), "detected": det,
                     "detection": round(det / len(kept), 3) if kept else None,
                     "collateral": round(col / len(kept), 3) if kept else None}
    return rows


def _record(o: Outcome) -> dict:
    """An outcome without the report's words (results are committed; report text never is):
    offsets, lengths, codes."""
    m = o.mutation
    return {"report": o.report, "class": m.cls, "start": m.start, "end": m.end, "before_chars": len(m.before),
            "after_chars": len(m.after), "expect": m.expect, "cell": m.cell, "status": o.status,
            "found": sorted({x.split()[0] for x in o.found}), "collateral": sorted({x.split()[0] for x in o.collateral})}


def write_results(outcomes: list[Outcome], out_dir: Path, name: str, *, seed: int, per_class: int) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = summary(outcomes)
    data = {"corpus": name, "seed": seed, "per_class": per_class, "classes": rows,
            "outcomes": [_record(o) for o in outcomes]}
    (out_dir / f"mutate-{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = [f"# Mutation results: {name} (seed {seed}, up to {per_class} per class per report)", "",
             "| class | mutations | sites | dropped | detected | detection | collateral |", "|---|---|---|---|---|---|---|"]
    for cls, r in rows.items():
        fmt = (lambda x: "—" if x is None else f"{x:.3f}")
        lines.append(f"| {cls} | {r['mutations']} | {r['sites']} | {r['dropped']} | {r['detected']} | {fmt(r['detection'])} | {fmt(r['collateral'])} |")
    worst = [o for o in outcomes if o.status == "missed" or o.collateral][:25]
    if worst:
        lines += ["", "## Missed or with collateral (offsets in the document text)", "",
                  "| report | class | offsets | status | collateral codes |", "|---|---|---|---|---|"]
        for o in worst:
            m = o.mutation
            codes = ", ".join(sorted({c.split()[0] for c in o.collateral}))
            lines.append(f"| {o.report} | {m.cls} | {m.start}–{m.end} | {o.status} | {codes} |")
    (out_dir / f"mutate-{name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return _write_index(out_dir)


def _write_index(out_dir: Path) -> Path:
    """``mutate.md`` and ``mutate.json``: every corpus run into this folder, one table each, so the
    real and wild figures sit side by side (each run refreshes its own part)."""
    runs = []
    for p in sorted(out_dir.glob("mutate-*.json")):
        try:
            runs.append(json.loads(p.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    fmt = (lambda x: "—" if x is None else f"{x:.3f}")
    lines = ["# Mutation results (`auditor eval --mutate`)", "",
             "Detection: the expected finding appears at low or above near the change. Collateral: any "
             "other new finding at low or above that is not a consequence of the change. Dropped: the "
             "changed figure reads another way (ambiguous), not counted. Sites: distinct places changed "
             "(a place is visited again with another change when a report has fewer places than asked "
             "for). A class with no mutations has no place in that corpus where the fact is checkable "
             "(a percentage whose base the text does not give is not). Per corpus: `mutate-NAME.md` "
             "lists the missed mutations by offsets.", ""]
    summary_out = {}
    for run in runs:
        name = run["corpus"]
        summary_out[name] = {"seed": run["seed"], "per_class": run["per_class"], "classes": run["classes"]}
        lines += [f"## {name} (seed {run['seed']}, up to {run['per_class']} per class per report)", "",
                  "| class | mutations | sites | dropped | detected | detection | collateral |",
                  "|---|---|---|---|---|---|---|"]
        for cls, r in run["classes"].items():
            lines.append(f"| {cls} | {r['mutations']} | {r.get('sites', '—')} | {r['dropped']} | {r['detected']} | {fmt(r['detection'])} "
                         f"| {fmt(r['collateral'])} |")
        lines.append("")
    (out_dir / "mutate.json").write_text(json.dumps(summary_out, ensure_ascii=False, indent=1), encoding="utf-8")
    path = out_dir / "mutate.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run_mutation_eval(corpus: str | Path, out_dir: str | Path, *, name: str | None = None, per_class: int = 3,
                      seed: int = 0) -> int:
    """``auditor eval --mutate DIR``: plant, audit, score, write ``mutate-NAME.md`` and ``.json``."""
    corpus = Path(corpus)
    if not corpus.is_dir():
        print(f"错误：{corpus} 不是目录")
        return 2
    name = name or corpus.resolve().name
    outcomes = run_mutations(corpus, per_class=per_class, seed=seed)
    path = write_results(outcomes, Path(out_dir), name, seed=seed, per_class=per_class)
    for cls, r in summary(outcomes).items():
        det = "—" if r["detection"] is None else f"{r['detection']:.3f}"
        col = "—" if r["collateral"] is None else f"{r['collateral']:.3f}"
        print(f"{cls}: 植入{r['mutations']}处（舍弃{r['dropped']}处歧义），检出率{det}，误伤率{col}")
    print(f"结果：{path}")
    return 0
