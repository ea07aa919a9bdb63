"""NT004: one quantity stated twice in the narrative with two values.

Two ways to know that two figures are the same quantity: both link to the same table cell
(``_linked_conflicts``), or, for figures no table holds, their wording (``_subject_conflicts``):
the same head noun with a shared specific word, a channel larger than the whole it belongs to,
or an "all N" restatement (全部13个政务新媒体) of a count given before.
"""
from __future__ import annotations

from collections.abc import Iterator
from itertools import accumulate

import regex

from .. import deadline
from ..claims.model import Claim
from .context import CheckContext
from .finding import Finding
from .narrative import TOL, plain_number, scope_of
from .registry import rule


@rule(code="NT004", check="narrative.conflict",
      message="同一数量前后表述不一致：“{first}”与“{second}”")
def same_quantity_same_value(ctx: CheckContext) -> Iterator[Finding]:
    """同一数量在正文中前后两次表述不一致。

    The same quantity is stated twice in the narrative with different values.

    **反例** ``受理申请21件 … 全年共受理申请23件``  **正例** both 21
    """
    yield from _linked_conflicts(ctx)
    yield from _subject_conflicts(ctx)


_CLAUSE_BREAK = regex.compile(r"[，,；;：:、。（()）]")
_GENERIC = set("全年本年度我局我办通过共计累计公开发布政府信息主动各类其中网站平台门户条件篇次个在了的和及与为有将对已")
_HEAD_DROP = regex.compile(r"政府|各类|相关|的|了|共计|共|累计|合计")
_WHOLE = regex.compile(r"共|全年|累计|合计|总计")
# a channel through which information is published: part of "all information published"
_CHANNEL = regex.compile(r"网站|门户|专栏|栏目|公开栏")
_PORTAL = regex.compile(r"网站|门户")
_TOTAL_WORDS = regex.compile(r"共|累计|合计|总计|各类|主动公开")  # names all information published
_PUBLISHED_INFO = regex.compile(r"(?:公开|发布|更新)[^，,；;。\d]{0,4}信息$")
# "all N" of a noun: 全部13个…, 所属13个…均…, 13个…账号全部完成…
_ALL_BEFORE = regex.compile(r"(?:全部|所有|所属|全体)$")
_ALL_AFTER = regex.compile(r"^[^，,；;。\d]{0,12}?(?:均|全部)")
_PART_OPENER = regex.compile(r"^[^。；;]{0,4}?(?:其中|包括|含)")
# an item of an enumerated list (一是旗政府网站方面，…) names the subject of its figures
_ITEM_TOPIC = regex.compile(r"^[^，,。；;\d]{0,3}?(?:[一二三四五六七八九十]是|[（(][一二三四五六七八九十][)）])([^，,。；;\d]{2,16}?)方面")
# a stock counted to a date (截至目前累计公开1770条) is another quantity than a year's flow (本年公开202条)
_TO_DATE = regex.compile(r"截[至止](?:目前|今|当前|现在|\d{4}年|年底|年末|\d{1,2}月|本年|本月)")
SAME_SCALE = 0.6  # two counts of one subject this far apart are more likely two scopes than a slip


def _head(claim: Claim, ctx: CheckContext) -> str:
    """The words right before the number (公开信息), without filler."""
    left = "".join(ctx.text[claim.sentence[0]:claim.number[0]].split())
    left = _CLAUSE_BREAK.split(left)[-1]
    return _HEAD_DROP.sub("", left)


def _right_head(claim: Claim, ctx: CheckContext) -> str:
    """The words right after the unit (23个政务新媒体实行…), for counts written before their noun."""
    right = "".join(ctx.text[claim.end:min(claim.sentence[1], claim.end + 200)].split())
    return _CLAUSE_BREAK.split(right)[0][:12]


def _shared_noun(x: str, y: str) -> str:
    """Longest common run of at least four characters, two of them not generic."""
    best = ""
    for i in range(len(x)):
        for j in range(i + 4, len(x) + 1):
            sub = x[i:j]
            if sub in y and len(sub) > len(best) and sum(ch not in _GENERIC for ch in sub) >= 2:
                best = sub
    return best


def _left(ctx: CheckContext, c: Claim, width: int = 16) -> str:
    """The ``width`` characters before the number, without the line breaks of wrapped text (主⏎动公开)."""
    return "".join(ctx.text[max(c.sentence[0], c.number[0] - 8 * width):c.number[0]].split())[-width:]


def _is_whole(ctx: CheckContext, c: Claim) -> bool:
    return c.role == "total" or bool(_WHOLE.search(_left(ctx, c)))


def _specific(head: str) -> set[str]:
    """The head's two-character words that are not filler (主动, 申请, 网站…)."""
    return {head[k:k + 2] for k in range(len(head) - 1) if not set(head[k:k + 2]) <= _GENERIC}


