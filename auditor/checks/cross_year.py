"""Rules comparing a report with last year's (``ctx.previous``, format-2021.md relation 6).

``ctx.previous`` is set by ``auditor audit --previous`` and, in batch mode, by the pairing of
consecutive years of one agency (``auditor.across.pairing``). Its ``config["source"]`` names the file.
The pipeline leaves it unset, with a warning, when the report given is of another year or
another agency (``pipeline.previous_mismatch``): comparing with the wrong report would report
differences that are not errors; ``_last_year`` keeps the year guard for contexts built directly.
``cross_year.delta`` (CY002) checks the narrative's 较上年/同比 claims against last year's report.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ..claims.model import Claim
from ..tables.model import Cell
from .arith import TOL, differs
from .context import CheckContext
from .finding import CellEvidence, Finding
from .reconcile import Evaluated, evaluate, verdict
from .registry import rule

ROLL_FORWARD_ROWS = {"rules": "规章", "normative_docs": "行政规范性文件"}


def _last_year(ctx: CheckContext) -> CheckContext | None:
    prev = ctx.previous
    if prev is None:
        return None
    if ctx.facts.year and prev.facts.year and prev.facts.year != ctx.facts.year - 1:
        return None
    return prev


def _previous_name(prev: CheckContext) -> str:
    return f"{prev.facts.year}年度报告" if prev.facts.year else "上一年度报告"


def _previous_cell(prev: CheckContext, cell: Cell) -> CellEvidence:
    """Last year's cell: no offsets (they index last year's text), its source instead."""
    return CellEvidence(cell.table, cell.row, cell.column, cell.value,
                        source=prev.config.get("source") or _previous_name(prev))


def _known(cell: Cell | None) -> bool:
    return cell is not None and cell.value is not None


@rule(code="CY001", check="cross_year.carry_over",
      message="表三“二、上年结转政府信息公开申请数量”“{column}”栏为{stated}，"
              "但{previous}“四、结转下年度继续办理”为{expected}")
def carried_over_matches_last_year(ctx: CheckContext) -> Iterator[Finding]:
    """本年“二、上年结转”与上一年度报告“四、结转下年度继续办理”不一致（表三逐列）。

    This year's 二、上年结转 equals last year's 四、结转下年度继续办理, per column of 表三.

    **反例** 2022年报告“四、结转下年度继续办理 总计 3”，2023年报告“二、上年结转 总计 0”
    **正例** 2023年报告“二、上年结转 总计 3”
    """
    prev = _last_year(ctx)
    if prev is None:
        return
    for col in ctx.template.tables["applications"].columns:
        this = ctx.tables.cells.get(f"applications.carried_over.{col.key}")
        last = prev.tables.cells.get(f"applications.carried_forward.{col.key}")
        if not (_known(this) and _known(last)) or not differs(this.value, last.value):
            continue
        yield ctx.finding("CY001", stated=this.value, expected=last.value,
                          evidence=ctx.row_ev([this]) + [ctx.cell_ev(this), _previous_cell(prev, last)],
                          column=col.label, previous=_previous_name(prev),
                          facts={"table": "applications", "row": "carried_over", "column": col.key,
                                 "kind": "carry_over"})


@rule(code="CY003", check="cross_year.carry_over",
      message="表二“{row}”现行有效件数为{stated}，但按{previous}现行有效{last}件加本年制发{issued}件、"
              "减本年废止{repealed}件应为{expected}件")
def in_force_rolls_forward(ctx: CheckContext) -> Iterator[Finding]:
    """现行有效件数不等于上一年度现行有效件数加本年制发、减本年废止（规章、行政规范性文件）。

    现行有效件数 = last year's 现行有效件数 + 本年制发 − 本年废止 (规章, 行政规范性文件).

    Expected rather than mandated (documents also lapse or get re-counted), hence low.
    2019-format tables have no 现行有效件数 and are skipped.

    **反例** 2022年“规章 现行有效 10”，2023年“制发 2 废止 1 现行有效 13”
    **正例** 2023年“制发 2 废止 1 现行有效 11”
    """
    prev = _last_year(ctx)
    if prev is None or ctx.facts.format != "2021" or prev.facts.format != "2021":
        return
    for row, name in ROLL_FORWARD_ROWS.items():
        now = ctx.tables.cells.get(f"active.{row}.in_force")
        issued = ctx.tables.cells.get(f"active.{row}.issued")
        repealed = ctx.tables.cells.get(f"active.{row}.repealed")
        last = prev.tables.cells.get(f"active.{row}.in_force")
        if not all(_known(c) for c in (now, issued, repealed, last)):
            continue
        expected = last.value + issued.value - repealed.value
        if not differs(now.value, expected):
            continue
        yield ctx.finding("CY003", stated=now.value, expected=expected,
                          evidence=ctx.row_ev([now]) + [ctx.cell_ev(c) for c in (now, issued, repealed)]
                          + [_previous_cell(prev, last)],
                          row=name, previous=_previous_name(prev), last=last.value, issued=issued.value,
                          repealed=repealed.value,
                          facts={"table": "active", "row": row, "column": "in_force", "kind": "roll_forward"})


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
            ok = abs(expected - d.value) <= 10 ** (-d.decimals) / 2 + TOL
        else:
            expected = _num((current - prev_chosen.value) * sign)
            ok = d.holds(expected)
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
