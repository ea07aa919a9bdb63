"""Which reports in a batch belong to the same agency, and which is last year's report of each.

An agency name is split into its chain of place names and the organisation that follows:
``淄博市张店区行政审批服务局`` → places ``(淄博市, 张店区)``, organisation ``行政审批服务局``.
Two names denote the same agency when

- their place chains agree where they overlap, read from the innermost place outwards
  (``淄博市张店区`` ~ ``张店区``; ``张店区`` ≁ ``淄川区``; ``淮安市`` ≁ ``淮安市洪泽区``), and
- their organisations are equal, or within ``ORG_THRESHOLD`` (rapidfuzz ``fuzz.ratio``, 0–100)
  and differ only in characters that do not tell units apart (``发展和改革局`` ~ ``发展改革局``).
  A digit, a Chinese numeral or a direction among the differing characters refuses the match
  (``第一大队`` ≁ ``第二大队``).

The rules err on the side of not pairing: a missed pair costs one cross-year check, a wrong pair
reports another agency's figures as errors. ``人民政府办公室`` and ``人民政府`` are different
agencies (ratio 73): the office publishes its own report.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

ORG_THRESHOLD = 90.0
# Place names: 2–7 characters before the suffix (平潭综合实验区), one before 县 (沛县, 泾县).
_PLACE = re.compile(r"(?:[^\W\d_]{2,7}?(?:特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|州|盟|区|旗)|[^\W\d_]{1,7}?县)")
_NOT_PLACE_WORDS = ("城市", "社区", "市场", "区域", "地区性", "县域", "市级", "区级", "县级")
_NOISE = re.compile(r"[（(]?本级[）)]?|[（(][^（）()]{0,12}[）)]$")
_PUNCT = re.compile(r"[\W_]+")
_DISTINCTIVE = set("0123456789〇零一二三四五六七八九十百千东南西北中上下前后左右甲乙丙丁新老")


@dataclass(frozen=True)
class AgencyKey:
    """A normalised agency name: its place chain (outermost first) and its organisation."""

    places: tuple[str, ...]
    org: str

    @property
    def text(self) -> str:
        return "".join(self.places) + self.org


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFKC", name)
    name = re.sub(r"\s+", "", name)
    name = _NOISE.sub("", name)
    return _PUNCT.sub("", name)


@lru_cache(maxsize=4096)
def agency_key(name: str | None) -> AgencyKey | None:
    """The normalised key of an agency name, or None when nothing is left of it."""
    if not name:
        return None
    rest = _clean(name)
    places: list[str] = []
    while (m := _PLACE.match(rest)) and m.end() < len(rest):  # a bare place name stays the organisation
        if any(w in m.group() for w in _NOT_PLACE_WORDS):
            break
        places.append(m.group())
        rest = rest[m.end():]
    return AgencyKey(tuple(places), rest) if rest else None


def _places_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a or not b:
        return a == b
    n = min(len(a), len(b))
    return a[-n:] == b[-n:]


def _differing_chars(a: str, b: str) -> set[str]:
    out: set[str] = set()
    for op in Indel.editops(a, b):
        out.add(a[op.src_pos] if op.tag == "delete" else b[op.dest_pos])
    return out


def org_similarity(a: str, b: str) -> float:
    """0–100; 0 when the organisations differ in a distinguishing character."""
    if a == b:
        return 100.0
    score = fuzz.ratio(a, b)
    if score < ORG_THRESHOLD or _differing_chars(a, b) & _DISTINCTIVE:
        return 0.0
    return score


def same_agency(a: str | AgencyKey | None, b: str | AgencyKey | None) -> bool:
    ka = a if isinstance(a, AgencyKey) or a is None else agency_key(a)
    kb = b if isinstance(b, AgencyKey) or b is None else agency_key(b)
    if ka is None or kb is None or not ka.org or not kb.org:
        return False
    return _places_agree(ka.places, kb.places) and org_similarity(ka.org, kb.org) >= ORG_THRESHOLD


_FILENAME_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?!\d)")


def year_of(report_year: int | None, source: str) -> int | None:
    """The report year as read from the report, else the only year in the file name."""
    if report_year:
        return report_year
    years = set(_FILENAME_YEAR.findall(source.replace("\\", "/").rsplit("/", 1)[-1]))
    return int(years.pop()) if len(years) == 1 else None


@dataclass(frozen=True)
class PairItem:
    source: str
    agency: str | None
    year: int | None
    sha256: str = ""


def bucket_of(agency: str | None) -> str | None:
    """The innermost place of an agency's name: only reports of one bucket can pair (None: no agency)."""
    key = agency_key(agency)
    if key is None:
        return None
    return key.places[-1] if key.places else ""


