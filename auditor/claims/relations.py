"""The relations between claims, read from the words around them: shares (258件，占33.9%), rates
(办结率), conclusions about 表四 (没有行政复议), and each figure's wording (what it counts, its
scope, whether it is a whole or names every one of something). The checks read these typed
relations (``claims.model.Relations``) and never the text; word lists: ``patterns/relations.yaml``.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import islice

import regex

from .extract import unit_family
from .lexicon import load_patterns
from .model import Claim, Outcome, Rate, Relations, Share, Wording
from .sentences import CLAUSE_BREAKS

_CLAUSE_SPLIT = regex.compile("[" + "".join(sorted(CLAUSE_BREAKS)) + "]")
_NONSPACE = regex.compile(r"\S")
# counts of things that exist rather than happen (accounts, sites): "to a date" is how they are
# always counted, not a stock set against a year's flow
_ENTITY_UNITS = frozenset("个家所")


def read_relations(text: str, claims: list[Claim] | tuple[Claim, ...], table_spans=()) -> Relations:
    """The relations of ``claims`` (in their order). Every count stated as itself (role plain or
    total) gets its scope; the ones no table holds (no candidate cell, exact, with a unit) also get
    their wording: what the rules can compare only by their words. None for the rest."""
    p = load_patterns("relations")
    counted = [c.kind == "count" and c.role in ("plain", "total") for c in claims]
    worded = [k and not c.candidates and not c.approx and bool(c.unit) for c, k in zip(claims, counted)]
    nonspace = _nonspace_before(text, {x for c, w in zip(claims, worded) if w for x in (c.end, c.number[0])})
    return Relations(
        scopes=tuple(_scope(text, c, p) if k else None for c, k in zip(claims, counted)),
        wordings=tuple(_wording(text, c, nonspace, p) if w else None for c, w in zip(claims, worded)),
        shares=tuple(_shares(text, claims, p)), rates=tuple(_rates(text, claims, p)),
        outcomes=tuple(_outcomes(text, [(a, b) for _, a, b in table_spans], p)))


def _nonspace_before(text: str, positions: set[int]) -> dict[int, int]:
    """For each position, how many characters before it are not whitespace."""
    out, seen, last = {}, 0, 0
    for pos in sorted(positions):
        seen += len(_compact(text[last:pos]))
        out[pos], last = seen, pos
    return out


def _scope(text: str, c: Claim, p: dict) -> frozenset[str]:
    """The scope words before a figure (本级, 全市, 乡镇…)."""
    return frozenset(p["scope"].findall(text, c.sentence[0], c.number[0]))


def _compact(s: str) -> str:
    return "".join(s.split())


# ----------------------------------------------------------------------------- wording
def _wording(text: str, c: Claim, nonspace: dict[int, int], p: dict) -> Wording:
    before = _compact(text[c.sentence[0]:c.number[0]])
    left = _compact(text[max(c.sentence[0], c.number[0] - 128):c.number[0]])[-16:]
    left4 = _compact(text[max(c.sentence[0], c.number[0] - 32):c.number[0]])[-4:]
    head = p["head_drop"].sub("", _split_clauses(before)[-1])
    right = _split_clauses(_compact(text[c.end:min(c.sentence[1], c.end + 200)]))[0][:12]
    topic = p["item_topic"].search(before)
    generic = _generic()
    return Wording(
        head=head, noun=head[-8:] + "|" + right,
        specific=frozenset(head[k:k + 2] for k in range(len(head) - 1) if not set(head[k:k + 2]) <= generic),
        scope=_scope(text, c, p),
        whole=c.role == "total" or bool(p["whole"].search(left)),
        total_word=bool(p["total_words"].search(left)), channel=bool(p["channel"].search(left)),
        portal=bool(p["portal"].search(left)), says_all=_says_all(text, c, left4, p),
        item_topic=topic.group(1) if topic else None, to_date=bool(p["to_date"].search(before)) and c.unit not in _ENTITY_UNITS,
        published_info=bool(p["published_info"].search(head)), on_request="依申请" in head,
        opener_end=_opener_end(text, c, p),
        end_at=nonspace[c.end], number_at=nonspace[c.number[0]])


def _split_clauses(s: str) -> list[str]:
    return _CLAUSE_SPLIT.split(s)


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    return frozenset(load_patterns("relations")["generic"].pattern)


def _nonspace_after(text: str, pos: int, n: int) -> str:
    """The first ``n`` characters after ``pos`` that are not whitespace."""
    got = _compact(text[pos:pos + 4 * n])
    if len(got) >= n or pos + 4 * n >= len(text):
        return got[:n]
    return "".join(m.group() for m in islice(_NONSPACE.finditer(text, pos), n))  # a run of whitespace


def _opener_end(text: str, c: Claim, p: dict) -> int | None:
    """Where 其中/包括/含 right after the figure ends (in non-space characters), if it is there."""
    m = p["part_opener"].search(_nonspace_after(text, c.end, 6))
    return m.end() if m else None


def _says_all(text: str, c: Claim, left4: str, p: dict) -> bool:
    """全部13个政务新媒体 / 13个政务新媒体均已备案: the count claims to be every one of them. As an
    object (对13个政务新媒体均开展检查) 均 only says each of those 13 was checked."""
    if p["all_before"].search(left4):
        return True
    return "对" not in left4 and bool(p["all_after"].search(text[c.end:min(c.sentence[1], c.end + 40)]))


def same_head(a: Wording, b: Wording) -> bool:
    return len(a.head) >= 4 and len(b.head) >= 4 and a.head[-4:] == b.head[-4:]


def specific_beyond_head(a: Wording, b: Wording) -> bool:
    """Two heads ending alike share a specific word besides that ending (审计信息栏目/专栏 公开信息)."""
    tail = {b.head[-4:][k:k + 2] for k in range(3)}
    return bool((a.specific - tail) & b.specific)


def shared_noun(a: Wording, b: Wording) -> str:
    """Longest common run of their nouns of at least four characters, two of them not generic."""
    generic = _generic()
    x, y, best = a.noun, b.noun, ""
    for i in range(len(x)):
        for j in range(i + 4, len(x) + 1):
            sub = x[i:j]
            if sub in y and len(sub) > len(best) and sum(ch not in generic for ch in sub) >= 2:
                best = sub
    return best


# ----------------------------------------------------------------------------- shares and rates
def _shares(text: str, claims, p: dict):
    """(count, percent) pairs written as 258件，占33.9%."""
    for i, c in enumerate(claims):
        if c.kind != "percent" or i == 0:
            continue
        prev = claims[i - 1]
        if prev.kind != "count" or prev.sentence != c.sentence:
            continue
        between = p["leading_unit"].sub("", _compact(text[prev.number[1]:c.number[0]]))
        if p["share"].match(between):
            yield Share(i - 1, i, text[prev.start:c.end].replace("\n", ""))


def _clause_before(text: str, c: Claim) -> str:
    """The clause a claim ends, without spaces: 受理12345热线转办件64件."""
    return _split_clauses(_compact(text[c.sentence[0]:c.end]))[-1]


def _rates(text: str, claims, p: dict):
    """(base, count, rate) for 受理161件，办结161件，办结率99.95%."""
    for i, pct in enumerate(claims):
        if pct.kind != "percent" or i < 2:
            continue
        m = p["rate"].search(_compact(text[pct.sentence[0]:pct.number[0]]))
        count = claims[i - 1]
        if not m or count.kind != "count" or count.sentence != pct.sentence or count.approx:
            continue
        if not p["rate_verbs"][m.group(1)].search(_compact(text[count.sentence[0]:count.end])[-12:]):
            continue
        base = next((j for j in range(i - 2, -1, -1) if claims[j].sentence == pct.sentence
                     and claims[j].kind == "count" and unit_family(claims[j].unit) == unit_family(count.unit)
                     and not claims[j].approx and p["rate_base"].search(_clause_before(text, claims[j])[-24:])), None)
        if base is not None and claims[base].value > 0:
            yield Rate(base, i - 1, i, text[count.start:pct.end].replace("\n", ""))


# ----------------------------------------------------------------------------- 表四 in words
def _outcomes(text: str, zones: list[tuple[int, int]], p: dict):
    for kind in ("none", "upheld", "closed"):
        pat = p[{"none": "no_appeals", "upheld": "all_upheld", "closed": "all_closed"}[kind]]
        for m in pat.finditer(text):
            if any(a <= m.start() < b for a, b in zones):
                continue
            window = text[max(0, m.start() - 40):m.end() + 10]
            if kind != "none" and not p["appeal_word"].search(window):
                continue
            if kind == "none" and (p["not_none"].search(text[m.start():m.end()])
                                   or p["outcome_after"].match(_compact(text[m.end():m.end() + 24]))):
                continue  # 未发生…被行政复议⏎纠错或…败诉: the negation is of an outcome, not of the cases
            sentence = text[m.start():m.end()]
            yield Outcome(m.start(), m.end(), kind, sentence.replace("\n", ""), "复议" in sentence, "诉讼" in sentence)
