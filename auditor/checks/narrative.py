"""Rules reconciling the narrative's claims with the tables and with each other."""
from __future__ import annotations

from collections.abc import Iterator

import regex

from ..claims.extract import unit_family
from ..claims.model import Claim
from ..config import option
from .context import CheckContext
from .finding import Finding
from .reconcile import verdict
from .registry import rule

TOL = 1e-9
APPLICANT_NAMES = {"natural_person": "自然人", "legal_all": "法人或其他组织", "commercial": "商业企业",
                   "research": "科研机构", "social": "社会公益组织", "legal": "法律服务机构"}
GROUP_NAMES = {"denied.*": "（三）不予公开", "unable.*": "（四）无法提供", "not_processed.*": "（五）不予处理",
               "other.*": "（六）其他处理", "litigation_direct": "行政诉讼（未经复议直接起诉）",
               "litigation_after_review": "行政诉讼（复议后起诉）", "review": "行政复议"}
_LEADING_UNIT = regex.compile(r"^[件条个人次项份篇家期场]")
_CLAUSE_BREAK = regex.compile(r"[，,；;。]")
_APPEAL_WORD = regex.compile(r"复议|诉讼")
_NOT_NONE = regex.compile(r"纠错|纠正|败诉|被撤销|\d")
# the negated appeal word continues into an outcome (复议纠错, 诉讼败诉, 被撤销或确认违法)
_OUTCOME_AFTER = regex.compile(r"^(?:案件|被|中|的)?(?:纠错|纠正|败诉|撤销|被撤销|确认违法|被确认违法|被纠错)")


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
    tname = {"applications": "表三", "appeals": "表四", "active": "表二"}[table]
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


_SCOPE = regex.compile(r"本级|本机关|本部门|本单位|办公室|各部门|部门|乡镇|街道|县区|市直|区直|县直|全市|全区|全县|全省|全州|全盟|系统")


def scope_of(ctx: CheckContext, c: Claim) -> frozenset:
    return frozenset(_SCOPE.findall(ctx.text[c.sentence[0]:c.number[0]]))


def plain_number(v: float):
    return int(v) if float(v).is_integer() else v


@rule(code="NT002", check="narrative.sum",
      message="正文“{total_quote}”与其分项不符：{parts_desc}合计为{expected}")
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


_SHARE = regex.compile(r"^[，,]?(?:所?占(?:到)?(?:比|比例|比重)?(?:了)?(?:全部|总数|总量|总体|申请总数|全年)?(?:的)?(?:比例|比重)?"
                       r"(?:为|达|约|达到)?|(?:所占)?(?:比例|比重)(?:为|达|是)?)$")


def _share_links(ctx: CheckContext) -> Iterator[tuple[Claim, Claim]]:
    """(count, percent) pairs written as 258件，占33.9%."""
    claims = ctx.claims
    for i, c in enumerate(claims):
        if c.kind != "percent" or i == 0:
            continue
        prev = claims[i - 1]
        if prev.kind != "count" or prev.sentence != c.sentence:
            continue
        between = "".join(ctx.text[prev.number[1]:c.number[0]].split())
        between = _LEADING_UNIT.sub("", between)
        if _SHARE.match(between):
            yield prev, c


def _listed_with(ctx: CheckContext, count: Claim) -> list[Claim]:
    """The counts of the sentence that carry a share like ``count`` does (信函39件，占83%；邮件7件，
    占14.9%…): one list of parts of one base."""
    return [c for c, _ in _share_links(ctx) if c.sentence == count.sentence]


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
    truncated = int(true / unit + 1e-9) * unit
    return abs(pct.value - truncated) < unit / 1000


def _whole_of(d: Claim, count: Claim) -> bool:
    """受理申请569件 … 公民个人提出申请475件: an applicant's count is a share of the applications."""
    return (any("@" in c for c in count.candidates) and bool(d.candidates)
            and all(c.startswith("applications:") and "@" not in c for c in d.candidates))


def _rounds_to(true_pct: float, stated: float, decimals: int, truncation: bool = True) -> bool:
    step = 10 ** (-decimals)
    if abs(true_pct - stated) <= step / 2 + 1e-9:
        return True
    return truncation and 0 <= true_pct - stated < step  # truncated rather than rounded


@rule(code="NT003", check="narrative.ratio",
      message="正文“{quote}”：{num}÷{den}={expected}%，与所称{stated}%不符")
def share_matches_figures(ctx: CheckContext) -> Iterator[Finding]:
    """正文百分比与其计算所依据的数字不符（按所写精度）。

    A stated percentage disagrees with the figures it is computed from, at its stated precision.

    **反例** ``共1046件…当面提交13件，占比1.3%`` (13/1046=1.24%)  **正例** ``占比1.2%``
    """
    for count, pct in _share_links(ctx):
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
                          quote=ctx.text[count.start:pct.end].replace("\n", ""), num=_fmt(plain_number(count.value)),
                          den=_fmt(plain_number(den.value)),
                          facts={"rounding_only": _rounding_only(exact, pct)})


_RATE = regex.compile(r"(办结|答复|回复|办理|处理|采纳|受理)率(?:为|达到|达|是)?$")
_RATE_VERB = {rate: regex.compile(verbs) for rate, verbs in {
    "办结": "办结|办理", "答复": "答复|回复", "回复": "回复|答复", "办理": "办理|办结", "处理": "处理|办结",
    "采纳": "采纳", "受理": "受理"}.items()}
