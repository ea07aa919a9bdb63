"""narrative.*: the narrative's claims against the tables and against each other (NT001–NT006).

Rules read the claims and their relations (``claims.model.Relations``: shares, rates, outcome
words, each figure's wording); the reading of the words is the claims stage's.
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import deadline
from ..claims.model import Claim, Wording
from ..claims.relations import same_head, shared_noun, specific_beyond_head
from ..config import option
from ..template import table_name
from .arith import TOL
from .context import CheckContext
from .finding import Finding
from .reconcile import verdict
from .registry import rule

APPLICANT_NAMES = {"natural_person": "自然人", "legal_all": "法人或其他组织", "commercial": "商业企业",
                   "research": "科研机构", "social": "社会公益组织", "legal": "法律服务机构"}
GROUP_NAMES = {"denied.*": "（三）不予公开", "unable.*": "（四）无法提供", "not_processed.*": "（五）不予处理",
               "other.*": "（六）其他处理", "litigation_direct": "行政诉讼（未经复议直接起诉）",
               "litigation_after_review": "行政诉讼（复议后起诉）", "review": "行政复议"}


def describe(ctx: CheckContext, expr: str) -> str:
    """表三“（一）予以公开”总计 — the Chinese name of a candidate expression."""
    table, _, rest = expr.partition(":")
    applicant = None
    if "@" in rest:
        rest, applicant = rest.split("@", 1)
    spec = ctx.template.tables[table]
    column = None
    if "." in rest and rest.rpartition(".")[2] in {c.key for c in spec.columns}:
        rest, _, column = rest.rpartition(".")
    names = []
    for term in rest.split("+"):
        if term in GROUP_NAMES:
            names.append(GROUP_NAMES[term])
        else:
            try:
                names.append(spec.row(term).full_label)
            except KeyError:
                names.append(term)
    tname = table_name(ctx.template, table)
    col = APPLICANT_NAMES.get(applicant) if applicant else (spec.column(column).label if column else "")
    return f"{tname}“{'”+“'.join(names)}”{col or ''}"


def _fmt(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return f"{v}"


@rule(code="NT001", check="narrative.table_mismatch",
      message="正文称“{quote}”，但{cell}为{expected}{others}")
def narrative_matches_table(ctx: CheckContext) -> Iterator[Finding]:
    """正文数字与其所描述的统计表单元格不符（与所有合理口径均不符才报告）。

    A narrative figure contradicts every table cell it can plausibly describe.

    **反例** ``答复7件，其中予以公开7件`` with 表三（一）予以公开 总计 5  **正例** 予以公开 总计 7
    """
    for c in ctx.claims:
        if not c.candidates or c.kind != "count" or c.role == "delta" or _sub_scope(ctx, c):
            continue
        status, primary, evaluated = verdict(c, ctx.tables, ctx.template)
        if status != "contradicted":
            continue
        others = [e for e in evaluated if e is not primary and e.value is not None and e.value != primary.value]
        other_text = ("；其他可能对应的口径" + "、".join(f"{describe(ctx, e.expr)}为{_fmt(e.value)}" for e in others)
                      + "，均不相符") if others else ""
        yield ctx.finding("NT001", stated=plain_number(c.value), expected=primary.value,
                          evidence=[ctx.text_ev(c.start, c.end)] + [ctx.cell_ev(x) for x in primary.cells],
                          quote=c.quote.replace("\n", ""), cell=describe(ctx, primary.expr), others=other_text,
                          facts={"headline": primary.headline, "approx": c.approx, "metric": c.metric,
                                 "expr": primary.expr})


def _sub_scope(ctx: CheckContext, c: Claim) -> bool:
    """A part with its total's own metric (全市受理3119件，其中市本级受理120件) is a subset, not the cell."""
    total = c.extra.get("part_of")
    return c.role == "part" and total is not None and ctx.claims[total].candidates == c.candidates


def plain_number(v: float):
    return int(v) if float(v).is_integer() else v


@rule(code="NT002", check="narrative.sum",
      message="正文“{total_quote}”与其分项不符：{parts_desc}合计为{expected}", options=("flag_partial_lists",))
