"""cross_year.delta: a claimed change against last year (较上年增加6件, 同比下降12%)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ..claims.model import Claim
from .context import CheckContext
from .finding import Finding
from .reconcile import Evaluated, evaluate, verdict
from .registry import rule


def _base(ctx: CheckContext, delta: Claim) -> Claim | None:
    """The figure the change is about: the nearest earlier count in the same sentence."""
    best = None
    for c in ctx.claims:
        if c.start >= delta.start:
            break
        if c.sentence == delta.sentence and c.kind == "count" and c.role != "delta":
            best = c
    return best


def _both_years(ctx: CheckContext, base: Claim) -> tuple[Evaluated | None, float]:
    """Last year's figure and this year's for the reading of ``base`` this year's table supports.

    This year's figure is the table's: when the narrative's own figure is wrong (新收7件 against a
    table of 6), that is narrative.table_mismatch's finding, and the change is judged on the table."""
    _, now, _ = verdict(base, ctx.tables, ctx.template)
    if now is not None:
        before = evaluate(now.expr, ctx.previous.tables, ctx.previous.template)
        if before.value is not None:
            return before, now.value
    _, before, _ = verdict(Claim(**{**base.__dict__, "low": -1e18, "high": 1e18}),
                           ctx.previous.tables, ctx.previous.template)
    return before, base.value


@rule(code="CY002", check="cross_year.delta",
      message="正文称“{quote}”，{detail}")
def change_matches_last_year(ctx: CheckContext) -> Iterator[Finding]:
    """正文所称较上年增减与上一年度报告不符（无上年报告时仅提示）。

    A stated change against last year agrees with last year's report (unverifiable without it).

    **反例** ``受理申请7件，较上年增加6件`` when last year's report says 3  **正例** last year's report says 1
    """
    for d in ctx.claims:
        if d.role != "delta":
            continue
        base = _base(ctx, d)
        sign = -1 if "减少" in d.qualifiers else 1
        quote = d.quote.replace("\n", "")
        if ctx.previous is None or base is None or not base.candidates:
            yield ctx.finding("CY002", stated=_num(d.value), evidence=[ctx.text_ev(d.start, d.end)],
                              quote=quote, detail="缺少上一年度报告，无法核对增减", facts={"verifiable": False})
            continue
        prev_chosen, current = _both_years(ctx, base)
        if prev_chosen is None or prev_chosen.value is None:
            yield ctx.finding("CY002", stated=_num(d.value), evidence=[ctx.text_ev(d.start, d.end)],
                              quote=quote, detail="上一年度报告中未读到对应数据，无法核对", facts={"verifiable": False})
            continue
        if d.kind == "percent":
            if prev_chosen.value == 0:
                continue
            expected = round((current - prev_chosen.value) / prev_chosen.value * 100 * sign, 2)
            ok = abs(expected - d.value) <= 10 ** (-d.decimals) / 2 + 1e-9
        else:
            expected = _num((current - prev_chosen.value) * sign)
            ok = d.low - 1e-9 <= expected <= d.high + 1e-9
        if ok:
            continue
        yield ctx.finding("CY002", stated=_num(d.value), expected=expected,
                          evidence=[ctx.text_ev(d.start, d.end), ctx.text_ev(base.start, base.end)]
                          + [replace(ctx.cell_ev(c), source="previous", start=None, end=None) for c in prev_chosen.cells],
                          quote=quote, detail=f"但上一年度报告对应数据为{_num(prev_chosen.value)}，本年为{_num(current)}，"
                                               f"实际{'增加' if sign > 0 else '减少'}{expected}",
                          facts={"verifiable": True})


def _num(v):
    return int(v) if isinstance(v, float) and v.is_integer() else v