def pair_previous(items: Iterable[PairItem]) -> dict[str, str]:
    """Map each report's source to the source of the same agency's report of the year before.

    Candidates are bucketed by innermost place (``bucket_of``), so the fuzzy comparison stays small,
    and a batch on disk can pair one bucket at a time (``pair_bucket``).
    """
    buckets: dict[str, list[PairItem]] = defaultdict(list)
    for item in items:
        bucket = bucket_of(item.agency)
        if item.year and bucket is not None:
            buckets[bucket].append(item)
    out: dict[str, str] = {}
    for group in buckets.values():
        out.update(pair_bucket(group))
    return out


def pair_bucket(group: list[PairItem]) -> dict[str, str]:
    """``pair_previous`` within one bucket (items with a year and an agency). When several files
    qualify (the same report as HTML and PDF), the closest name wins, then the first source in sort
    order. A file never pairs with a copy of itself (same sha256). Last year's organisations are
    screened in C (``fuzz.ratio`` at the threshold, which ``same_agency`` requires anyway), so a
    bucket of thousands of reports pairs in milliseconds, not in its square of Python comparisons."""
    keys = [agency_key(item.agency) for item in group]
    by_year: dict[int, list[int]] = defaultdict(list)
    for k, item in enumerate(group):
        by_year[item.year].append(k)
    orgs = {year: [keys[k].org for k in ks] for year, ks in by_year.items()}
    out: dict[str, str] = {}
    for k, item in enumerate(group):
        last_year = by_year.get(item.year - 1)
        if not last_year:
            continue
        ka = keys[k]
        best: tuple[float, str] | None = None
        for _, _, at in process.extract(ka.org, orgs[item.year - 1], scorer=fuzz.ratio, processor=None,
                                        score_cutoff=ORG_THRESHOLD, limit=None):
            cand, kb = group[last_year[at]], keys[last_year[at]]
            if (item.sha256 and cand.sha256 == item.sha256) or not same_agency(ka, kb):
                continue
            rank = (-org_similarity(ka.org, kb.org), cand.source)
            if best is None or rank < best:
                best = rank
        if best is not None:
            out[item.source] = best[1]
    return out


def chain_sequence(previous: np.ndarray) -> np.ndarray:
    """The reports ``0..n-1`` reordered so that each agency's reports come together, each right after
    the one it follows (``previous[i]``, -1 for none), chains in the order of their first report: a
    worker auditing them in turn has last year's analysis at hand. Every report is kept once, whatever
    ``previous`` says (a cycle, a report following itself). Integer arrays, not objects: a batch of
    10^5 reports orders in a few megabytes."""
    n = len(previous)
    prev = np.where((previous >= 0) & (previous < n), previous, -1).astype(np.int64)
    followers = np.lexsort((np.arange(n), prev))  # grouped by what they follow, each group in order
    grouped = prev[followers]
    first = np.searchsorted(grouped, np.arange(n), "left")
    last = np.searchsorted(grouped, np.arange(n), "right")
    seen = np.zeros(n, dtype=bool)
    out = np.empty(n, dtype=np.int64)
    k = 0
    for i in range(n):
        root, hops = i, {i}
        while (earlier := int(prev[root])) >= 0 and not seen[earlier] and earlier not in hops:
            root = earlier
            hops.add(root)
        stack = [root]
        while stack:
            s = stack.pop()
            if not seen[s]:
                seen[s] = True
                out[k] = s
                k += 1
                stack.extend(reversed(followers[first[s]:last[s]].tolist()))
    return out


def chain_order(sources: list[str], previous: dict[str, str]) -> list[str]:
    """``chain_sequence`` over named reports."""
    at = {s: i for i, s in enumerate(sources)}
    prev = np.array([at.get(previous.get(s), -1) for s in sources], dtype=np.int64)
    return [sources[i] for i in chain_sequence(prev).tolist()]
