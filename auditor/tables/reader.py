"""Read the statutory tables out of the normalized text.

Rows are anchored on their statutory labels (exact after folding, else fuzzy with
rapidfuzz ``partial_ratio_alignment``, cut-off ``LABEL_CUTOFF``), in template order; the
run of numbers after a label is its row. Digits that scraping ran together are split
only where the template's sums force one reading (see ``digits``).
"""
from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import regex
from rapidfuzz import fuzz

from ..template import RowSpec, TableSpec, Template
from .digits import MAX_READINGS, TooManyReadings, readings
from .locate import Region, _Folded, locate_folded
from .model import TOLERANCE as TOL
from .model import Cell, LabelMatch, StatutoryTables, Unreadable
from .normalize import fold, fold_whole, fold_with_map
from .tokens import NumTok, Run, tokenize

LABEL_CUTOFF = 72.0  # partial_ratio (0-100) below which a label is "not found"
MIN_BARE_LABEL = 4  # a label searched without its item number must be at least this long
# No cell of these tables comes near 10^15 (the largest are fees in 万元 and permits, 10^8 at most);
# a longer figure is no statistic, and past 4,300 digits Python will not even convert it.
# Glued rows (表三, several cells written together) are bounded by the digit splitter instead.
MAX_CELL_DIGITS = 15


def _value(raw: str) -> int | float | None:
    s = raw.strip().replace(",", "").replace("，", "").replace("−", "-").lstrip("+")
    if s in ("", "—", "--", "-", "/", "／", "—-", "——", "\\", "无"):
        return None
    try:
        return int(s) if len(s) <= 4000 else None
    except ValueError:
        try:
            v = float(s)
        except ValueError:
            return None
        return v if math.isfinite(v) else None


@dataclass
class _Row:
    spec: RowSpec
    label: LabelMatch | None = None
    run: Run | None = None
    candidates: list[list[Cell]] | None = None  # alternative readings of the row
    reason: str = ""
    proven: str | None = None  # the relation no reading of its digits satisfies


# --------------------------------------------------------------------------- anchoring
@lru_cache(maxsize=None)
def _needles(spec: RowSpec) -> tuple[tuple[str, bool], ...]:
    """Folded search strings, each with whether it carries the item number."""
    out: list[tuple[str, bool]] = []
    for lab in (spec.label, *spec.variants):
        if spec.prefix:
            out.append((fold(spec.prefix + lab), True))
        if not spec.prefix or len(fold(lab)) >= MIN_BARE_LABEL:
            out.append((fold(lab), False))
    return tuple(out)


def _anchor_exact(folded: str, spec: RowSpec, cursor: int) -> tuple[int, int] | None:
    best = None
    for needle, _ in _needles(spec):
        pos = folded.find(needle, cursor)
        if pos >= 0 and (best is None or pos < best[0] or (pos == best[0] and pos + len(needle) > best[1])):
            best = (pos, pos + len(needle))
    return best


def _label_chunks(folded: str, offs: list[int], items) -> list[tuple[Run, str, list[int]]]:
    """Each run of numbers with the folded text standing before it (back to the previous run)."""
    out, prev = [], 0
    for it in items:
        if isinstance(it, Run):
            k = bisect.bisect_left(offs, it.start)
            chunk = folded[prev:k].rstrip("0123456789")
            out.append((it, chunk, offs[prev:prev + len(chunk)]))
            prev = bisect.bisect_left(offs, it.end)
    return out


