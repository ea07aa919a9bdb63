"""Narrative -> claims: every quantity with its metric, qualifiers and role in a structure.

Numbers are read on the raw text (``numbers.find_quantities``); metrics, applicants and
topics are matched on each sentence's whitespace-free form, clause by clause, with the
lexicon in ``patterns/metrics.yaml``. Structures (a total and its breakdown, an outcome
list, a count with its share) are recorded on the claims for the checks to reconcile.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import regex

from .. import deadline
from .lexicon import Lexicon, Metric, load_lexicon
from .nlp import Ent, get_tagger
from ..tables.model import TOLERANCE
from .model import Claim, ReportFacts
from .numbers import Quantity, find_quantities
from .sentences import CLAUSE_BREAKS, Sentence, split_sentences

_OPENER = regex.compile(r"^[，,：:]?(?:其中|包括|含|分别为|分别是)[，,：:]?")
_PAREN_OPEN = regex.compile(r"^[（(](?:其中|含|包括)?[，,：:]?")
_EXHAUSTIVE = regex.compile(r"分别为|分别是")
_OUTCOME = regex.compile(r"办理结果(?:为|是|如下)|办理情况(?:为|是)|结果(?:为|如下)[：:]")
_TOTAL_HINT = regex.compile(r"共|合计|总计|累计|总数|全年|总量|全部")
# a breakdown continued in the next sentence: 。其中，… / 。从申请渠道看，…; the total may be
# followed by a short clause without figures (共受理申请4件，申请人均为自然人。其中，…)
_NEXT_OPENER = regex.compile(r"其中|从[^，,。\d]{1,8}(?:看|分)")
_TAIL = 16
_SEMICOLON = regex.compile(r"[；;]")
# a sentence about letters, calls or messages is not about disclosure applications, whatever its section
_OTHER_SUBJECT = regex.compile(r"来信|来访|来电|留言|咨询|信件|诉求|热线|信箱|建议|提案|投诉|举报")
# how an application arrived: no statutory table counts applications by channel
_CHANNEL = regex.compile(r"通过(?:网络|网上|在线|信函|来信|当面|电子邮件|邮件|传真|邮寄|网站|平台|政府网站|依申请公开系统)"
                         r"|(?:网络|网上|在线|信函|当面|邮件|传真|邮寄)(?:申请|提交|提出|方式)|来信|来函")
_COORDINATION = regex.compile(r"[、，,和及与或]{1,2}")
_APPLIED = regex.compile(r"申请|提出")  # 自然人提出50件, 企业申请3件: an applicant's count of applications
_HEADING = regex.compile(r"^(?:[（(][一二三四五六七八九十]{1,2}[）)]|[一二三四五六七八九十]{1,2}、)")  # a section heading
_DELTA = regex.compile(r"(?:增加|减少|增长|下降|提高|降低|上升|减|增|多|少)(?:了)?$")
_DELTA_CTX = regex.compile(r"较上一?年|同比|比上一?年|与上一?年|与去年|较去年|比去年|上年同期|较20\d\d年|比20\d\d年")
_ALL = regex.compile(r"全部为|全部是|均为|都是|均是|全为")
_HEADLINE_APPLICATION_METRICS = frozenset({"new_received", "handled", "total_processed"})
_OUTCOME_PREFIXES = ("granted", "partially_granted", "denied", "unable", "not_processed", "other_")
_APPLICANT_KEYS = frozenset({"natural_person", "legal_all", "commercial", "research", "social", "legal"})
_PROPOSAL = regex.compile(r"建议|提案|议案")
_EXTRA = regex.compile(r"另有|另外|此外|另")
_APPEAL_TERMS = regex.compile(r"行政复议|行政诉讼|复议|诉讼")
_DECREASE = regex.compile(r"减少|下降|降低|减|少(?:了)?$")
_SEMICOLON = regex.compile(r"[；;]")
_CLAIM_KINDS = frozenset({"count", "percent", "money"})
_UNIT_FAMILY = {"份": "件", "宗": "件", "起": "件", "篇": "条"}


@dataclass
class _Open:
    total: int  # index into claims
    end: int  # compact index where it closes
    exhaustive: bool
    group: int
    paren: bool = False
    parts: list[int] = field(default_factory=list)


def unit_family(unit: str | None) -> str | None:
    return _UNIT_FAMILY.get(unit, unit) if unit else None


def _clause_bounds(s: Sentence, ci: int, cj: int, prev_end: int, next_start: int) -> tuple[int, int]:
    lb = ci
    while lb > prev_end and s.compact[lb - 1] not in CLAUSE_BREAKS:
        lb -= 1
    rb = cj
    while rb < next_start and s.compact[rb] not in CLAUSE_BREAKS:
        rb += 1
    return lb, rb


def _coordinated_start(s: Sentence, lb: int, prev_end: int) -> int:
    """Where a clause's subject starts when 、 joins nouns rather than clauses (公民、法人和其他组织
    提出申请7件: the clause of 7 starts at 法人, its subject at 公民)."""
    while lb > prev_end and s.compact[lb - 1] == "、":
        k = lb - 1
        while k > prev_end and s.compact[k - 1] not in CLAUSE_BREAKS and not s.compact[k - 1].isdigit():
            k -= 1
        if k == lb - 1:
            break
        lb = k
    return lb


def _find_metric(lex: Lexicon, ents, lb: int, ci: int, cj: int, rb: int, clause: str,
                 topics: set[str], unit: str | None = None) -> tuple[Metric, int, int, str] | None:
    """The first-listed metric tagged in the clause, left of the number first, then right.
    A term that ends the clause right before its count (全年许可决定7件。) needs no verb."""
    in_clause = [e for e in ents if e.label_ == "METRIC" and lb <= e.start_char and e.end_char <= rb]
    appeals_only = "appeals" in topics and any(lex.metric(e.ent_id_).topic == "appeals" for e in in_clause)
    for side, lo, hi in (("left", lb, ci), ("right", cj, rb)):
        best = None
        for e in in_clause:
            if e.start_char < lo or e.end_char > hi:
                continue
            m = lex.metric(e.ent_id_)
            if appeals_only and m.topic != "appeals":
                continue  # 维持原答复9件 in a 复议 sentence is an outcome, not 答复
            bare = unit in m.bare_units and e.end_char == ci and cj == rb
            if m.requires is not None and not bare and not m.requires.search(clause):
                continue
            if m.forbids is not None and m.forbids.search(clause):
                continue
            if m.requires_topic and m.requires_topic not in topics:
                continue
            if "other" in topics and m.topic == "applications" and "applications" not in topics:
                continue
            if best is None or m.order < best[0].order or (m.order == best[0].order and side == "left"):
                best = (m, e.start_char, e.end_char, side)
            elif side == "left" and best[2] <= e.start_char and _REASONS.search(clause[best[2] - lb:e.start_char - lb]):
                # 因申请内容不明确、不属于本机关职责等原因无法提供3件: the reasons name what the group
                # term right before the figure counts, not the figure itself
                best = (m, e.start_char, e.end_char, side)
        if best:
            return best
    return None


_REASONS = regex.compile(r"等(?:原因|情形|情况)?|原因|情形")


def _windows(s: Sentence, qs: list[Quantity], idx) -> list[tuple[int, int]]:
    """The clauses around the counts (compact indices), overlapping ones merged: what spaCy tags."""
    windows: list[list[int]] = []
    for k, q in enumerate(qs):
        if q.kind != "count":
            continue
        prev_end = idx[k - 1][1] if k else 0
        next_start = idx[k + 1][0] if k + 1 < len(qs) else len(s.compact)
        lb, rb = _clause_bounds(s, idx[k][0], idx[k][1], prev_end, next_start)
        lb = _coordinated_start(s, lb, prev_end)
        if windows and lb <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], rb)
        else:
            windows.append([lb, rb])
    return [(lb, rb) for lb, rb in windows]


def _tag_sentences(sentences: list[Sentence], per_sentence: list[list[Quantity]], idxs) -> list[list[Ent]]:
    """Each sentence's tagged terms (sentence-compact spans), all windows of the report in one batch."""
    windows = [(si, lb, rb) for si, qs in enumerate(per_sentence) if qs
               for lb, rb in _windows(sentences[si], qs, idxs[si])]
    tagged = get_tagger()([sentences[si].compact[lb:rb] for si, lb, rb in windows])
    ents: list[list[Ent]] = [[] for _ in sentences]
    for (si, lb, _), found in zip(windows, tagged):
        ents[si] += [e._replace(start_char=e.start_char + lb, end_char=e.end_char + lb) for e in found]
    return ents


