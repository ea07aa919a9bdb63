"""Narrative and meta defects, injected into the planned narrative: a wrong figure, a breakdown
that no longer adds up, a wrong percentage, a figure stated twice differently, a stale year,
a malformed or wrong statistics period, a wrong year-over-year change."""
from __future__ import annotations

from .draft import Draft, Unavailable, nudge, wrong_value
from .evaluate import half_up, loosely_linked, readings
from .guideline import rounding_only, severity
from .model import DeltaRel, GoldFinding, Plan, RatioRel, SameRel, Slot, SumRel

def _set(plan: Plan, d: Draft, slot_id: str, value) -> None:
    s = plan.slots[slot_id]
    plan.slots[slot_id] = Slot(**{**s.__dict__, "value": value})
    d.changed_slots.add(slot_id)


def _only_in(plan: Plan, slot_id: str, rel) -> bool:
    return plan.relations_of(slot_id) == [rel]


def _headline_values(slot: Slot, d: Draft) -> set:
    """一, 一+二, 三（七）, 四 of the claim's column: readings a checker may also try (rule 7)."""
    key = slot.links[0][0]
    if not key.startswith("applications."):
        return set()
    col = key.rsplit(".", 1)[1]
    v = {r: d.clean.get(f"applications.{r}.{col}") for r in ("new_received", "carried_over", "total_processed",
                                                             "carried_forward")}
    if any(x is None for x in v.values()):
        return set()
    return {v["new_received"], v["new_received"] + v["carried_over"], v["total_processed"],
            v["total_processed"] + v["carried_forward"], v["carried_over"], v["carried_forward"]}


def table_mismatch(plan: Plan, d: Draft) -> None:
    # a figure stated twice would also become a narrative.conflict: only singly stated ones
    primary = [s.links[0] for s in plan.slots.values() if s.links]
    slots = [s for s in plan.slots.values() if s.links and s.kind == "count" and s.id not in d.changed_slots
             and primary.count(s.links[0]) == 1 and not loosely_linked(s)]
    plain = [s for s in slots if not plan.relations_of(s.id)]
    minor = [s for s in plain if not s.headline]
    pool = minor if minor and d.rng.random() < 0.5 else (plain or slots)
    if not pool:
        raise Unavailable
    s = d.rng.choice(pool)
    forbidden = set(readings(s, d.clean)) | set(readings(s, d.cells)) | {s.value} | _headline_values(s, d)
    _set(plan, d, s.id, wrong_value(d.rng, int(s.value), forbidden))


def narrative_sum(plan: Plan, d: Draft) -> None:
    rels = [r for r in plan.relations if isinstance(r, SumRel)
            and not any(plan.slots[i].links for i in (r.total, *r.parts))
            and not ({r.total, *r.parts} & d.changed_slots)]
    if not rels:
        raise Unavailable
    rel = d.rng.choice(rels)
    movable = [p for p in rel.parts if _only_in(plan, p, rel)] or ([rel.total] if _only_in(plan, rel.total, rel) else [])
    if not movable:
        raise Unavailable
    sid = d.rng.choice(movable)
    v = int(plan.slots[sid].value)
    step = nudge(d.rng, v)
    if not rel.exhaustive:  # a 其中 list short of its total may be partial: make the parts exceed it
        step = abs(step) if sid in rel.parts else -min(abs(step), v)
        if not step:
            raise Unavailable
    _set(plan, d, sid, v + step)


def narrative_ratio(plan: Plan, d: Draft) -> None:
    rels = [r for r in plan.relations if isinstance(r, RatioRel) and r.percent not in d.changed_slots
            and r.numerator not in d.changed_slots and r.denominator not in d.changed_slots]
    if not rels:
        raise Unavailable
    rel = d.rng.choice(rels)
    pct = plan.slots[rel.percent]
    exact = plan.slots[rel.numerator].value * 100 / plan.slots[rel.denominator].value
    unit = 10.0 ** -pct.decimals
    correct = half_up(exact, pct.decimals)
    truncated = round(int(exact / unit + 1e-9) * unit, pct.decimals)
    if truncated != correct and d.rng.random() < 0.5:
        _set(plan, d, rel.percent, truncated)
        return
    for _ in range(50):
        wrong = round(correct + d.rng.choice((2, 3, 4, 5, 9, -2, -3, -5, 10, -10)) * unit, pct.decimals)
        if 0 <= wrong <= max(100.0, correct) and not rounding_only(wrong, exact, pct.decimals) and abs(wrong - correct) > unit / 2:
            _set(plan, d, rel.percent, wrong)
            return
    raise Unavailable


def narrative_conflict(plan: Plan, d: Draft) -> None:
    rels = [r for r in plan.relations if isinstance(r, SameRel) and r.provable != "none"
            and r.second not in d.changed_slots and r.first not in d.changed_slots]
    if not rels:
        raise Unavailable
    rel = d.rng.choice(rels)
    v = int(plan.slots[rel.second].value)
    step = nudge(d.rng, v, lo=1)
    _set(plan, d, rel.second, v + (abs(step) if rel.provable == "larger" else step))


def stale_year(plan: Plan, d: Draft) -> None:
    slots = [s for s in plan.slots.values() if s.kind == "year" and s.id not in d.changed_slots]
    if not slots:
        raise Unavailable
    _set(plan, d, d.rng.choice(slots).id, d.year - 1)


def period(plan: Plan, d: Draft) -> None:
    s = plan.slots.get("period")
    if s is None or "period" in d.changed_slots:
        raise Unavailable
    y = d.year
    if d.rng.random() < 0.6:
        glued_start = f"{y}11日"
        fmt = s.fmt.replace(f"{y}年1月1日", glued_start, 1)
        if d.rng.random() < 0.7:
            fmt = fmt.replace(f"{y}年12月31日", f"{y}1231日").replace("至12月31日", "至1231日").replace("—12月31日", "—1231日")
        plan.slots["period"] = Slot(**{**s.__dict__, "fmt": fmt})
        d.changed_slots.add("period")
        d.findings.append(GoldFinding("meta.period", severity("meta.period"), (f"={glued_start}", "@period"),
                                      f"统计期限缺失“年”“月”，应为{y}年1月1日至{y}年12月31日"))
        return
    wrong = f"{y - 1}年1月1日"
    fmt = s.fmt.replace(f"{y}年", f"{y - 1}年")
    plan.slots["period"] = Slot(**{**s.__dict__, "fmt": fmt, "value": y - 1})
    d.changed_slots.add("period")
    d.findings.append(GoldFinding("meta.period", severity("meta.period", wrong_year=True), (f"={wrong}", "@period"),
                                  f"{y}年度报告的统计期限写作{y - 1}年", (y - 1, y)))
    d.may_flag.append({"check": "meta.year", "quotes": ["@period"], "why": "统计期限年份错误，也可按陈旧年份报告"})


def delta(plan: Plan, d: Draft) -> None:
    rels = [r for r in plan.relations if isinstance(r, DeltaRel) and r.slot not in d.changed_slots]
    if not rels or d.previous is None:
        raise Unavailable
    rel = d.rng.choice(rels)
    v = int(plan.slots[rel.slot].value)
    _set(plan, d, rel.slot, v + nudge(d.rng, v, lo=1))


POST_INJECTORS = {"narrative.table_mismatch": table_mismatch, "narrative.sum": narrative_sum,
                  "narrative.ratio": narrative_ratio, "narrative.conflict": narrative_conflict,
                  "meta.year": stale_year, "meta.period": period, "cross_year.delta": delta}