def breakdown_adds_up(ctx: CheckContext) -> Iterator[Finding]:
    """正文合计数与其所列分项之和不符（其中…、分别为…、办理结果为…）。

    A narrative total disagrees with its own stated breakdown.

    **反例** ``代表建议2条…办理结果为：已解决采纳1件、正在解决0件`` **正例** ``…已解决采纳2件、正在解决0件``
    A partial list (其中 items summing to less than the total) is not an error unless the list is
    exhaustive (分别为, 办理结果为, or three or more of the 建议提案 outcome classes after one count).
    """
    claims = ctx.claims
    for c in claims:
        if c.role != "total":
            continue
        for parts_idx, exhaustive in c.extra.get("breakdowns", ()):
            parts = [claims[j] for j in parts_idx]
            low, high = sum(p.low for p in parts), sum(p.high for p in parts)
            exact = sum(p.value for p in parts)
            if exhaustive or option(ctx.config, "narrative.sum", "flag_partial_lists"):
                bad = high < c.low - TOL or low > c.high + TOL
            else:
                bad = low > c.high + TOL or _near_miss(ctx, c, parts)
            if not bad:
                continue
            desc = "+".join(_fmt(plain_number(p.value)) for p in parts)
            span_start, span_end = min(p.start for p in parts), max(p.end for p in parts)
            yield ctx.finding("NT002", stated=plain_number(c.value), expected=plain_number(exact),
                              evidence=[ctx.text_ev(c.start, c.end)] + [ctx.text_ev(p.start, p.end) for p in parts]
                              + [ctx.text_ev(span_start, span_end)],
                              total_quote=c.quote.replace("\n", ""), parts_desc=f"分项{desc}",
                              facts={"exhaustive": bool(exhaustive), "approx": c.approx})


def _near_miss(ctx: CheckContext, total: Claim, parts: list[Claim]) -> bool:
    """A 其中 list may be partial, but three or more exact items falling short of an exact total by
    at most 1% (and not made whole by items in another unit, 16期 in a list of 条) is an
    arithmetic slip rather than an omitted category."""
    if total.approx or len(parts) < 3 or any(p.approx for p in parts) or total.candidates:
        return False  # a table figure's breakdown may span carry-overs; the table checks own it
    gap = total.value - sum(p.value for p in parts)
    if not 0 < gap <= max(1.0, total.value * 0.01):
        return False
    lo, hi = min(p.start for p in parts), max(p.end for p in parts)
    others = [c.value for c in ctx.claims if c.kind == "count" and lo <= c.start < hi and c not in parts
              and c.sentence == total.sentence]
    return abs(sum(p.value for p in parts) + sum(others) - total.value) > TOL


def _listed_with(ctx: CheckContext, count: Claim) -> list[Claim]:
    """The counts of the sentence that carry a share like ``count`` does (信函39件，占83%；邮件7件，
    占14.9%…): one list of parts of one base."""
    return [ctx.claims[s.count] for s in ctx.relations.shares if ctx.claims[s.count].sentence == count.sentence]


def _denominators(ctx: CheckContext, count: Claim) -> list[Claim]:
    """The figures a share may be taken of: the count's own total, every whole before it in the
    paragraph, and a figure equal to the sum of the whole list of shared counts (39+7+1+0 = 新收47)."""
    claims = ctx.claims
    out = []
    listed = _listed_with(ctx, count)
    list_sum = sum(c.value for c in listed) if len(listed) >= 2 else None
    part_of = count.extra.get("part_of")
    if part_of is not None:
        out.append(claims[part_of])
    para = count.extra.get("para")
    idx = claims.index(count)
    for j in range(idx - 1, -1, -1):
        d = claims[j]
        if d.extra.get("para") != para:
            break
        whole = (d.role == "total" or (d.role == "plain" and "共" in d.qualifiers) or _whole_of(d, count)
                 or (list_sum is not None and d not in listed and abs(d.value - list_sum) <= TOL))
        if d.kind == "count" and d.unit and d.unit == count.unit and d.value >= count.value and d not in out and whole:
            out.append(d)
    # the figure the whole list adds up to is the likeliest base: named first
    return sorted(out, key=lambda d: list_sum is None or abs(d.value - list_sum) > TOL)


def _rounding_only(true: float, pct: Claim) -> bool:
    """Another rounding of the exact ratio at its precision — the truncation, 28.96% for 28.968% —
    rather than another figure (1.3% for 1.24%): the guideline makes it low."""
    unit = 10.0 ** -pct.decimals
    truncated = int(true / unit + TOL) * unit
    return abs(pct.value - truncated) < unit / 1000


