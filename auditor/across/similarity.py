"""Near-duplicate narrative paragraphs across a batch of reports (for ``meta.copied``).

Design: copying is a property of the batch, not of one report, so it is computed once, in the
process that sees every report (``auditor.batch``), and each report's audit receives only its
own matches in ``CheckContext.config["copies"]``. A report audited alone has no corpus and the
``meta.copied`` rule yields nothing.

Method, per report: narrative paragraphs (lines without table tabs, at least
``MIN_PARAGRAPH_CHARS`` characters, mostly Han characters, not mostly template labels — a
table flattened into one line) are reduced to character 5-grams over a folded text
(no spaces or punctuation, every run of digits read as ``#``, so 2022→2023 and 7件→9件 still
match). Boilerplate 5-grams are removed before comparing:

- the statutory template: headings, row and column labels of both formats, and the template
  sentences every report must contain (根据《条例》…编制本报告, 统计期限…, 如对本报告有疑问…,
  the 勾稽关系 note, the 信息处理费 statement, the sub-headings of 六 and the four statutory
  outcomes of 人大代表建议) — see ``TEMPLATE_SENTENCES``;
- in a batch of at least ``MIN_REPORTS_FOR_COMMON`` reports, every 5-gram found in more than
  ``COMMON_SHARE`` of the reports: phrases the whole batch shares are not anybody's copy;
- a paragraph found in more than ``MAX_SHARING_REPORTS`` reports, or an LSH bucket holding more
  near-identical variants than that: shared wording again, and what keeps the comparison from
  growing with the square of the batch (10^5 reports share many such paragraphs).

A paragraph with fewer than ``MIN_SHINGLES`` 5-grams left is not compared. Candidate pairs come
from MinHash LSH (64 hashes, 16 bands of 4: a pair at Jaccard 0.8 is a candidate with
probability 0.9998) and are confirmed with the exact Jaccard index of the filtered sets:
``THRESHOLD`` = 0.8. Which matches count for a report:

- the same agency's report of an earlier year (severity low in the rule);
- another agency's report of the same or an earlier year (severity medium);
- never a report of the same agency and the same or a later year, an identical file, or a report
  whose agency could not be read (the direction or the owner of the text is then unknown).

One match per paragraph: the same agency first, then the highest similarity, the nearest year,
the source path, the earlier paragraph (so the choice never depends on the order of the pairs).

This module reads the paragraphs of one report; ``copy_index`` runs the search over a batch.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .pairing import agency_key, same_agency

SHINGLE = 5
MIN_PARAGRAPH_CHARS = 40
MIN_HAN_SHARE = 0.6  # narrative, not URLs, file paths or number rows
MAX_LABEL_SHARE = 0.5  # more of its Han text in template labels: a table flattened into one line
MIN_SHINGLES = 16
THRESHOLD = 0.8
COMMON_SHARE = 0.3
MIN_REPORTS_FOR_COMMON = 10
# a paragraph (or a family of near-identical ones) in more reports than this is the batch's shared
# wording, not a copy of one report; it also keeps the comparison linear in the batch's size
MAX_SHARING_REPORTS = 50
NUM_HASHES, BANDS = 64, 16
EXCERPT_CHARS = 80

TEMPLATE_SENTENCES = (  # a sentence containing one of these is the template's, not the agency's
    r"统计(?:期限|周期|时限|时间|区间|期间|范围)|数据(?:统计)?(?:期限|时间)",
    r"本(?:年度)?报告[^。\n]{0,100}?(?:编制|编写|制作)",
    r"(?:编制|编写)了?本(?:年度)?报告",
    r"如对本?(?:年度)?报告[^。\n]{0,40}?(?:疑问|意见|建议)",
    r"报告(?:的)?电子版",
    r"本列(?:的)?数据的勾稽关系为",
    r"信息处理费",  # 六（一）: a one-line statement of the fee, worded alike everywhere
    r"根据《中华人民共和国政府信息公开条例》",
    # 六's statutory sub-headings, and the four statutory outcomes of 人大代表建议/政协提案
    r"本年度人大代表建议和政协提案办理情况",
    r"本单位在政务公开制度、内容、形式和平台建设方面的创新实践情况",
    r"(?:工作要点|工作方案)》?落实情况",
    r"已解决采纳[^。\n]{0,80}?留作参考",
)
_TEMPLATE_RE = re.compile("|".join(f"(?:{p})" for p in TEMPLATE_SENTENCES))
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_FOLD_DROP = re.compile(r"[\s\W_]+")
_DIGITS = re.compile(r"\d+")
_NOT_HAN = re.compile(r"[^\u3400-\u9fff\uf900-\ufaff]+")
_U64 = np.uint64


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    shingles: np.ndarray  # sorted unique uint64 hashes of the folded 5-grams
    excerpt: str


@dataclass(frozen=True)
class CorpusDoc:
    """What the corpus comparison needs of one report (small: no text kept)."""

    source: str
    sha256: str
    agency: str | None
    year: int | None
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class CopyMatch:
    """A paragraph of this report (``start``/``end``) found in another report."""

    start: int
    end: int
    similarity: float
    other_source: str
    other_quote: str
    other_agency: str | None
    other_year: int | None
    same_agency: bool


@dataclass(frozen=True)
class CopyResult:
    matches: tuple[CopyMatch, ...]
    share: float  # copied characters / narrative characters compared


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a stable, well-spread 64-bit hash (uint64 arithmetic wraps)."""
    z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
    return z ^ (z >> _U64(31))


def _han_count(text: str) -> int:
    return len(_NOT_HAN.sub("", text))  # Chinese text is mostly Han: few runs to drop, no list made