def _per_sentence(sentences: list[Sentence], quantities: list[Quantity]) -> list[list[Quantity]]:
    """The quantities inside each sentence, in order."""
    out: list[list[Quantity]] = []
    qi = 0
    for s in sentences:
        while qi < len(quantities) and quantities[qi].start < s.start:
            qi += 1
        qs = []
        while qi < len(quantities) and quantities[qi].end <= s.end:
            qs.append(quantities[qi])
            qi += 1
        out.append(qs)
    return out


def _every_applicant(ents, compact: str, lb: int, rb: int) -> bool:
    """公民、法人和其他组织…申请7件: persons and organisations coordinated (、和及与或) before one figure
    are every applicant, so the figure is the total, not a column."""
    found = sorted((e.start_char, e.end_char, e.ent_id_) for e in ents
                   if e.label_ == "APPLICANT" and lb <= e.start_char and e.end_char <= rb)
    for (s1, e1, k1), (s2, e2, k2) in zip(found, found[1:]):
        if {k1, k2} & {"natural_person"} and k1 != k2 and _COORDINATION.fullmatch(compact[e1:s2]):
            return True
    return False


def _applicant(ents, lb: int, rb: int) -> tuple[str, int, int] | None:
    """The applicant qualifier of a clause; 企业等法人或其他组织 is the whole 法人 group."""
    found = [(e.ent_id_, e.start_char, e.end_char) for e in ents
             if e.label_ == "APPLICANT" and lb <= e.start_char and e.end_char <= rb]
    general = [f for f in found if f[0] == "legal_all"]
    return (general or found or [None])[0]