def _whole_of(d: Claim, count: Claim) -> bool:
    """受理申请569件 … 公民个人提出申请475件: an applicant's count is a share of the applications."""
    return (any("@" in c for c in count.candidates) and bool(d.candidates)
            and all(c.startswith("applications:") and "@" not in c for c in d.candidates))


def _rounds_to(true_pct: float, stated: float, decimals: int, truncation: bool = True) -> bool:
    step = 10 ** (-decimals)
    if abs(true_pct - stated) <= step / 2 + TOL:
        return True
    return truncation and 0 <= true_pct - stated < step  # truncated rather than rounded


@rule(code="NT003", check="narrative.ratio",
      message="正文“{quote}”：{num}÷{den}={expected}%，与所称{stated}%不符", options=("allow_truncation",))
def share_matches_figures(ctx: CheckContext) -> Iterator[Finding]:
    """正文百分比与其计算所依据的数字不符（按所写精度）。

    A stated percentage disagrees with the figures it is computed from, at its stated precision.

    **反例** ``共1046件…当面提交13件，占比1.3%`` (13/1046=1.24%)  **正例** ``占比1.2%``
    """
    for share in ctx.relations.shares:
        count, pct = ctx.claims[share.count], ctx.claims[share.percent]
        dens = [d for d in _denominators(ctx, count) if d.value > 0]
        if not dens or count.approx or any(d.approx for d in dens):
            continue
        trunc = option(ctx.config, "narrative.ratio", "allow_truncation")
        if any(_rounds_to(count.value / d.value * 100, pct.value, pct.decimals, trunc) for d in dens):
            continue
        den = dens[0]
        exact = count.value / den.value * 100
        true = round(exact, 2)
        yield ctx.finding("NT003", stated=pct.value, expected=true,
                          evidence=[ctx.text_ev(count.start, pct.end), ctx.text_ev(den.start, den.end)],
                          quote=share.quote, num=_fmt(plain_number(count.value)), den=_fmt(plain_number(den.value)),
                          facts={"rounding_only": _rounding_only(exact, pct)})


@rule(code="NT006", check="narrative.ratio",
      message="正文“{quote}”：{num}÷{den}={expected}%，与所称{stated}%不符", options=("allow_truncation",))
def rate_matches_counts(ctx: CheckContext) -> Iterator[Finding]:
    """正文所称办结率、答复率等与其前文数字计算结果不符（按所写精度）。

    **反例** ``受理互动交流事项161件，办结161件，办结率99.95%``  **正例** ``…办结率100%``
    """
    trunc = option(ctx.config, "narrative.ratio", "allow_truncation")
    for rate in ctx.relations.rates:
        base, count, pct = ctx.claims[rate.base], ctx.claims[rate.count], ctx.claims[rate.percent]
        true = count.value / base.value * 100
        if _rounds_to(true, pct.value, pct.decimals, trunc):
            continue
        yield ctx.finding("NT006", stated=pct.value, expected=round(true, 2),
                          evidence=[ctx.text_ev(count.start, pct.end), ctx.text_ev(base.start, base.end)],
                          quote=rate.quote, num=_fmt(plain_number(count.value)), den=_fmt(plain_number(base.value)),
                          facts={"rounding_only": _rounding_only(true, pct)})


@rule(code="NT005", check="narrative.table_mismatch",
      message="正文称“{quote}”，但表四{what}")