def _anchor_fuzzy(chunks, spec: RowSpec, lo: int, hi: int) -> tuple[int, int, float] | None:
    """Best fuzzy label among the texts that stand right before a run of numbers.

    A row's label always ends where its numbers begin, so candidates are the suffixes of
    each text stretch before a run (``fuzz.ratio``, cut-off ``LABEL_CUTOFF``).
    """
    # the variants too, with and without the item number: a report writing the short form
    # (（二）部分公开) mistypes the short form (（二）部公开), far from the long label in ratio
    forms = {spec.full_label, spec.label, *spec.variants, *(spec.prefix + v for v in spec.variants if spec.prefix)}
    targets = sorted(t for t in {fold(f) for f in forms} if len(t) >= MIN_BARE_LABEL)
    best = None
    for run, folded, offs in chunks:
        if run.start < lo or not folded:
            continue
        if run.start > hi:
            break
        if offs[0] < lo:  # the window opens inside this stretch: keep its part after lo
            k = bisect.bisect_left(offs, lo)
            folded, offs = folded[k:], offs[k:]
            if not folded:
                continue
        for target in targets:
            for length in range(max(2, len(target) - 6), min(len(target) + 7, len(folded) + 1)):
                cand = folded[-length:]
                score = fuzz.ratio(target, cand)
                if score >= LABEL_CUTOFF and (best is None or score > best[2]):
                    a = len(folded) - length
                    best = (offs[a], offs[len(folded) - 1] + 1, score)
    return best


def _trim_label(folded: str, a: int, b: int, lo: int, hi: int) -> tuple[int, int]:
    """Cut an aligned label to its written extent: from its item number to its numbers."""
    while a < b and not ("\u4e00" <= folded[a] <= "\u9fff" or folded[a] in "(（"):
        a += 1
    if a - 2 >= lo and folded[a - 1] == "." and folded[a - 2].isdigit():
        a -= 2  # the item number ("2.") belongs to the label even when glued to cells
    while b > a and not ("\u4e00" <= folded[b - 1] <= "\u9fff" or folded[b - 1] in ")）"):
        b -= 1
    while b < hi and not folded[b].isdigit():
        b += 1
    return a, b


def _interleaved(written: str, statutory: str) -> bool:
    """A label wrapped over lines with a neighbouring cell's text spliced in (PDF/markdown
    extraction), rather than a typo: every statutory character is still there, in order."""
    if "\n" not in written.strip():
        return False
    it = iter(fold(written))
    return all(ch in it for ch in fold(statutory))


def _variant_hit_checked(text: str, folded: str, offs: list[int], spec: RowSpec, key: str, a: int, b: int) -> LabelMatch:
    """An exact hit on a short accepted variant (逾期不补正) inside a longer written label is only
    exact if the whole label is an accepted form: 1.申请人无正当理法由逾期不补正… is a typo."""
    exact_label = LabelMatch(key, spec.full_label, text[offs[a]:offs[b - 1] + 1], offs[a], offs[b - 1] + 1, 100.0, True)
    hit = folded[a:b]
    if hit in (fold(spec.full_label), fold(spec.label)):
        return exact_label
    if not spec.prefix:
        return _parenthetical_checked(text, folded, offs, spec, key, a, b, exact_label)
    prefix = fold(spec.prefix)
    start = folded.rfind(prefix, max(0, a - 40), a + 1)
    if start < 0 or any(ch.isdigit() for ch in folded[start + len(prefix):a]):
        return exact_label
    end = b
    while end < len(folded) and not folded[end].isdigit() and end - b < 60:
        end += 1
    written = folded[start:end]
    allowed = {fold(spec.prefix + v) for v in (spec.label, *spec.variants)}
    if written in allowed:
        return exact_label
    score = fuzz.ratio(written, fold(spec.full_label))
    if score < LABEL_CUTOFF or _interleaved(text[offs[start]:offs[end - 1] + 1], spec.full_label):
        return exact_label  # a short form followed by other text, not a mistyped label
    return LabelMatch(key, spec.full_label, text[offs[start]:offs[end - 1] + 1], offs[start], offs[end - 1] + 1,
                      score, False)


