"""Table defects, injected before the narrative is planned: the cells they change are reserved
so that the narrative never states them (and so never contradicts them unlisted)."""
from __future__ import annotations

import random

from auditor.tables.normalize import fold
from auditor.template import load_template
from .draft import Draft, Unavailable, nudge
from .grids import LabelStyle, written_label
from .guideline import severity
from .model import GoldFinding
from .tables import APPEAL_PARTS, APPLICANTS, Cells

TYPO_CHARS = {"逾": "预", "掌": "长", "权": "全", "秘": "密", "制": "治", "执": "职", "确": "明", "补": "部", "缴": "交"}
RESULT_ROWS_EXCLUDED = ("new_received", "carried_over", "carried_forward", "total_processed")
LOCATING_ROWS = ("new_received", "carried_over", "carried_forward")

def _free_cell(d: Draft, key: str) -> bool:
    return key not in d.reserved and key in d.cells and d.cells[key] is not None


def _change(d: Draft, keys: list[str], delta: int) -> None:
    for k in keys:
        d.cells[k] = d.cells[k] + delta
        d.reserved.add(k)
    d.touched_rows |= {k.rsplit(".", 1)[0] for k in keys}


def _rows(d: Draft, table: str = "applications") -> list[str]:
    seen = []
    for k in d.cells:
        if k.startswith(table + "."):
            row = k.rsplit(".", 1)[0]
            if row not in seen:
                seen.append(row)
    return seen


def row_sum(d: Draft) -> None:
    rows = [r for r in _rows(d) if r not in d.touched_rows and r != "applications.total_processed"]
    row = d.rng.choice(rows)
    nonzero = [c for c in APPLICANTS if d.cells.get(f"{row}.{c}")]
    col = "total" if d.rng.random() < 0.6 or not nonzero else d.rng.choice(nonzero)
    key = f"{row}.{col}"
    if not _free_cell(d, key):
        raise Unavailable
    _change(d, [key], nudge(d.rng, d.cells[key]))


def column_sum(d: Draft) -> None:
    if d.rng.random() < 0.35:
        row = d.rng.choice([r for r in _rows(d, "appeals") if r not in d.touched_rows] or [None])
        if row is None:
            raise Unavailable
        col = d.rng.choice(("total", *APPEAL_PARTS))
        _change(d, [f"{row}.{col}"], nudge(d.rng, d.cells[f"{row}.{col}"]))
        return
    rows = [r for r in _rows(d) if r.split(".", 1)[1] not in RESULT_ROWS_EXCLUDED and r not in d.touched_rows]
    _nudge_cell_and_total(d, d.rng.choice(rows))


def _nudge_cell_and_total(d: Draft, row: str) -> None:
    """Change one applicant cell of ``row`` and its 总计 together: the row still adds up, so only
    the column relations break."""
    col = d.rng.choice([c for c in APPLICANTS if d.cells.get(f"{row}.{c}")] or ["natural_person"])
    keys = [f"{row}.{col}", f"{row}.total"]
    if not all(_free_cell(d, k) for k in keys):
        raise Unavailable
    _change(d, keys, nudge(d.rng, min(d.cells[k] for k in keys)))


def balance(d: Draft) -> None:
    options = ["applications.carried_forward", "applications.new_received"]
    if d.previous is None:
        options.append("applications.carried_over")
    rows = [r for r in options if r not in d.touched_rows]
    if not rows:
        raise Unavailable
    _nudge_cell_and_total(d, d.rng.choice(rows))


def _typo(rng: random.Random, label: str, *, insert: bool = True, region: tuple[int, int] | None = None) -> str:
    lo, hi = region or (0, len(label))
    han = [i for i, ch in enumerate(label) if "\u4e00" <= ch <= "\u9fff" and lo <= i < hi]
    subs = [i for i in han if label[i] in TYPO_CHARS]
    hows = ("sub", "sub", "drop", "insert") if subs else ("drop", "insert")
    how = rng.choice([h for h in hows if insert or h != "insert"])
    if how == "sub":
        i = rng.choice(subs)
        return label[:i] + TYPO_CHARS[label[i]] + label[i + 1:]
    inner = han[1:-1] if region else han[2:-1]
    i = rng.choice(inner)
    if how == "drop":
        n = rng.choice((1, 1, 2, 3))
        return label[:i] + label[i + n:]
    return label[:i] + rng.choice("法的性类务") + label[i:]