def _part_exceeds_whole(ctx: CheckContext, a: Claim, b: Claim, ha: str, hb: str) -> bool:
    """共公开政府信息2080条 … 依托门户网站公开信息2081条: a channel larger than the whole. The whole
    must name nothing the part does not (主动公开信息56条 is no whole of 依申请公开信息788条)."""
    whole_a, whole_b = _is_whole(ctx, a), _is_whole(ctx, b)
    if whole_a == whole_b:
        return False
    whole, part = (a, b) if whole_a else (b, a)
    head_whole, head_part = (ha, hb) if whole_a else (hb, ha)
    if _specific(head_whole) - _specific(head_part):
        return False
    return part.value > whole.value


def _part_of(ctx: CheckContext, a: Claim, b: Claim, nonspace: list[int]) -> bool:
    """累计公开信息1770条，其中本年度公开202条: b is introduced as a part of a."""
    if not 0 <= nonspace[b.number[0]] - nonspace[a.end] <= 40:
        return False
    between = "".join(ctx.text[a.end:b.number[0]].split())
    return len(between) <= 40 and bool(_PART_OPENER.search(between)) and b.value <= a.value


def _wholeness(ctx: CheckContext, c: Claim) -> int:
    """How plainly a figure is all information published: a total word, and no channel named."""
    left = _left(ctx, c)
    return bool(_TOTAL_WORDS.search(left)) + (not _CHANNEL.search(left))


def _website_total_twice(ctx: CheckContext, a: Claim, b: Claim, ha: str, hb: str) -> bool:
    """通过门户网站主动公开各类信息1729条 … 在政府网站累计发布信息1734条: near-equal website totals.
    Worth a look, not proof: the site may post more than the disclosed information."""
    if not (_PUBLISHED_INFO.search(ha) and _PUBLISHED_INFO.search(hb)):
        return False
    left_a, left_b = _left(ctx, a), _left(ctx, b)
    return (bool(_TOTAL_WORDS.search(left_a) and _TOTAL_WORDS.search(left_b))
            and bool(_PORTAL.search(left_a) and _PORTAL.search(left_b)) and _near(a, b))


def _channel_exceeds_total(ctx: CheckContext, a: Claim, b: Claim, ha: str, hb: str) -> bool:
    """主动公开政府信息442条 … 政府信息公开专栏发布信息447条: a website channel publishing more
    information than the report says was published in all."""
    if not (_PUBLISHED_INFO.search(ha) and _PUBLISHED_INFO.search(hb)):
        return False
    wa, wb = _wholeness(ctx, a), _wholeness(ctx, b)
    if wa == wb:
        return False
    whole, channel = (a, b) if wa > wb else (b, a)
    return (bool(_TOTAL_WORDS.search(_left(ctx, whole))) and bool(_CHANNEL.search(_left(ctx, channel)))
            and channel.value > whole.value)


def _says_all(ctx: CheckContext, c: Claim) -> bool:
    """全部13个政务新媒体 / 13个政务新媒体均已备案: the count claims to be every one of them. As an
    object (对13个政务新媒体均开展检查) 均 only says each of those 13 was checked."""
    left = _left(ctx, c, 4)
    if _ALL_BEFORE.search(left):
        return True
    return "对" not in left and bool(_ALL_AFTER.search(ctx.text[c.end:min(c.sentence[1], c.end + 40)]))


def _item_topic(ctx: CheckContext, c: Claim) -> str | None:
    """The subject an enumerated item announces (二是旗蒙文网站方面，年内发布信息854条): figures of two
    items with different subjects are two quantities, however alike their words."""
    m = _ITEM_TOPIC.search("".join(ctx.text[c.sentence[0]:c.number[0]].split()))
    return m.group(1) if m else None


def _to_date(ctx: CheckContext, c: Claim) -> bool:
    """The figure is a stock counted up to a date (截至目前…累计N条), not the year's count."""
    return bool(_TO_DATE.search("".join(ctx.text[c.sentence[0]:c.number[0]].split())))


def _near(a: Claim, b: Claim) -> bool:
    return abs(a.value - b.value) <= max(1.0, 0.05 * max(a.value, b.value))


def _one_scope(ctx: CheckContext, a: Claim, b: Claim) -> bool:
    """No scope word tells them apart (全区政务新媒体24个 … 本机关12个政务新媒体均已备案 do)."""
    sa, sb = scope_of(ctx, a), scope_of(ctx, b)
    return sa <= sb or sb <= sa


def _same_scale(a: Claim, b: Claim) -> bool:
    return min(a.value, b.value) >= SAME_SCALE * max(a.value, b.value)