def _parenthetical_checked(text: str, folded: str, offs: list[int], spec: RowSpec, key: str, a: int, b: int,
                           exact_label: LabelMatch) -> LabelMatch:
    """The short form （二）部分公开 is accepted, but when the statutory parenthesis follows it, the
    parenthesis is part of the label: （区分处理的，只计这一形…） is a mistyped label."""
    full = fold(spec.full_label)
    if b >= len(folded) or folded[b] != "(" or not full.startswith(folded[a:b] + "("):
        return exact_label
    end = folded.find(")", b, b + 40)
    if end < 0 or any(ch.isdigit() for ch in folded[b:end]):
        return exact_label
    written = folded[a:end + 1]
    if written == full:
        return exact_label
    score = fuzz.ratio(written, full)
    span_text = text[offs[a]:offs[end] + 1]
    if score < LABEL_CUTOFF or _interleaved(span_text, spec.full_label):
        return exact_label
    return LabelMatch(key, spec.full_label, span_text, offs[a], offs[end] + 1, score, False)


def _anchor_rows(text: str, region: Region, spec: TableSpec, items, folded: str, offs: list[int],
                 ordered: bool = True) -> list[_Row]:
    rows = [_Row(r) for r in spec.rows]
    spans: list[tuple[int, int] | None] = []
    chunks = None
    cursor = 0
    for row in rows:
        hit = _anchor_exact(folded, row.spec, cursor)
        spans.append(hit)
        if hit and ordered:
            cursor = hit[1]
    for i, row in enumerate(rows):
        key = f"{spec.key}.{row.spec.key}"
        if spans[i]:
            a, b = spans[i]
            row.label = _variant_hit_checked(text, folded, offs, row.spec, key, a, b)
            continue
        lo = next((s[1] for s in reversed(spans[:i]) if s), 0) if ordered else 0
        hi = next((s[0] for s in spans[i + 1:] if s), len(folded)) if ordered else len(folded)
        lo_off = offs[lo - 1] + 1 if lo > 0 else region.start
        hi_off = offs[hi] if hi < len(offs) else region.end
        if chunks is None:
            chunks = _label_chunks(folded, offs, items)
        hit = _anchor_fuzzy(chunks, row.spec, lo_off, hi_off)
        if hit:
            start, end, score = hit
            a = next(j for j, o in enumerate(offs) if o >= start)
            b = next((j for j, o in enumerate(offs) if o >= end), len(offs))
            a, b = _trim_label(folded, a, b, lo, hi)
            spans[i] = (a, b)
            written = text[offs[a]:offs[b - 1] + 1]
            exact = (fold(written) in {fold(v) for v in (row.spec.full_label, *row.spec.variants)}
                     or _interleaved(written, row.spec.full_label))
            row.label = LabelMatch(key, row.spec.full_label, written, offs[a], offs[b - 1] + 1, score, exact)
    return rows


# --------------------------------------------------------------------------- runs -> cells
def _cells_from_split(table: str, row: RowSpec, cols, run: Run, split) -> list[Cell]:
    cells, used = [], {}
    for (ti, digits), col in zip(split, cols):
        tok = run.toks[ti]
        off = tok.start + used.get(ti, 0)
        used[ti] = used.get(ti, 0) + len(digits)
        cells.append(Cell(f"{table}.{row.key}.{col}", _value(digits), digits, off, off + len(digits)))
    return cells


def _trimmed(run: Run, n: int) -> list[NumTok]:
    """The run's tokens without the empty trailing cells of a too-wide grid."""
    toks = list(run.toks)
    while len(toks) > n and toks[-1].raw.strip() == "":
        toks.pop()
    return toks


def _row_total_ok(values: list[float]) -> bool:
    return abs(sum(values[:-1]) - values[-1]) < TOL


def _resumes_after_wrap(text: str, end: int) -> bool:
    """More figures right after a few words that open no row (a label wrapped into the row's cells:
    …只计这一情形，⏎ 1 0 0 不计其他情形） 0 0 0 0): the row goes on, so no cell is proven blank."""
    window = text[end:end + 30]
    m = regex.search(r"\d", window)
    return bool(m) and not _ROW_OPENER.search(window[:m.start()])


