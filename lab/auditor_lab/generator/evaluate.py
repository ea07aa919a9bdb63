"""The gold oracle: every inconsistency an honest auditor can prove from a planned report.

Run on the planned (possibly injected) report, so that gold lists each consequence of an
injected error — one changed cell can break a row sum and a column sum at once — and a
clean plan yields nothing.
"""
from __future__ import annotations

from auditor.template import Template
from .guideline import rounding_only, severity
from .model import DeltaRel, GoldFinding, Plan, RatioRel, SameRel, Slot, SumRel
from .tables import Cells, broken_relations

TABLE_NAMES = {"applications": "表三", "appeals": "表四", "active": "表二"}
APPEAL_ROWS = {"review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
               "litigation_after_review": "行政诉讼（复议后起诉）"}


def _num(v):
    return int(v) if float(v).is_integer() else round(float(v), 4)


def half_up(x: float, decimals: int) -> float:
    scaled = x * 10 ** decimals
    return int(scaled + 0.5 + 1e-9) / 10 ** decimals


def loosely_linked(slot: Slot) -> bool:
    """A figure whose table cell is a convention, not a fact the wording fixes: website posts
    (公开行政强制信息26条) against decisions, withdrawals (申请人自行撤回19件) that agencies file
    under different rows of （六）. A difference from the table is worth a look, not proof."""
    return "信息{v}条" in slot.fmt or ("撤回" in slot.fmt and "其他" not in slot.fmt)


def readings(slot: Slot, cells: Cells) -> list[float]:
    """The values of every plausible table reading of a slot that the cells allow."""
    out = []
    for reading in slot.links:
        vals = [cells.get(k) for k in reading]
        if vals and all(v is not None for v in vals):
            out.append(sum(vals))
    return out


def _splits(digits: str, parts: int) -> int:
    """In how many ways a run of digits reads as ``parts`` numbers (no leading zeros but 0 itself)."""
    if parts == 1:
        return int(digits == "0" or (digits != "" and digits[0] != "0"))
    if not digits:
        return 0
    heads = [1] if digits[0] == "0" else range(1, len(digits) - parts + 2)
    return sum(_splits(digits[k:], parts - 1) for k in heads)


def glued_unreadable(cells: Cells) -> frozenset[str]:
    """表二 cells in a row whose digits, glued together, split more than one way: nobody can read them
    (表二 rows have no sum to decide between the splits, unlike 表三 and 表四)."""
    rows: dict[str, list[tuple[str, float]]] = {}
    for key, v in cells.items():
        if key.startswith("active.") and v is not None:
            rows.setdefault(key.rsplit(".", 1)[0], []).append((key, v))
    out: set[str] = set()
    for row in rows.values():
        if all(float(v).is_integer() and v >= 0 for _, v in row) and len(row) > 1:
            if _splits("".join(str(int(v)) for _, v in row), len(row)) > 1:
                out.update(k for k, _ in row)
    return frozenset(out)