def _sentence_topics(lex: Lexicon, s: Sentence) -> set[str]:
    return {k for k, pat in lex.topics.items() if pat.search(s.compact)}


def _proposal_outcomes(lex: Lexicon, s: Sentence, qs: list[Quantity], idx) -> list[int]:
    """Where a 建议、提案 outcome list starts when no 办理结果为 announces it: the first of three or
    more outcome classes with their figures, after a single count (建议2条，已解决采纳1件，正在解决0件，
    留作参考0件). After two counts (建议5条、提案3件，已解决…) the list may be of both: not read."""
    if lex.proposal_outcome is None or not _PROPOSAL.search(s.compact):
        return []
    found = list(lex.proposal_outcome.finditer(s.compact))
    if len({m.lastgroup for m in found}) < 3:
        return []
    start = found[0].start()
    before = [q for q, (ci, _) in zip(qs, idx) if ci < start and q.kind == "count"]
    return [start] if len(before) == 1 else []


def _narrative_quantities(text: str, tables: list[tuple[int, int]]) -> list[Quantity]:
    """The quantities outside the tables (most of a report's numbers are table cells, read by the
    tables stage): each stretch of narrative is scanned on its own, offsets kept."""
    out: list[Quantity] = []
    pos = 0
    for a, b in sorted(tables) + [(len(text), len(text))]:
        if a > pos:
            out += find_quantities(text[pos:a], _CLAIM_KINDS, offset=pos)
        pos = max(pos, b)
    return out