_ROW_OPENER = regex.compile(r"[（(][一二三四五六七八九十]|[一二三四五六七八九十]、|^\s*$")
_UNIT_AFTER = regex.compile(r"\s*(?:[个元件条项次%％]|万元)")


def _continues(text: str, run: Run) -> bool:
    """A signed figure glued after the run (行政许可 134-10…): the row goes on, unreadably."""
    rest = text[run.end:run.end + 3].lstrip(" \t")
    return bool(rest) and rest[0] in "-−+" and rest[1:2].isdigit()


def _read_run(text: str, table: str, row: _Row, cols: tuple[str, ...], run: Run, row_total: bool) -> None:
    n = len(cols)
    toks = _trimmed(run, n)
    if any(len(t.raw.replace(",", "").split(".")[0]) > MAX_CELL_DIGITS for t in toks if not t.is_null) \
            and (len(toks) >= n or not row_total):  # a row of separate cells; glued ones are split
        row.reason = f"数值超过{MAX_CELL_DIGITS}位，超出统计数字的合理范围，无法读取"
        return
    if len(toks) == n + 1 and row_total and all(_value(t.raw) is not None for t in toks):
        vals = [_value(t.raw) for t in toks]
        if abs(sum(vals[1:n - 1]) - vals[n - 1]) < TOL:  # a 法人或其他组织小计 column added locally
            toks = toks[:n - 1] + toks[n:]
    if len(toks) == n:
        row.candidates = [[Cell(f"{table}.{row.spec.key}.{c}", _value(t.raw), t.raw, t.start, t.end)
                           for t, c in zip(toks, cols)]]
        return
    if len(toks) > n or any(t.is_null for t in toks):
        row.reason = f"该行读到{len(toks)}个数字，模板要求{n}个"
        return
    raws = [t.raw.replace(",", "") for t in toks]
    if _continues(text, run):
        row.reason = "该行数字未能完整读取"
        return
    digits = sum(len(r.replace(".", "")) for r in raws)
    if digits < n and not _UNIT_AFTER.match(text, run.end) and not _resumes_after_wrap(text, run.end):
        # fewer digits than cells: whichever way it is cut, some cell was left blank (a unit after
        # the run, 3个 3443000元, means the row goes on past what was read)
        row.reason = f"该行只有{digits}个数字，少于模板的{n}栏"
        row.proven = "blank"
        return
    try:
        found = list(readings(raws, n, group=n if row_total else None))
        if not found and row_total and sum(map(len, raws)) == n:
            found = list(readings(raws, n))  # a digit a cell: one reading, whatever the sums say
        unsatisfiable = not found and row_total and any(True for _ in readings(raws, n))
    except TooManyReadings:
        row.reason = "数字连写过长，无法拆分"
        return
    if unsatisfiable:
        row.reason = "数字连写，且无论如何拆分，各申请人列之和均不等于“总计”"
        row.proven = "row_sum"
        return
    if not found or len(found) > MAX_READINGS:
        row.reason = "数字连写，无法按合计关系唯一拆分"
        return
    if not row_total and len(found) > 1:
        row.reason = "数字连写，无法唯一拆分"
        # a cell every reading agrees on is read (行政许可4500: 4|50|0 or 45|0|0, 处理决定 0 either way)
        readings_cells = [_cells_from_split(table, row.spec, cols, run, s) for s in found]
        agreed = [cs[0] if all(o[i].value == cs[0].value for o in readings_cells) else None
                  for i, cs in enumerate(zip(*readings_cells))]
        if any(c is not None for c in agreed):
            row.candidates = [agreed]
        return
    row.candidates = [_cells_from_split(table, row.spec, cols, run, s) for s in found]