def narrative_findings(plan: Plan, cells: Cells, year: int, changed: set[str],
                       previous: Cells | None = None, unreadable: frozenset[str] = frozenset()) -> list[GoldFinding]:
    """Gold findings of the narrative; a mismatch with a cell in ``unreadable`` cannot be shown (info)."""
    out: list[GoldFinding] = []
    slots = plan.slots
    for s in slots.values():
        if s.kind == "year" and s.value != year:
            out.append(GoldFinding("meta.year", severity("meta.year"), (f"@{s.id}",),
                                   f"{year}年度报告中“{s.render()}”写作{int(s.value)}年，应为本年度", (int(s.value), year)))
        if not s.links or s.kind not in ("count", "approx"):
            continue
        values = readings(s, cells)
        if not values:
            continue
        if s.kind == "approx":
            ok = any(s.approx[0] <= r <= s.approx[1] for r in values)
        else:
            ok = any(abs(r - s.value) < 1e-6 for r in values)
        if not ok:
            expected = _num(values[0])
            out.append(GoldFinding(
                "narrative.table_mismatch",
                severity("narrative.table_mismatch", headline=s.headline,
                         provable=not loosely_linked(s) and not all(set(r) & unreadable for r in s.links)),
                (f"@{s.id}",),
                f"正文称“{s.render()}”，但{s.note or '对应表格单元格'}为{expected}，与任何合理口径均不符",
                (_num(s.value), expected)))
    for rel in plan.relations:
        if isinstance(rel, SumRel):
            total = slots[rel.total].value
            parts = sum(slots[p].value for p in rel.parts)
            if abs(total - parts) > 1e-6:
                moved = [f"@{p}" for p in rel.parts if p in changed] or ([] if rel.total in changed else [f"@{rel.parts[0]}"])
                desc = "+".join(str(_num(slots[p].value)) for p in rel.parts)
                slip = len(rel.parts) >= 3 and not slots[rel.total].links and 0 < total - parts <= max(1.0, total * 0.01)
                provable = parts > total or rel.exhaustive or slip
                out.append(GoldFinding("narrative.sum", severity("narrative.sum", provable=provable),
                                       (f"@{rel.total}", *moved),
                                       f"“{slots[rel.total].render()}”，其分项{desc}={_num(parts)}，与总数不符",
                                       (_num(total), _num(parts))))
        elif isinstance(rel, RatioRel):
            pct = slots[rel.percent]
            num, den = slots[rel.numerator].value, slots[rel.denominator].value
            if not den:
                continue
            exact = num * 100 / den
            if abs(half_up(exact, pct.decimals) - pct.value) > 1e-9:
                low = rounding_only(pct.value, exact, pct.decimals)
                out.append(GoldFinding(
                    "narrative.ratio", severity("narrative.ratio", rounding_only=low),
                    (f"@{rel.percent}", f"@{rel.numerator}..@{rel.percent}"),
                    f"{_num(num)}/{_num(den)}={exact:.{pct.decimals + 2}f}%，按所述精度应为{half_up(exact, pct.decimals):.{pct.decimals}f}%，"
                    f"报告写{pct.render()}" + ("（仅舍入方式不同）" if low else ""),
                    (pct.value, round(exact, pct.decimals + 1))))
        elif isinstance(rel, SameRel):
            a, b = slots[rel.first], slots[rel.second]
            if abs(a.value - b.value) > 1e-9:
                proven = rel.provable == "any" or (rel.provable == "larger" and b.value > a.value)
                out.append(GoldFinding("narrative.conflict", severity("narrative.conflict", provable=proven),
                                       (f"@{a.id}", f"@{b.id}"),
                                       f"同一数量前称“{a.render()}”，后称“{b.render()}”", (_num(a.value), _num(b.value))))
        elif isinstance(rel, DeltaRel) and previous is not None:
            now = [cells.get(k) for k in rel.cells]
            before = [previous.get(k) for k in rel.cells]
            if any(v is None for v in now + before):
                continue
            actual = sum(now) - sum(before)
            stated = rel.sign * slots[rel.slot].value
            if abs(actual - stated) > 1e-9:
                # 较上年减少3件 states 3: compare magnitudes when the direction is right
                pair = (slots[rel.slot].value, abs(actual)) if actual * rel.sign > 0 else (stated, actual)
                out.append(GoldFinding("cross_year.delta", severity("cross_year.delta", with_previous=True),
                                       (f"@{rel.slot}",),
                                       f"正文称“{slots[rel.slot].render()}”，但本年{_num(sum(now))}件、上年{_num(sum(before))}件，实际变化{_num(actual)}件",
                                       tuple(_num(v) for v in pair)))
    return out