def label(d: Draft) -> None:
    spec = d.template.tables["applications"]
    candidates = []
    for row in spec.rows:
        key = f"applications.{row.key}"
        if key in d.edits.labels or key in d.edits.missing_rows or (row.key.startswith("other.") and d.edits.legacy_other):
            continue
        # （二）部分公开 has its short form as a variant: a typo in the parenthesis reads as that variant.
        # 一/二/四 are where the reader locates the tables (本年新收, 上年结转, 结转下年度): a typo there
        # loses the whole table, a reader limitation reported separately, not a label defect to train on.
        if len(row.label) >= 8 and row.key not in ("partially_granted", *LOCATING_ROWS):
            candidates.append((key, row))
    act = d.template.tables["active"]
    if d.template.format == "2021" and "active.normative_docs" not in d.edits.labels:
        candidates.append(("active.normative_docs", act.row("normative_docs")))
    key, row = d.rng.choice(candidates)
    if key == "active.normative_docs" and d.rng.random() < 0.6:
        written = load_2019_label()
    else:
        base = written_label(row, LabelStyle(d.style.dot, d.style.space_after_dot), d.rng)
        # PDF text wraps long labels and splices neighbours in: an inserted character there is
        # indistinguishable from extraction noise, so PDF-like reports get substitutions and drops only
        # a label that contains one of its variants (…逾期不补正、… holds 逾期不补正) reads as that variant
        # wherever else a typo falls, so the typo goes inside the shortest variant it contains
        inside = sorted((len(v), row.label.find(v)) for v in row.variants if v in row.label)
        offset = len(base) - len(row.label)
        region = (offset + inside[0][1], offset + inside[0][1] + inside[0][0]) if inside else None
        written = _typo(d.rng, base, insert=d.layout != "rows", region=region)
    allowed = {fold(v) for v in (row.full_label, row.label, *row.variants)}
    if fold(written) in allowed or fold(written) == fold(row.prefix + row.label):
        raise Unavailable
    d.edits.labels[key] = written
    frag = _diff_fragment(row.full_label, written)
    d.findings.append(GoldFinding("table.label", severity("table.label"), (f"#label:{key}", *( [f"={frag}"] if frag else [])),
                                  f"标签“{written}”与法定模板不一致，模板为“{row.full_label}”"))


def load_2019_label() -> str:
    return load_template("2019").tables["active"].row("normative_docs").label


def _diff_fragment(statutory: str, written: str) -> str:
    """A short piece of the written label around where it departs from the statutory one."""
    i = 0
    while i < min(len(statutory), len(written)) and statutory[i] == written[i]:
        i += 1
    j = 0
    while j < min(len(statutory), len(written)) - i and statutory[-1 - j] == written[-1 - j]:
        j += 1
    a, b = max(0, i - 2), min(len(written), len(written) - j + 2)
    frag = written[a:b]
    return frag if len(frag) >= 3 and frag != written else ""


def missing(d: Draft) -> None:
    rows = [r for r in _rows(d) if r not in d.touched_rows and r.split(".", 1)[1] not in RESULT_ROWS_EXCLUDED
            and not r.endswith("granted")]
    d.rng.shuffle(rows)
    zero_rows = [r for r in rows if all(d.cells.get(f"{r}.{c}") == 0 for c in (*APPLICANTS, "total"))]
    # a row whose label carries a typo stays: removing it would leave that finding nothing to quote
    removable = [r for r in zero_rows if r not in d.edits.labels]
    if zero_rows and d.rng.random() < 0.3 and d.layout != "glued" and removable:
        row = removable[0]
        group = row.split(".")[1]
        members = [r for r in _rows(d) if r.split(".")[1] == group]
        if len(members) > 1 and not d.edits.legacy_other:
            order = _rows(d)
            prev, nxt = order[order.index(row) - 1], order[order.index(row) + 1]
            for k in [k for k in d.cells if k.startswith(row + ".")]:
                del d.cells[k]
                d.reserved.add(k)
            d.edits.missing_rows.add(row)
            d.touched_rows.add(row)
            # an absent row has no text of its own: quote where it should be (its group, its neighbours)
            d.findings.append(GoldFinding("table.missing", severity("table.missing"),
                                          (f"#group:applications.{group}", f"#row:{prev}", f"#label:{nxt}"),
                                          f"表三缺少“{row.split('.', 1)[1]}”行（模板要求逐项填写，无则填0）"))
            return
    for row in rows:
        zeros = [f"{row}.{c}" for c in (*APPLICANTS, "total") if d.cells.get(f"{row}.{c}") == 0 and _free_cell(d, f"{row}.{c}")]
        if not zeros:
            continue
        chosen = zeros if d.rng.random() < 0.4 else [d.rng.choice(zeros)]
        mark = d.rng.choice(("—", "/", "") if d.layout == "tabs" and len(chosen) == 1 else ("—", "/"))
        for k in chosen:
            d.cells[k] = None
            d.edits.blanks[k] = mark
            d.reserved.add(k)
        d.touched_rows.add(row)
        d.findings.append(GoldFinding("table.missing", severity("table.missing"), (f"#row:{row}",),
                                      f"表三该行{len(chosen)}个单元格为空或填“{mark or '空白'}”，模板要求填写数字（无则填0）"))
        d.may_flag.append({"check": "table.missing", "quotes": [f"#row:{row}"], "why": "同一空白行可能按单元格分别报告"})
        return
    raise Unavailable