def _assign_runs(items, rows: list[_Row]) -> None:
    runs = [it for it in items if isinstance(it, Run)]
    anchored = sorted((r for r in rows if r.label), key=lambda r: r.label.start)
    for i, row in enumerate(anchored):
        nxt = anchored[i + 1].label.start if i + 1 < len(anchored) else None
        for run in runs:
            if run.start >= row.label.end and (nxt is None or run.start < nxt):
                row.run = run
                break
        if row.run is None:
            row.reason = "标签后没有读到数字"


# --------------------------------------------------------------------------- resolution
def _resolve_columns(rows: list[_Row], spec: TableSpec, template: Template) -> None:
    """Pick among alternative splits using the column relations (sum and balance)."""
    ambiguous = [r for r in rows if r.candidates and len(r.candidates) > 1]
    if not ambiguous:
        return
    fixed = {r.spec.key: r.candidates[0] for r in rows if r.candidates and len(r.candidates) == 1}
    rels = [rel for rel in template.relations if rel.table == spec.key and rel.kind in ("column_total", "balance")]
    part_rows = {id(rel): spec.match_rows(rel.parts) for rel in rels if rel.kind == "column_total"}

    def consistent(assign: dict[str, list[Cell]]) -> bool:
        for ci in range(len(spec.columns)):
            def v(k):
                c = assign.get(k)
                return None if c is None else c[ci].value
            for rel in rels:
                if rel.kind == "column_total":
                    parts = [v(k) for k in part_rows[id(rel)]]
                    total = v(rel.total)
                    if total is None or any(p is None for p in parts):
                        continue
                    if abs(sum(parts) - total) > TOL:
                        return False
                else:
                    left = [v(k) for k in rel.left]
                    right = [v(k) for k in rel.right]
                    if any(x is None for x in left + right):
                        continue
                    if abs(sum(left) - sum(right)) > TOL:
                        return False
        return True

    combos = list(itertools.islice(itertools.product(*(r.candidates for r in ambiguous)), 20000))
    passing = [c for c in combos if consistent({**fixed, **{r.spec.key: cand for r, cand in zip(ambiguous, c)}})]
    pool = passing if passing else None
    for idx, row in enumerate(ambiguous):
        options = [c[idx] for c in pool] if pool else row.candidates
        agreed = all(o[ci].value == options[0][ci].value for o in options for ci in range(len(options[0])))
        if agreed:
            row.candidates = [options[0]]
        else:
            keep = [options[0][ci] if all(o[ci].value == options[0][ci].value for o in options) else None
                    for ci in range(len(options[0]))]
            row.candidates = [keep]  # None marks an unreadable cell
            row.reason = "数字连写，无法按合计关系唯一拆分"


def _sequence_fallback(items, rows: list[_Row], spec: TableSpec) -> bool:
    """Layouts whose labels drift away from their numbers: take full rows in order."""
    n = len(spec.columns)
    runs = [it for it in items if isinstance(it, Run) and len(_trimmed(it, n)) == n]
    if len(runs) != len(rows):
        return False
    for row, run in zip(rows, runs):
        row.run, row.candidates, row.reason = run, None, ""
        row.candidates = [[Cell(f"{spec.key}.{row.spec.key}.{c}", _value(t.raw), t.raw, t.start, t.end)
                           for t, c in zip(_trimmed(run, n), (c.key for c in spec.columns))]]
    return True


# --------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class _Scanned:
    """A table region's tokens and folded text, computed once and shared by its readers."""

    items: list
    folded: str
    offs: list[int]


def _scan(text: str, region: Region, whole: _Folded) -> _Scanned:
    return _Scanned(tokenize(text, region.start, region.end), *whole.span(region.start, region.end))