def table_findings(cells: Cells, clean: Cells, template: Template) -> list[GoldFinding]:
    out: list[GoldFinding] = []
    for b in one_per_problem(broken_relations(cells, template)):
        changed_rows = []
        for key in b.total_keys + b.part_keys:
            if cells.get(key) != clean.get(key):
                row = key.split(".", 1)[1].rsplit(".", 1)[0]
                if row not in changed_rows:
                    changed_rows.append(row)
        sev = severity(b.relation.check)
        vals = (_num(b.stated), _num(b.expected))
        if b.relation.kind == "row_total" and b.table == "appeals":
            out.append(GoldFinding(b.relation.check, sev, (f"#run:appeals.{b.row}",),
                                   f"表四{APPEAL_ROWS[b.row]}：结果维持+结果纠正+其他结果+尚未审结={vals[1]}，但“总计”栏为{vals[0]}", vals))
        elif b.relation.kind == "row_total":
            out.append(GoldFinding(b.relation.check, sev, (f"#row:{b.table}.{b.row}",),
                                   f"表三该行各申请人列之和为{vals[1]}，但“总计”栏为{vals[0]}", vals))
        elif b.relation.kind == "column_total":
            quotes = ("#row:applications.total_processed", *(f"#row:applications.{r}" for r in changed_rows
                                                              if r != "total_processed"))
            col = template.tables["applications"].column(b.column).label
            out.append(GoldFinding(b.relation.check, sev, quotes,
                                   f"表三“{col}”列：（一）至（六）各项之和为{vals[1]}，但（七）总计为{vals[0]}", vals))
        else:
            quotes = ("#row:applications.total_processed", "#row:applications.carried_forward",
                      *(f"#row:applications.{r}" for r in changed_rows if r not in ("total_processed", "carried_forward")))
            col = template.tables["applications"].column(b.column).label
            out.append(GoldFinding(b.relation.check, sev, quotes,
                                   f"表三“{col}”列：一、新收+二、上年结转={vals[0]}，但三（七）总计+四、结转下年度={vals[1]}", vals))
    return out


def one_per_problem(broken: list) -> list:
    """Contract 1.1 over table 三's column relations: a balance that only a (七) not equal to its
    parts breaks is that column-sum error; 总计 failing with the very figures of the one failing
    applicant column repeats it."""
    col_sums = {b.column: b for b in broken if b.relation.kind == "column_total" and b.table == "applications"}
    out = []
    for b in broken:
        ct = col_sums.get(b.column)
        if b.relation.kind == "balance" and ct is not None and abs(b.expected - ct.stated + ct.expected - b.stated) < 1e-6:
            continue
        out.append(b)
    for kind in ("column_total", "balance"):
        same = [b for b in out if b.relation.kind == kind and b.table == "applications"]
        whole = [b for b in same if b.column == "total"]
        parts = [b for b in same if b.column != "total"]
        if len(whole) == 1 and len(parts) == 1 and (whole[0].stated, whole[0].expected) == (parts[0].stated, parts[0].expected):
            out.remove(whole[0])
    return out


def carry_over_findings(cells: Cells, previous: Cells) -> tuple[list[GoldFinding], list[dict]]:
    """This year's 二、上年结转 against last year's 四、结转下年度 (the total column is the finding;
    the applicant columns that also differ are may_flag, as a checker may report them per column)."""
    findings, may = [], []
    for col in ("total", "natural_person", "commercial", "research", "social", "legal", "other_org"):
        now = cells.get(f"applications.carried_over.{col}")
        before = previous.get(f"applications.carried_forward.{col}")
        if now is None or before is None or now == before:
            continue
        if col == "total":
            findings.append(GoldFinding("cross_year.carry_over", severity("cross_year.carry_over"),
                                        ("#row:applications.carried_over",),
                                        f"本年“二、上年结转”总计{now}件，但上年报告“四、结转下年度继续办理”总计{before}件",
                                        (_num(now), _num(before))))
        else:
            may.append({"check": "cross_year.carry_over", "quotes": ["#row:applications.carried_over"],
                        "why": f"{col}列上年结转与上年结转下年度不一致（同一差错的分列表现）"})
    return findings, may