_BASE = regex.compile(r"受理|收到|接收|接到|新收|共|收悉|办理")


def _clause_before(ctx: CheckContext, c: Claim) -> str:
    """The clause a claim ends, without spaces: 受理12345热线转办件64件."""
    return _CLAUSE_BREAK.split("".join(ctx.text[c.sentence[0]:c.end].split()))[-1]


def _rate_links(ctx: CheckContext) -> Iterator[tuple[Claim, Claim, Claim]]:
    """(base, count, rate) for 受理161件，办结161件，办结率99.95%."""
    claims = ctx.claims
    for i, pct in enumerate(claims):
        if pct.kind != "percent" or i < 2:
            continue
        left = "".join(ctx.text[pct.sentence[0]:pct.number[0]].split())
        m = _RATE.search(left)
        count = claims[i - 1]
        if not m or count.kind != "count" or count.sentence != pct.sentence or count.approx:
            continue
        if not _RATE_VERB[m.group(1)].search("".join(ctx.text[count.sentence[0]:count.end].split())[-12:]):
            continue
        base = next((b for b in reversed(claims[:i - 1]) if b.sentence == pct.sentence and b.kind == "count"
                     and unit_family(b.unit) == unit_family(count.unit) and not b.approx
                     and _BASE.search(_clause_before(ctx, b)[-24:])), None)
        if base is not None and base.value > 0:
            yield base, count, pct


@rule(code="NT006", check="narrative.ratio",
      message="正文“{quote}”：{num}÷{den}={expected}%，与所称{stated}%不符")
def rate_matches_counts(ctx: CheckContext) -> Iterator[Finding]:
    """正文所称办结率、答复率等与其前文数字计算结果不符（按所写精度）。

    **反例** ``受理互动交流事项161件，办结161件，办结率99.95%``  **正例** ``…办结率100%``
    """
    trunc = option(ctx.config, "narrative.ratio", "allow_truncation")
    for base, count, pct in _rate_links(ctx):
        true = count.value / base.value * 100
        if _rounds_to(true, pct.value, pct.decimals, trunc):
            continue
        yield ctx.finding("NT006", stated=pct.value, expected=round(true, 2),
                          evidence=[ctx.text_ev(count.start, pct.end), ctx.text_ev(base.start, base.end)],
                          quote=ctx.text[count.start:pct.end].replace("\n", ""), num=_fmt(plain_number(count.value)),
                          den=_fmt(plain_number(base.value)),
                          facts={"rounding_only": _rounding_only(true, pct)})


_NO_APPEALS = regex.compile(r"(?:没有|未发生|未出现|未产生|未引起|无|未有|未收到|不存在)(?:[^，。；\d]{0,14}?)(?:行政复议|行政诉讼)(?:[和、及或与]?(?:行政)?(?:复议|诉讼))?")
_ALL_UPHELD = regex.compile(r"(?:均|全部|都)(?:获|被|予以|得到|已)?(?:复议机关|法院)?(?:决定)?维持")
_ALL_CLOSED = regex.compile(r"均已(?:结案|审结|办结)|全部(?:结案|审结)")


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
    for start, end, kind in _outcomes(ctx):
        sentence = ctx.text[start:end]
        which = [g for g in groups if ("复议" in sentence and g == "review")
                 or ("诉讼" in sentence and g != "review")] or list(groups)
        if kind == "none":
            bad = [(g, "total") for g in which if (v(g, "total") or 0) > 0]
            what = "、".join(f"{GROUP_NAMES[g]}总计为{_fmt(v(g, 'total'))}" for g, _ in bad)
        elif kind == "upheld":
            bad = [(g, c) for g in which for c in ("corrected", "other", "pending") if (v(g, c) or 0) > 0]
            what = "、".join(f"{GROUP_NAMES[g]}{ctx.template.tables['appeals'].column(c).label}{_fmt(v(g, c))}件" for g, c in bad)
        else:
            bad = [(g, "pending") for g in which if (v(g, "pending") or 0) > 0]
            what = "、".join(f"{GROUP_NAMES[g]}尚未审结{_fmt(v(g, 'pending'))}件" for g, _ in bad)
        if not bad:
            continue
        ev = [ctx.text_ev(start, end)] + [ctx.cell_ev(cells[f"appeals.{g}.{c}"]) for g, c in bad]
        yield ctx.finding("NT005", stated=0, expected=sum(v(g, c) for g, c in bad), evidence=ev,
                          quote=ctx.text[start:end].replace("\n", ""), what=what, facts={"headline": True})


def _outcomes(ctx: CheckContext):
    zones = [(a, b) for _, a, b in ctx.tables.spans]
    text = ctx.text
    for pat, kind in ((_NO_APPEALS, "none"), (_ALL_UPHELD, "upheld"), (_ALL_CLOSED, "closed")):
        for m in pat.finditer(text):
            if any(a <= m.start() < b for a, b in zones):
                continue
            window = text[max(0, m.start() - 40):m.end() + 10]
            if kind != "none" and not _APPEAL_WORD.search(window):
                continue
            if kind == "none" and (_NOT_NONE.search(text[m.start():m.end()])
                                   or _OUTCOME_AFTER.match("".join(text[m.end():m.end() + 24].split()))):
                continue  # 未发生…被行政复议⏎纠错或…败诉: the negation is of an outcome, not of the cases
            yield m.start(), m.end(), kind