def outcome_words_match_appeals(ctx: CheckContext) -> Iterator[Finding]:
    """正文结论性表述（没有行政复议和行政诉讼、均获维持、均已结案）与表四不符。

    Outcome words contradict 表四.

    **反例** ``没有行政复议和行政诉讼案件`` with 表四 行政复议 总计 1  **正例** every 表四 cell 0
    """
    cells = ctx.tables.cells
    groups = ("review", "litigation_direct", "litigation_after_review")

    def v(row, col):
        c = cells.get(f"appeals.{row}.{col}")
        return None if c is None else c.value

    if not any(f"appeals.{g}.total" in cells for g in groups):
        return
    for o in ctx.relations.outcomes:
        which = [g for g in groups if (o.review and g == "review") or (o.litigation and g != "review")] or list(groups)
        if o.kind == "none":
            bad = [(g, "total") for g in which if (v(g, "total") or 0) > 0]
            what = "、".join(f"{GROUP_NAMES[g]}总计为{_fmt(v(g, 'total'))}" for g, _ in bad)
        elif o.kind == "upheld":
            bad = [(g, c) for g in which for c in ("corrected", "other", "pending") if (v(g, c) or 0) > 0]
            what = "、".join(f"{GROUP_NAMES[g]}{ctx.template.tables['appeals'].column(c).label}{_fmt(v(g, c))}件" for g, c in bad)
        else:
            bad = [(g, "pending") for g in which if (v(g, "pending") or 0) > 0]
            what = "、".join(f"{GROUP_NAMES[g]}尚未审结{_fmt(v(g, 'pending'))}件" for g, _ in bad)
        if not bad:
            continue
        ev = [ctx.text_ev(o.start, o.end)] + [ctx.cell_ev(cells[f"appeals.{g}.{c}"]) for g, c in bad]
        yield ctx.finding("NT005", stated=0, expected=sum(v(g, c) for g, c in bad), evidence=ev,
                          quote=o.quote, what=what, facts={"headline": True})


@rule(code="NT004", check="narrative.conflict",
      message="同一数量前后表述不一致：“{first}”与“{second}”")
def same_quantity_same_value(ctx: CheckContext) -> Iterator[Finding]:
    """同一数量在正文中前后两次表述不一致。

    The same quantity is stated twice in the narrative with different values.

    **反例** ``受理申请21件 … 全年共受理申请23件``  **正例** both 21

    Two ways to know that two figures are the same quantity: both link to the same table cell, or,
    for figures no table holds, their wording: the same head noun with a shared specific word, a
    channel larger than the whole it belongs to, or an "all N" restatement (全部13个政务新媒体) of a
    count given before.
    """
    yield from _linked_conflicts(ctx)
    yield from _subject_conflicts(ctx)


SAME_SCALE = 0.6  # two counts of one subject this far apart are more likely two scopes than a slip
MAX_PARTNERS = 64  # earlier figures of the same noun a figure is compared with


def _linked_conflicts(ctx: CheckContext) -> Iterator[Finding]:
    seen: dict[tuple, Claim] = {}
    for c, scope in zip(ctx.claims, ctx.relations.scopes):
        if not c.candidates or c.kind != "count" or c.role in ("delta", "part") or c.approx:
            continue
        key = (c.metric, c.candidates, scope)
        first = seen.get(key)
        if first is None:
            seen[key] = c
            continue
        if first.high < c.low - TOL or c.high < first.low - TOL:
            yield ctx.finding("NT004", stated=plain_number(c.value), expected=plain_number(first.value),
                              evidence=[ctx.text_ev(first.start, first.end), ctx.text_ev(c.start, c.end)],
                              first=first.quote.replace("\n", ""), second=c.quote.replace("\n", ""))


def _subject_conflicts(ctx: CheckContext) -> Iterator[Finding]:
    """Untabled figures of one subject given two different exact values in different sentences:
    the same head and a shared specific word (审计信息栏目/专栏 公开信息), a part larger than its
    whole, or an "all N" restatement of the same noun is a contradiction (provable); other near-equal
    counts of one noun (政务新媒体24个 … 对23个政务新媒体实行监测) are worth a look, not proof.

    Each figure is reported once, against the first earlier figure it contradicts. Only figures that
    share a four-character run of their nouns (or both name published information) are compared,
    the ``MAX_PARTNERS`` nearest of them: the work stays linear in the text however many figures of
    one noun it holds."""
    pool = [(c, w) for c, w in zip(ctx.claims, ctx.relations.wordings) if not c.candidates and c.kind == "count"
            and c.role in ("plain", "total") and not c.approx and c.unit]
    earlier: dict[tuple, list[int]] = {}
    for j, (b, wb) in enumerate(pool):
        deadline.check()
        keys = _subject_keys(b, wb)
        partners = sorted({i for key in keys for i in earlier.get(key, ())[-MAX_PARTNERS:]})[-MAX_PARTNERS:]
        for key in keys:
            earlier.setdefault(key, []).append(j)
        for i in partners:
            a, wa = pool[i]
            if b.sentence == a.sentence or b.value == a.value or _part_of(a, wa, b, wb):
                continue
            if wa.item_topic and wb.item_topic and wa.item_topic != wb.item_topic:
                continue  # two enumerated items of different subjects: two quantities
            proof = _subject_proof(a, wa, b, wb)
            if proof is None:
                continue
            yield ctx.finding("NT004", stated=plain_number(b.value), expected=plain_number(a.value),
                              evidence=[ctx.text_ev(a.start, a.end), ctx.text_ev(b.start, b.end)],
                              first=a.quote.replace("\n", ""), second=b.quote.replace("\n", ""),
                              facts={"linked": False, "provable": proof == "proven"})
            break