def extract(text: str, facts: ReportFacts, tables) -> list[Claim]:
    lex = load_lexicon()
    exclude = [(a, b) for _, a, b in getattr(tables, "spans", ())]
    sentences = split_sentences(text, exclude)
    quantities = _narrative_quantities(text, exclude)
    per_sentence = _per_sentence(sentences, quantities)
    idxs = [[(s.compact_index(q.start), s.compact_index(q.end)) for q in qs]
            for s, qs in zip(sentences, per_sentence)]
    tagged = _tag_sentences(sentences, per_sentence, idxs)
    claims: list[Claim] = []
    context = _Context()
    for si, s in enumerate(sentences):
        deadline.check()
        topics = context.topics(lex, s)
        if per_sentence[si]:
            _sentence_claims(claims, text, lex, sentences, si, per_sentence[si], idxs[si], tagged[si], topics, context)
    return _assign_groups(claims)


class _Context:
    """What a sentence inherits from those before it: its paragraph's applications claim (an
    applicant's count after it is a part of it) and the subject of its paragraph and section."""

    def __init__(self) -> None:
        self.app: Claim | None = None  # the paragraph's current applications claim
        self.para = -1
        self.para_topics: set[str] = set()
        self.section_topics: set[str] = set()  # what the current （二）依申请公开情况 heading is about

    def topics(self, lex: Lexicon, s: Sentence) -> set[str]:
        """The sentence's topics, with those it inherits; moves the context on to it."""
        heading = _HEADING.match(s.compact)
        if s.paragraph != self.para or heading:  # （四）平台建设 run into one line
            self.app, self.para, self.para_topics = None, s.paragraph, set()
        topics = _sentence_topics(lex, s)
        if heading:
            self.section_topics = topics & {"applications", "appeals"}
        if not topics & {"applications", "appeals", "other"} and not _OTHER_SUBJECT.search(s.compact):
            # 本年度办理完结51件。 continues the subject of its paragraph, else of its section
            topics |= self.para_topics or self.section_topics
        self.para_topics = topics & {"applications", "appeals"} or self.para_topics
        return topics


@dataclass(frozen=True)
class _Clause:
    """The clause of one quantity, in the sentence's compact text: ``lb:rb`` around the number
    ``ci:cj``; ``prev_end`` is where the previous quantity of the sentence ends."""

    lb: int
    ci: int
    cj: int
    rb: int
    prev_end: int
    left: str
    right: str


def _clause(s: Sentence, idx, k: int) -> _Clause:
    ci, cj = idx[k]
    prev_end = idx[k - 1][1] if k else 0
    next_start = idx[k + 1][0] if k + 1 < len(idx) else len(s.compact)
    lb, rb = _clause_bounds(s, ci, cj, prev_end, next_start)
    return _Clause(lb, ci, cj, rb, prev_end, s.compact[lb:ci], s.compact[cj:rb])


def _sentence_claims(claims: list[Claim], text: str, lex: Lexicon, sentences: list[Sentence], si: int,
                     qs: list[Quantity], idx, ents, topics: set[str], context: _Context) -> None:
    """The claims of one sentence's quantities, and the structures (breakdowns, outcome and
    category lists) between them, appended to ``claims``."""
    s = sentences[si]
    appeals_group: str | None = None
    first_in_sentence = len(claims)
    opens: list[_Open] = []
    outcome_at = [m.start() for m in _OUTCOME.finditer(s.compact)] or _proposal_outcomes(lex, s, qs, idx)
    for k, q in enumerate(qs):
        cl = _clause(s, idx, k)
        appeal_terms = list(_APPEAL_TERMS.finditer(cl.left + cl.right))
        if appeal_terms:
            appeals_group = "review" if "复议" in appeal_terms[-1].group() else "litigation"
        claim, found, applicant = _claim(text, lex, s, si, q, cl, ents, topics, appeals_group, context.app)
        claims.append(claim)
        if found and found[0].key in _HEADLINE_APPLICATION_METRICS and not applicant:
            context.app = claim
        _structure(claims, opens, s, k, qs, idx, outcome_at, first_in_sentence, sentences, si)
    for o in opens:
        _close(claims, o)
    _category_list(claims, first_in_sentence, s)