def merge_other_rows(cells: Cells) -> Cells:
    """The three （六） rows written as the 2019 single row ``other.total`` (same sums)."""
    out: Cells = {}
    for k, v in cells.items():
        if not k.startswith("applications.other."):
            out[k] = v
        elif k.startswith("applications.other.overdue_correction."):
            col = k.rsplit(".", 1)[1]
            out[f"applications.other.total.{col}"] = sum(cells[f"applications.other.{r}.{col}"]
                                                         for r in ("overdue_correction", "overdue_fee", "other"))
    return out


def legacy_format(d: Draft) -> None:
    others = [r for r in _rows(d) if r.startswith("applications.other.")]
    if d.rng.random() < 0.6 and len(others) == 3 and not any(
            r in d.touched_rows or r in d.edits.missing_rows or r in d.edits.labels for r in others):
        for cells in (d.cells, d.clean):
            merged = merge_other_rows(cells)
            cells.clear()
            cells.update(merged)
        d.edits.legacy_other = True
        d.touched_rows |= set(others)
        d.findings.append(GoldFinding("meta.format", severity("meta.format", wholly=False), ("#label:applications.other.total",),
                                      f"{d.year}年度报告表三“（六）其他处理”仍为2019年试行格式的单行，未拆分为逾期不补正、逾期未缴费、其他三项"))
        d.may_flag.append({"check": "table.missing", "quotes": ["#label:applications.other.total"],
                           "why": "（六）1–3三行缺失，也可按缺项报告"})
        return
    header = d.rng.choice(("本年新制作数量",))
    d.edits.legacy_header = header
    d.findings.append(GoldFinding("meta.format", severity("meta.format", wholly=False), (f"={header}",),
                                  f"{d.year}年度报告表二栏目“{header}”为2019年试行格式，2021年格式为“本年制发件数”"))
    d.may_flag.append({"check": "table.label", "quotes": [f"={header}"], "why": "也可按非法定栏目名报告"})


def carry_over(d: Draft) -> None:
    """Consistent inside this year's table, but 上年结转 ≠ last year's 结转下年度."""
    if d.previous is None:
        raise Unavailable
    col = d.rng.choice(("natural_person", "natural_person", "commercial", "legal"))
    delta = d.rng.choice((1, 2, 3, 5)) if d.rng.random() < 0.7 or not d.cells[f"applications.carried_over.{col}"] else -1
    target = next((r for r in ("granted", "unable.not_held", "partially_granted")
                   if d.cells[f"applications.{r}.{col}"] + delta >= 0), None)
    if target is None or d.cells[f"applications.carried_over.{col}"] + delta < 0:
        raise Unavailable
    for row in ("carried_over", target, "total_processed"):
        for c in (col, "total"):
            d.cells[f"applications.{row}.{c}"] += delta
            d.clean[f"applications.{row}.{c}"] += delta


PRE_INJECTORS = {"table.row_sum": row_sum, "table.column_sum": column_sum, "table.balance": balance,
                 "table.label": label, "table.missing": missing, "meta.format": legacy_format,
                 "cross_year.carry_over": carry_over}