def fold(text: str) -> str:
    return _DIGITS.sub("#", _FOLD_DROP.sub("", text))


def shingles(text: str) -> np.ndarray:
    """Sorted unique hashes of the character 5-grams of ``fold(text)``."""
    s = fold(text)
    if len(s) < SHINGLE:
        return np.zeros(0, dtype=_U64)
    cp = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(_U64)
    n = len(cp) - SHINGLE + 1
    h = np.zeros(n, dtype=_U64)
    for j in range(SHINGLE):
        h = h * _U64(1_000_003) + cp[j:j + n]
    return np.unique(_mix(h))


TABLE_WORDS = ("第二十条第一项", "第二十条第五项", "第二十条第六项", "第二十条第八项", "第二十条第九项", "信息内容",
               "申请人情况", "法人或其他组织", "行政诉讼", "本列数据的勾稽关系为第一项加第二项之和等于第三项加第四项之和")


@lru_cache(maxsize=1)
def template_texts() -> tuple[str, ...]:
    """Every heading, label and table word of both statutory formats, folded."""
    from ..template import load_template

    texts: list[str] = list(TABLE_WORDS)
    for fmt in ("2021", "2019"):
        t = load_template(fmt)
        texts += [h.label for h in t.headings] + [v for h in t.headings for v in h.variants]
        for table in t.tables.values():
            texts.append(table.title)
            texts += [c.label for c in table.columns]
            texts += [r.full_label for r in table.rows] + [r.label for r in table.rows]
            texts += [r.group_label or "" for r in table.rows] + [v for r in table.rows for v in r.variants]
    return tuple(sorted({fold(x) for x in texts if len(fold(x)) >= 2}, key=len, reverse=True))


@lru_cache(maxsize=1)
def template_shingles() -> np.ndarray:
    parts = [shingles(x) for x in template_texts()]
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=_U64)


@lru_cache(maxsize=1)
def _label_re() -> re.Pattern:
    return re.compile("|".join(re.escape(x) for x in template_texts()))


def _flattened_table(body: str, dropped: str | None = None) -> bool:
    """A statutory table written as one line (labels and figures glued): mostly template labels.
    ``dropped``: the body without what ``fold`` drops, when the caller has it already."""
    folded = _DIGITS.sub("#", _FOLD_DROP.sub("", body) if dropped is None else dropped)
    han = _han_count(folded)
    return han > 0 and _han_count(_label_re().sub("", folded)) < (1 - MAX_LABEL_SHARE) * han


def _own_runs(body: str) -> list[str]:
    """The paragraph's runs of consecutive sentences that are not template sentences. Sentence by
    sentence, so the search stays linear however long a line without a full stop is."""
    runs, current = [], ""
    for sentence in _SENTENCE_END.split(body):
        if _TEMPLATE_RE.search(sentence):
            runs.append(current)
            current = ""
        else:
            current += sentence
    return [r for r in (*runs, current) if r]


def paragraphs(text: str) -> tuple[Paragraph, ...]:
    """Narrative paragraphs of a normalized report text, template sentences left out."""
    out: list[Paragraph] = []
    pos = 0
    for line in text.split("\n"):
        start = pos + len(line) - len(line.lstrip())
        pos += len(line) + 1
        body = line.strip()
        if len(body) < MIN_PARAGRAPH_CHARS or "\t" in body:
            continue
        dropped = _FOLD_DROP.sub("", body)
        if not dropped or _han_count(dropped) / len(dropped) < MIN_HAN_SHARE:  # URLs, paths, number rows
            continue
        hashes = [shingles(run) for run in _own_runs(body)]
        if not hashes:
            continue
        sh = np.unique(np.concatenate(hashes)) if len(hashes) > 1 else hashes[0]
        if len(sh) >= MIN_SHINGLES and not _flattened_table(body, dropped):
            out.append(Paragraph(start, start + len(body), sh, body[:EXCERPT_CHARS]))
    return tuple(out)


def corpus_doc(source: str, text: str, *, sha256: str = "", agency: str | None = None,
               year: int | None = None) -> CorpusDoc:
    return CorpusDoc(source, sha256, agency, year, paragraphs(text))


_SIGNATURE_CHUNK = 1 << 12  # shingles hashed at once: a (NUM_HASHES x chunk) uint64 array of 2 MB stays in cache


def _signatures(sets: list[np.ndarray]) -> np.ndarray:
    """The MinHash signature of each (non-empty) set, one row each, computed a chunk of sets at a time."""
    seeds = _mix(np.arange(1, NUM_HASHES + 1, dtype=_U64) * _U64(0x9E3779B97F4A7C15))
    sig = np.empty((len(sets), NUM_HASHES), dtype=_U64)
    lo = 0
    while lo < len(sets):
        hi, size = lo + 1, len(sets[lo])
        while hi < len(sets) and size + len(sets[hi]) <= _SIGNATURE_CHUNK:
            size += len(sets[hi])
            hi += 1
        part = sets[lo:hi]
        starts = np.cumsum([0] + [len(s) for s in part[:-1]])
        hashed = _mix(np.concatenate(part)[None, :] ^ seeds[:, None])
        sig[lo:hi] = np.minimum.reduceat(hashed, starts, axis=1).T
        lo = hi
    return sig


def _relation(doc, other) -> str | None:
    """'own' (same agency, earlier year), 'other' (another agency, not later) or None."""
    if doc.sha256 and doc.sha256 == other.sha256:
        return None
    if agency_key(doc.agency) is None or agency_key(other.agency) is None:
        return None
    if same_agency(doc.agency, other.agency):
        return "own" if doc.year and other.year and other.year < doc.year else None
    if doc.year and other.year and other.year > doc.year:
        return None
    return "other"