def _claim(text: str, lex: Lexicon, s: Sentence, si: int, q: Quantity, cl: _Clause, ents, topics: set[str],
           appeals_group: str | None, carry_app: Claim | None):
    """(claim, the metric found in its clause or None, its applicant or None) for quantity ``q``."""
    qualifiers: list[str] = []
    role = _role(q, s, cl, qualifiers)
    clause = cl.left + cl.right
    countable = role == "plain" and q.kind == "count" and q.unit in lex.table_units
    found = _find_metric(lex, ents, cl.lb, cl.ci, cl.cj, cl.rb, clause, topics, q.unit) if countable else None
    applicant = _applicant(ents, cl.lb, cl.rb) if "applications" in topics and countable else None
    if applicant and _every_applicant(ents, s.compact, _coordinated_start(s, cl.lb, cl.prev_end), cl.rb):
        applicant = None
    metric_key, candidates, qa, qb = _attribution(lex, q, cl, role, found, applicant, appeals_group, carry_app,
                                                  qualifiers)
    if applicant:
        qualifiers.append(applicant[0])
    if _ALL.search(clause):
        qualifiers.append("全部")
    if _TOTAL_HINT.search(cl.left):
        qualifiers.append("共")
    start, end = s.to_text(qa, qb)
    start = min(start, q.start)
    end = max(end, q.end)
    claim = Claim(start=start, end=end, quote=text[start:end], metric=metric_key, value=q.value,
                  low=q.low, high=q.high, unit=q.unit, approx=q.approx, sentence=(s.start, s.end),
                  number=(q.start, q.end), qualifiers=tuple(qualifiers), kind=q.kind, decimals=q.decimals,
                  candidates=candidates, role=role,
                  extra={"rows": _base_rows(found[0]) if found else (), "ci": cl.ci, "cj": cl.cj, "si": si,
                         "para": s.paragraph})
    return claim, found, applicant


def _role(q: Quantity, s: Sentence, cl: _Clause, qualifiers: list[str]) -> str:
    """``share`` (a percent), ``delta`` (较上年增加3件: its qualifiers added) or ``plain``."""
    if q.kind == "percent":
        return "share"
    if _DELTA.search(cl.left) and (_DELTA_CTX.search(cl.left + cl.right) or _DELTA_CTX.search(s.compact[:cl.ci])):
        qualifiers.append("较上年")
        qualifiers.append("减少" if _DECREASE.search(cl.left) else "增加")
        return "delta"
    return "plain"


def _attribution(lex: Lexicon, q: Quantity, cl: _Clause, role: str, found, applicant, appeals_group: str | None,
                 carry_app: Claim | None, qualifiers: list[str]):
    """(metric, candidate table cells, quote start, quote end) of a quantity: from the metric
    named in its clause, else from the paragraph's applications claim its applicant splits,
    else an applicant's own count of applications."""
    metric_key, candidates = None, ()
    qa, qb = max(cl.lb, cl.ci - 24), cl.cj
    if found:
        m, a, b, side = found
        metric_key = m.key
        if side == "left":
            qa = a
        else:
            qb = b
        candidates = _candidates(m, applicant[0] if applicant else None, appeals_group)
        if _CHANNEL.search(cl.left):
            candidates = ()
            qualifiers.append("渠道")
        if applicant and applicant[1] < cl.ci:
            qa = min(qa, applicant[1])
    elif applicant and role == "plain" and carry_app is not None:
        metric_key = carry_app.metric
        if applicant[1] < cl.ci:
            qa = applicant[1]
        else:
            qb = applicant[2]
        candidates = tuple(_with_column(c, applicant[0]) for c in carry_app.candidates
                           if c.startswith("applications:") and "@" not in c)
    elif applicant and role == "plain" and q.kind == "count" and _APPLIED.search(cl.left + cl.right):
        # 申请人中，自然人提出50件 with no figure before it: the applications received
        metric_key = "new_received"
        if applicant[1] < cl.ci:
            qa = applicant[1]
        candidates = _candidates(lex.metric(metric_key), applicant[0], None)
    return metric_key, candidates, qa, qb