def _subject_keys(c: Claim, w: Wording) -> set[tuple]:
    """The buckets a figure is compared within: its unit, item topic and stock-or-flow, with each
    four-character run of its noun (any shared noun contains one), or "published information"."""
    scope = (c.unit, w.to_date)
    keys = {(*scope, w.noun[k:k + 4]) for k in range(len(w.noun) - 3)}
    if w.published_info:
        keys.add((*scope, "published"))
    return keys


def _part_of(a: Claim, wa: Wording, b: Claim, wb: Wording) -> bool:
    """累计公开信息1770条，其中本年度公开202条: b is introduced as a part of a."""
    gap = wb.number_at - wa.end_at
    return wa.opener_end is not None and wa.opener_end <= gap <= 40 and b.value <= a.value


def _subject_proof(a: Claim, wa: Wording, b: Claim, wb: Wording) -> str | None:
    """"proven" when the wording proves the two figures one quantity, "suggested" when it only suggests it."""
    if wa.on_request != wb.on_request:
        return None  # disclosure on request is never a part or a restatement of proactive disclosure
    alike = same_head(wa, wb)
    noun = alike or bool(shared_noun(wa, wb))
    if alike and (specific_beyond_head(wa, wb) or _part_exceeds_whole(a, wa, b, wb)):
        return "proven"
    if _same_scale(a, b) and _channel_exceeds_total(a, wa, b, wb):
        return "proven"
    if noun and (wa.says_all or wb.says_all) and (wa.scope <= wb.scope or wb.scope <= wa.scope):
        return "proven"  # and no scope word tells them apart (全区…24个 … 本机关12个…均已备案 do)
    if _near(a, b) and (noun or _website_total_twice(a, wa, b, wb)):
        return "suggested"
    return None


def _part_exceeds_whole(a: Claim, wa: Wording, b: Claim, wb: Wording) -> bool:
    """共公开政府信息2080条 … 依托门户网站公开信息2081条: a channel larger than the whole. The whole
    must name nothing the part does not (主动公开信息56条 is no whole of 依申请公开信息788条)."""
    if wa.whole == wb.whole:
        return False
    (whole, w_whole), (part, w_part) = ((a, wa), (b, wb)) if wa.whole else ((b, wb), (a, wa))
    return not (w_whole.specific - w_part.specific) and part.value > whole.value


def _website_total_twice(a: Claim, wa: Wording, b: Claim, wb: Wording) -> bool:
    """通过门户网站主动公开各类信息1729条 … 在政府网站累计发布信息1734条: near-equal website totals.
    Worth a look, not proof: the site may post more than the disclosed information."""
    return (wa.published_info and wb.published_info and wa.total_word and wb.total_word
            and wa.portal and wb.portal and _near(a, b))


def _channel_exceeds_total(a: Claim, wa: Wording, b: Claim, wb: Wording) -> bool:
    """主动公开政府信息442条 … 政府信息公开专栏发布信息447条: a website channel publishing more
    information than the report says was published in all."""
    if not (wa.published_info and wb.published_info):
        return False
    # how plainly a figure is all information published: a total word, and no channel named
    plain_a, plain_b = wa.total_word + (not wa.channel), wb.total_word + (not wb.channel)
    if plain_a == plain_b:
        return False
    (whole, w_whole), (channel, w_channel) = ((a, wa), (b, wb)) if plain_a > plain_b else ((b, wb), (a, wa))
    return w_whole.total_word and w_channel.channel and channel.value > whole.value


def _near(a: Claim, b: Claim) -> bool:
    return abs(a.value - b.value) <= max(1.0, 0.05 * max(a.value, b.value))


def _same_scale(a: Claim, b: Claim) -> bool:
    return min(a.value, b.value) >= SAME_SCALE * max(a.value, b.value)