def _read_rows_table(text: str, region: Region, spec: TableSpec, template: Template, row_total: bool,
                     scanned: _Scanned):
    items = scanned.items
    rows = _anchor_rows(text, region, spec, items, scanned.folded, scanned.offs, ordered=row_total)
    _assign_runs(items, rows)
    for row in rows:
        if row.run is not None:
            _read_run(text, spec.key, row, spec.row_columns(row.spec), row.run, row_total)
    broken = [r for r in rows if not r.candidates]
    runs_used = [r.run for r in rows if r.run is not None]
    shared_runs = len(runs_used) != len({id(r) for r in runs_used})
    # labels drifted from their numbers (rows without candidates, shared runs): full rows in order
    fell_back = row_total and (len(broken) > 2 or shared_runs) and _sequence_fallback(items, rows, spec)
    if row_total and not fell_back:
        _resolve_columns(rows, spec, template)
    return rows


def _gap(rows: list[_Row], row: _Row, region: Region) -> tuple[int | None, int | None]:
    """Where an absent row should stand: from its predecessor's figures to its successor's label."""
    i = rows.index(row)
    before = next((r for r in reversed(rows[:i]) if r.label), None)
    after = next((r for r in rows[i + 1:] if r.label), None)
    start = (before.run.end if before and before.run else before.label.end) if before else region.start
    end = after.label.end if after else region.end
    return (start, end) if end > start else (None, None)


_LEGACY_OTHER = "（六）其他处理"
_LEGACY_OTHER_FOLDED = fold(_LEGACY_OTHER)


def _legacy_other_row(text: str, rows: list[_Row], spec: TableSpec, scanned: _Scanned) -> _Row | None:
    """A 2021 table whose （六）其他处理 is still the 2019 single row."""
    others = [r for r in rows if r.spec.key.startswith("other.")]
    if not others or any(r.label for r in others):
        return None
    folded, offs, items = scanned.folded, scanned.offs, scanned.items
    pos = folded.find(_LEGACY_OTHER_FOLDED)
    if pos < 0:
        return None
    end = pos + len(_LEGACY_OTHER_FOLDED)
    label = LabelMatch(f"{spec.key}.other.total", "（六）其他处理", text[offs[pos]:offs[end - 1] + 1],
                       offs[pos], offs[end - 1] + 1, 100.0, True)
    row = _Row(RowSpec("other.total", "（六）其他处理", group="other"), label=label)
    nxt = min((r.label.start for r in rows if r.label and r.label.start > label.end), default=None)
    row.run = next((it for it in items if isinstance(it, Run) and it.start >= label.end and (nxt is None or it.start < nxt)), None)
    if row.run is not None:
        _read_run(text, spec.key, row, tuple(c.key for c in spec.columns), row.run, True)
    return row


_APPEALS_WORDS = regex.compile(r"行政复议|行政诉讼|结果维持|结果纠正|其他结果|尚未审结|总计|未经复议直接起诉|复议后起诉|"
                               r"直接起诉|未经复议|复议后|起诉|的")
_HAN2 = regex.compile(r"\p{Han}{2}")


def _appeals_runs(text: str, items) -> list[Run]:
    """表四's runs: once its figures have begun, other words (信息处理费收取情况…, a table that follows
    it) end the table. Its own column words may stand between figures (layouts that interleave them)."""
    runs: list[Run] = []
    for it in items:
        if isinstance(it, Run):
            runs.append(it)
        elif runs and _HAN2.search(_APPEALS_WORDS.sub("", "".join(text[it.start:it.end].split()))):
            break
    return runs