def _base_rows(m: Metric) -> tuple[str, ...]:
    return tuple(m.candidates)


def _with_column(expr: str, applicant: str) -> str:
    return f"{expr}@{applicant}"


def _candidates(m: Metric, applicant: str | None, appeals_group: str | None) -> tuple[str, ...]:
    out = []
    for c in m.candidates:
        if c.startswith("."):
            if appeals_group is None:
                return ()
            groups = ["review"] if appeals_group == "review" else [
                "litigation_direct+litigation_after_review", "litigation_direct", "litigation_after_review"]
            out += [f"appeals:{g}{c}" for g in groups]
        elif m.topic == "appeals":
            out.append(f"appeals:{c}")
        elif m.topic == "active":
            out.append(f"active:{c}")
        else:
            out.append(f"applications:{c}" + (f"@{applicant}" if applicant else ""))
    return tuple(out)


# ----------------------------------------------------------------------------- structures
def _structure(claims, opens, s: Sentence, k, qs, idx, outcome_at, first, sentences, si) -> None:
    """Attach claim k of this sentence to open structures, and open one if it is a total."""
    me = len(claims) - 1
    ci, cj = idx[k]
    for pos in list(outcome_at):
        if pos < ci:
            outcome_at.remove(pos)
            for o in opens:
                _close(claims, o)
            opens.clear()
            total = next((i for i in range(first, me) if "共" in claims[i].qualifiers), first if first < me else None)
            if total is not None:
                opens.append(_Open(total=total, end=len(s.compact), exhaustive=True, group=-1))
    while opens and opens[-1].end <= ci:
        _close(claims, opens.pop())
    c = claims[me]
    if c.metric in ("review", "litigation"):
        while opens and claims[opens[-1].total].metric in ("review", "litigation"):
            _close(claims, opens.pop())  # 行政诉讼2件 starts anew: not a part of 行政复议
    extra_item = _EXTRA.search(s.compact, max(0, ci - 4), ci) is not None  # 另有103件…: beside, not inside
    if opens and c.role == "plain" and "全部" not in c.qualifiers and c.kind == "count" and not extra_item:
        top = opens[-1]
        tot = claims[top.total]
        # a parenthesis right after its total breaks it down whatever the unit (建议12条（主办1件，协办12件）)
        if top.exhaustive and top.group == -1 or top.paren or unit_family(c.unit) == unit_family(tot.unit):
            if _second_classification(claims, top, c):
                _close(claims, top)  # 其中自然人5件、法人1件，予以公开5件…: the same total classified again
                opens[-1] = top = _Open(total=top.total, end=top.end, exhaustive=False, group=top.group)
            top.parts.append(me)
    if c.role == "delta" and me > first and _OPENER.match(s.compact[cj:cj + 8]):
        prev = next((i for i in range(me - 1, first - 1, -1) if claims[i].kind == "count" and claims[i].role != "delta"), None)
        if prev is not None:  # 新收7件，同比下降1件，其中…: the list breaks down the 7
            stop = _SEMICOLON.search(s.compact, cj)
            m = _OPENER.match(s.compact[cj:cj + 8])
            opens.append(_Open(total=prev, end=stop.start() if stop else len(s.compact),
                               exhaustive=bool(_EXHAUSTIVE.search(m.group())), group=0))
        return
    if c.role != "plain" or c.kind != "count":
        return
    after = s.compact[cj:cj + 8]
    m = _PAREN_OPEN.match(after)
    if m:
        close = s.compact.find("）" if "（" in m.group() else ")", cj)
        opens.append(_Open(total=me, end=close if close > 0 else len(s.compact), exhaustive=False, group=0, paren=True))
        return
    m = _OPENER.match(after)
    if m:
        stop = _SEMICOLON.search(s.compact, cj)
        opens.append(_Open(total=me, end=stop.start() if stop else len(s.compact),
                           exhaustive=bool(_EXHAUSTIVE.search(m.group())), group=0))
        return
    if k == len(qs) - 1 and si + 1 < len(sentences):
        nxt = sentences[si + 1]
        opener = _NEXT_OPENER.match(nxt.compact)
        counts = [i for i in range(first, me + 1) if claims[i].kind == "count" and claims[i].role != "delta"]
        # after the sentence's last figure at most a short clause without figures, and only when
        # that leaves one figure to break down (…4件，申请人均为自然人。其中，…)
        closes = cj >= len(s.compact) - 2 or (cj >= len(s.compact) - _TAIL and len(counts) == 1)
        if opener and closes and counts and nxt.paragraph == s.paragraph:
            kind = "其中" if opener.group().startswith("其中") else "从"
            claims[me] = replace(claims[me], extra={**claims[me].extra, "opens_next": kind})  # see _assign_groups