def _subject_proof(ctx: CheckContext, a: Claim, b: Claim, ha: str, hb: str, na: str, nb: str) -> str | None:
    """"proven" when the wording proves the two figures one quantity, "suggested" when it only suggests it.
    ``ha``/``hb`` are their heads, ``na``/``nb`` their nouns (``_noun``)."""
    if ("依申请" in ha) != ("依申请" in hb):
        return None  # disclosure on request is never a part or a restatement of proactive disclosure
    same_head = len(ha) >= 4 and len(hb) >= 4 and ha[-4:] == hb[-4:]
    noun = same_head or bool(_shared_noun(na, nb))
    if same_head:
        specific_a = {ha[k:k + 2] for k in range(len(ha) - 1)} - {hb[-4:][k:k + 2] for k in range(3)}
        specific_b = {hb[k:k + 2] for k in range(len(hb) - 1)}
        if {bg for bg in specific_a & specific_b if not set(bg) <= _GENERIC} or _part_exceeds_whole(ctx, a, b, ha, hb):
            return "proven"
    if _same_scale(a, b) and _channel_exceeds_total(ctx, a, b, ha, hb):
        return "proven"
    if noun and (_says_all(ctx, a) or _says_all(ctx, b)) and _one_scope(ctx, a, b):
        return "proven"
    if _near(a, b) and (noun or _website_total_twice(ctx, a, b, ha, hb)):
        return "suggested"
    return None


def _subject_conflicts(ctx: CheckContext) -> Iterator[Finding]:
    """Untabled figures of one subject given two different exact values in different sentences:
    the same head and a shared specific word (审计信息栏目/专栏 公开信息), a part larger than its
    whole, or an "all N" restatement of the same noun is a contradiction (provable); other near-equal
    counts of one noun (政务新媒体24个 … 对23个政务新媒体实行监测) are worth a look, not proof.

    Each figure is reported once, against the first earlier figure it contradicts. Only figures that
    share a four-character run of their nouns (or both name published information) are compared,
    the ``MAX_PARTNERS`` nearest of them: the work stays linear in the text however many figures of
    one noun it holds."""
    pool = [c for c in ctx.claims if not c.candidates and c.kind == "count" and c.role in ("plain", "total")
            and not c.approx and c.unit]
    heads = [_head(c, ctx) for c in pool]
    nouns = [_noun(c, ctx, h) for c, h in zip(pool, heads)]
    nonspace = _nonspace_prefix(ctx.text)
    earlier: dict[tuple, list[int]] = {}
    for j, b in enumerate(pool):
        deadline.check()
        keys = _subject_keys(ctx, b, heads[j], nouns[j])
        partners = sorted({i for key in keys for i in earlier.get(key, ())[-MAX_PARTNERS:]})[-MAX_PARTNERS:]
        for key in keys:
            earlier.setdefault(key, []).append(j)
        for i in partners:
            a = pool[i]
            if b.sentence == a.sentence or b.value == a.value or _part_of(ctx, a, b, nonspace):
                continue
            proof = _subject_proof(ctx, a, b, heads[i], heads[j], nouns[i], nouns[j])
            if proof is None:
                continue
            yield ctx.finding("NT004", stated=plain_number(b.value), expected=plain_number(a.value),
                              evidence=[ctx.text_ev(a.start, a.end), ctx.text_ev(b.start, b.end)],
                              first=a.quote.replace("\n", ""), second=b.quote.replace("\n", ""),
                              facts={"linked": False, "provable": proof == "proven"})
            break


MAX_PARTNERS = 64  # earlier figures of the same noun a figure is compared with


def _noun(c: Claim, ctx: CheckContext, head: str) -> str:
    """What a figure counts: the end of its head and the words after its unit."""
    return head[-8:] + "|" + _right_head(c, ctx)


def _subject_keys(ctx: CheckContext, c: Claim, head: str, noun: str) -> set[tuple]:
    """The buckets a figure is compared within: its unit, item topic and stock-or-flow, with each
    four-character run of its noun (any shared noun contains one), or "published information"."""
    scope = (c.unit, _item_topic(ctx, c), _to_date(ctx, c))
    keys = {(*scope, noun[k:k + 4]) for k in range(len(noun) - 3)}
    if _PUBLISHED_INFO.search(head):
        keys.add((*scope, "published"))
    return keys


def _nonspace_prefix(text: str) -> list[int]:
    """count[k] = non-whitespace characters in text[:k]."""
    return [0, *accumulate(not ch.isspace() for ch in text)]


def _linked_conflicts(ctx: CheckContext) -> Iterator[Finding]:
    seen: dict[tuple, Claim] = {}
    for c in ctx.claims:
        if not c.candidates or c.kind != "count" or c.role in ("delta", "part") or c.approx:
            continue
        key = (c.metric, c.candidates, scope_of(ctx, c))
        first = seen.get(key)
        if first is None:
            seen[key] = c
            continue
        if first.high < c.low - TOL or c.high < first.low - TOL:
            yield ctx.finding("NT004", stated=plain_number(c.value), expected=plain_number(first.value),
                              evidence=[ctx.text_ev(first.start, first.end), ctx.text_ev(c.start, c.end)],
                              first=first.quote.replace("\n", ""), second=c.quote.replace("\n", ""))