def _read_appeals(text: str, region: Region, spec: TableSpec) -> tuple[list[Cell], list[Unreadable]]:
    items = tokenize(text, region.start, region.end)
    cols = [c.key for c in spec.columns]
    n = len(spec.rows) * len(cols)
    keys = [f"{spec.key}.{r.key}.{c}" for r in spec.rows for c in cols]
    runs = _appeals_runs(text, items)
    toks: list[NumTok] = [t for run in runs for t in run.toks]
    if len(toks) >= n:
        toks = toks[:n]
        return [Cell(k, _value(t.raw), t.raw, t.start, t.end) for k, t in zip(keys, toks)], []
    if not toks:
        return [], [Unreadable(f"{spec.key}", "未读到表四的数字")]
    fake = Run(tuple(toks))
    raws = [t.raw for t in toks]
    try:
        found = list(readings(raws, n, group=len(cols)))
        if not found and sum(map(len, raws)) == n:
            found = list(readings(raws, n))  # a digit a cell: one reading, whatever the sums say
        unsatisfiable = not found and any(True for _ in readings(raws, n))
    except TooManyReadings:
        return [], [Unreadable(f"{spec.key}", "表四数字连写过长，无法拆分", toks[0].start, toks[-1].end,
                               text[toks[0].start:toks[-1].end])]
    if unsatisfiable:
        return [], [Unreadable(f"{spec.key}", "表四数字连写，且无论如何拆分，各组“总计”均不等于其各项之和",
                               toks[0].start, toks[-1].end, text[toks[0].start:toks[-1].end], proven="column_sum")]
    if len(found) == 1:
        row = _Row(RowSpec("x", "x"))
        cells = _cells_from_split(spec.key, row.spec, cols * len(spec.rows), fake, found[0])
        return [Cell(k, c.value, c.raw, c.start, c.end) for k, c in zip(keys, cells)], []
    return [], [Unreadable(f"{spec.key}", "表四数字连写，无法唯一拆分", toks[0].start, toks[-1].end,
                           text[toks[0].start:toks[-1].end])]


HEADING_CUTOFF = 75.0
_HEADING = regex.compile(r"[四三五][、.．]?\s*([^\n。]{2,40}?情\s*况)")
_HEADING_NUMBER = regex.compile(r"^[一二三四五六七八九十]+[、.．]")


def _heading(text: str, region: Region, template: Template) -> LabelMatch | None:
    """The 表四 heading as written, judged against the statutory text and its known variants."""
    m = _HEADING.match(text, region.start)
    if not m:
        return None
    spec = next(h for h in template.headings if h.key == "appeals")
    written = fold(m.group(1))
    allowed = [fold(_HEADING_NUMBER.sub("", v)) for v in (spec.label, *spec.variants)]
    if written in allowed:
        return None
    score = max(fuzz.ratio(written, a) for a in allowed)
    if score < HEADING_CUTOFF:
        return None
    return LabelMatch("appeals.heading", spec.label, m.group(0), m.start(), m.end(), score, False)


def _column_headers(text: str, region: Region, spec: TableSpec) -> list[LabelMatch]:
    """表二's column headers as written: a header one character off its statutory text (本年废纸件数
    for 本年废止件数) is a label defect. Short headers are left alone: one character is too much of them."""
    folded, offsets = fold_with_map(text, region.start, region.end)
    labels = [(c, fold(c.label)) for c in spec.columns]
    known = {f for _, f in labels} | set(_folded_legacy_labels())
    out = []
    for col, lab in labels:
        if len(lab) < 5 or lab in folded:
            continue
        for i in range(len(folded) - len(lab) + 1):
            window = folded[i:i + len(lab)]
            diff = [k for k in range(len(lab)) if window[k] != lab[k]]
            if len(diff) == 1 and window not in known and _HAN.match(window[diff[0]]):
                start, end = offsets[i], offsets[i + len(lab) - 1] + 1
                out.append(LabelMatch(f"{spec.key}.column.{col.key}", col.label, text[start:end], start, end,
                                      fuzz.ratio(window, lab), False))
                break
    return out


_HAN = regex.compile(r"\p{Han}")


def detect_format(text: str, year: int | None) -> str:
    """The format the tables are written in: 2019 when 2019-only labels dominate them, 2021 when
    its own column label is there and no 2019 one; otherwise by the report year. Only the tables
    count: a narrative that names 政府集中采购 or 本年新制作 decides nothing."""
    folded = fold_whole(text)[0]
    start = folded.find(_FOLDED_TABLES_START)
    zone = folded[start:] if start >= 0 else folded
    legacy = sum(1 for lab in _folded_legacy_labels() if lab in zone)
    has_2021 = _FOLDED_2021_ONLY in zone
    if year is not None and year <= 2020:
        return "2021" if has_2021 and not legacy else "2019"
    return "2019" if legacy >= 2 and not has_2021 else "2021"