# a list of information categories after a total, with no 其中: 主动公开信息364条，人事信息17条，
# 规划类信息1条…，其他应主动公开信息19条 (a catch-all last: the whole), or 公开类别主要涉及… (a list)
_CATEGORY_NOUN = regex.compile(r"(?:类|方面)[^，,、；;。\d]{0,6}$|信息$|类$")
_CATCH_ALL = regex.compile(r"^[，,、；;]?(?:其他|其它)")
_CATEGORY_LEAD = regex.compile(r"(?:信息)?类别[^，,。；;\d]{0,4}(?:涉及|包括|为|分为|如下)|按[^，,。\d]{0,4}类别")
_PUBLISHED_TOTAL = regex.compile(r"(?:公开|发布)[^，,；;。\d]{0,8}信息$")


def _category_list(claims: list[Claim], first: int, s: Sentence) -> None:
    """A published-information total followed, in its sentence and with no 其中, by three or more
    counts each named by an information category: the categories break the total down, wholly when
    the last is the catch-all 其他 class, as a list (maybe partial) after 类别包括/涉及."""
    counts = list(range(first, len(claims)))
    for n, t in enumerate(counts):
        tot = claims[t]
        items = counts[n + 1:]
        if (tot.kind != "count" or tot.role != "plain" or len(items) < 3
                or not _PUBLISHED_TOTAL.search(s.compact[:tot.extra["ci"]].split("，")[-1])):
            continue
        ok = all(claims[i].kind == "count" and claims[i].role == "plain" and not claims[i].approx
                 and unit_family(claims[i].unit) == unit_family(tot.unit) for i in items)
        lefts = [s.compact[claims[p].extra["cj"]:claims[i].extra["ci"]] for p, i in zip([t, *items], items)]
        if not ok or not all(_CATEGORY_NOUN.search(x.rstrip("的")) or "类" in x for x in lefts):
            return
        whole = bool(_CATCH_ALL.match(lefts[-1]))
        if whole or _CATEGORY_LEAD.search(lefts[0]):
            _attach(claims, t, tuple(items), whole)
        return


def _dimension(c: Claim) -> str | None:
    """What a part classifies its total by: applicants, outcomes, or channels."""
    if set(c.qualifiers) & _APPLICANT_KEYS:
        return "applicant"
    if _is_outcome(c.metric):
        return "outcome"
    if "渠道" in c.qualifiers:
        return "channel"
    return None


def _second_classification(claims, top: _Open, c: Claim) -> bool:
    """The parts so far add up to the total and the next figure classifies it another way."""
    if not top.parts:
        return False
    last, new = _dimension(claims[top.parts[-1]]), _dimension(c)
    done = abs(sum(claims[p].value for p in top.parts) - claims[top.total].value) < TOLERANCE
    return done and last is not None and new is not None and last != new


def _close(claims, o: _Open) -> None:
    if o.parts:
        _attach(claims, o.total, tuple(o.parts), o.exhaustive)


def _attach(claims, total: int, parts: tuple[int, ...], exhaustive: bool) -> None:
    """Record a breakdown of claim ``total``; a total may have several (主办/协办 and 办理结果)."""
    tot = claims[total]
    breakdowns = tot.extra.get("breakdowns", ()) + ((parts, exhaustive),)
    claims[total] = replace(tot, role="total" if tot.role == "plain" else tot.role, group=total,
                            extra={**tot.extra, "breakdowns": breakdowns})
    for p in parts:
        pc = claims[p]
        claims[p] = replace(pc, role="part" if pc.role == "plain" else pc.role, group=total,
                            extra={**pc.extra, "part_of": total})


def _is_outcome(metric: str | None) -> bool:
    return bool(metric) and metric.startswith(_OUTCOME_PREFIXES)


def _breakdown_target(claims: list[Claim], si: int, parts_of) -> tuple[int | None, tuple[int, ...]]:
    """Which figure of sentence ``si`` the next sentence's breakdown (其中… / 从…看) breaks down, and its
    parts. By default a 共 total, else the processed applications (results follow 办结), else the
    received, else the last figure; but outcomes break down the processed (共受理0件，上年结转5件，
    办理完结3件。其中，予以公开3件…) and applicants the received, when the sentence states it."""
    counts = [i for i, d in enumerate(claims) if d.extra.get("si") == si and d.kind == "count" and d.role != "delta"]
    target = next((i for i in counts if "共" in claims[i].qualifiers), None)
    for key in ("total_processed", "new_received", "handled"):
        target = target if target is not None else next((i for i in counts if claims[i].metric == key), None)
    target = target if target is not None else counts[-1]
    parts = parts_of(claims[target])
    metrics = [claims[j].metric for j in parts]

    def stated(metric: str, default: int | None) -> int | None:
        return next((i for i in counts if claims[i].metric == metric and claims[i].role in ("plain", "total")), default)

    if any(_is_outcome(m) for m in metrics) and all(m is None or _is_outcome(m) for m in metrics):
        return stated("total_processed", target), parts
    if parts and all(set(claims[j].qualifiers) & _APPLICANT_KEYS for j in parts):
        return stated("new_received", None), parts  # 办理完毕5件…。其中自然人6件: not of the processed
    return target, parts


def _assign_groups(claims: list[Claim]) -> list[Claim]:
    """A sentence's figure continued by a next sentence that opens with 其中 (or 从…看)."""
    out = list(claims)
    for c in claims:
        if not c.extra.get("opens_next"):
            continue
        si = c.extra["si"]

        def parts_of(total: Claim) -> tuple[int, ...]:
            return tuple(j for j, d in enumerate(out) if d.extra.get("si") == si + 1 and d.kind == "count"
                         and d.role == "plain" and unit_family(d.unit) == unit_family(total.unit)
                         and "全部" not in d.qualifiers)

        target, parts = _breakdown_target(out, si, parts_of)
        if target is not None and len(parts) >= (2 if c.extra["opens_next"] == "从" else 1):
            _attach(out, target, parts, False)  # 从办理结果看，X 4件: one item, not a list
    return out