@lru_cache(maxsize=1)
def _folded_legacy_labels() -> tuple[str, ...]:
    """The 2019-only labels the 2021 template lists, folded (the templates are fixed data)."""
    from ..template import load_template

    return tuple(fold(lab) for lab in load_template("2021").legacy_labels)


_FOLDED_2021_ONLY = fold("本年制发件数")
_FOLDED_TABLES_START = fold("第二十条")  # table 二's first row header: where the tables begin


def read_tables(text: str, template: Template) -> StatutoryTables:
    regions, whole = locate_folded(text)
    cells: dict[str, Cell] = {}
    labels: list[LabelMatch] = []
    unreadable: list[Unreadable] = []
    legacy: list[LabelMatch] = []
    for key in ("active", "applications"):
        if key not in regions:
            unreadable.append(Unreadable(key, "未找到该统计表"))
            continue
        spec = template.tables[key]
        region = regions[key]
        scanned = _scan(text, region, whole)
        rows = _read_rows_table(text, region, spec, template, key == "applications", scanned)
        if key == "applications" and template.format == "2021":
            extra = _legacy_other_row(text, rows, spec, scanned)
            if extra is not None:
                legacy.append(extra.label)
                rows = [r for r in rows if not r.spec.key.startswith("other.")]
                rows.insert(next(i for i, r in enumerate(rows) if r.spec.key == "total_processed"), extra)
        if key == "active":
            labels += _column_headers(text, region, spec)
        for row in rows:
            if row.label:
                labels.append(row.label)
            if row.candidates:
                for ci, cell in enumerate(row.candidates[0]):
                    if cell is None:
                        col = spec.row_columns(row.spec)[ci] if row.spec.key != "other.total" else spec.columns[ci].key
                        s0 = row.label.start if row.label else (row.run.start if row.run else None)
                        unreadable.append(Unreadable(f"{key}.{row.spec.key}.{col}", row.reason or "无法读取",
                                                     s0, row.run.end if row.run else None,
                                                     text[s0:row.run.end] if row.run else ""))
                    else:
                        cells[cell.key] = cell
            else:
                s0 = row.label.start if row.label else (row.run.start if row.run else None)
                e0 = row.run.end if row.run else (row.label.end if row.label else None)
                if s0 is None:
                    s0, e0 = _gap(rows, row, region)
                unreadable.append(Unreadable(f"{key}.{row.spec.key}", row.reason or "未找到该行",
                                             s0, e0, text[s0:e0] if s0 is not None else "", proven=row.proven))
    if "appeals" in regions:
        heading = _heading(text, regions["appeals"], template)
        if heading is not None:
            labels.append(heading)
        got, bad = _read_appeals(text, regions["appeals"], template.tables["appeals"])
        cells.update({c.key: c for c in got})
        unreadable += bad
    else:
        unreadable.append(Unreadable("appeals", "未找到该统计表"))
    spans = []
    cell_spans: dict[str, list[tuple[int, int]]] = {}
    for c in cells.values():
        cell_spans.setdefault(c.table, []).append((c.start, c.end))
    for key in regions:
        pts = list(cell_spans.get(key, ()))
        pts += [(lm.start, lm.end) for lm in labels if lm.key.startswith(key + ".")]
        pts += [(u.start, u.end) for u in unreadable if u.key.startswith(key) and u.start is not None]
        if pts:
            spans.append((key, min(p[0] for p in pts), max(p[1] for p in pts)))
    return StatutoryTables(format=template.format, cells=cells, labels=tuple(labels), unreadable=tuple(unreadable),
                           legacy_rows=tuple(legacy), found_tables=tuple(regions), spans=tuple(spans))
