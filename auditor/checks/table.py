"""Rules over the statutory tables: sums, balance, labels and completeness."""
from __future__ import annotations

from collections.abc import Iterator

from .arith import cells_of, differs, expand, row_keys, total
from ..config import option
from ..template import table_name
from .context import CheckContext
from .finding import Finding
from .registry import rule

ROW_NAMES = {
    "new_received": "一、本年新收", "carried_over": "二、上年结转", "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开", "total_processed": "（七）总计", "carried_forward": "四、结转下年度",
    "review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
    "litigation_after_review": "行政诉讼（复议后起诉）", "other.total": "（六）其他处理",
}


def row_name(ctx: CheckContext, table: str, row: str) -> str:
    if row in ROW_NAMES:
        return ROW_NAMES[row]
    try:
        return ctx.template.tables[table].row(row).full_label
    except KeyError:
        return row


def col_name(ctx: CheckContext, table: str, col: str) -> str:
    try:
        return ctx.template.tables[table].column(col).label
    except KeyError:
        return col


def _relations(ctx: CheckContext, kind: str, check: str):
    return [r for r in ctx.template.relations if r.kind == kind and r.check == check]


@rule(code="TB001", check="table.row_sum",
      message="{table}“{row}”行：各申请人列之和为{expected}，但“总计”栏为{stated}",
      variants={"digits": "{where}：{reason}（“{run}”）"})
def row_total_matches_columns(ctx: CheckContext) -> Iterator[Finding]:
    """表三各行“总计”应等于各申请人列之和。

    A row's 总计 equals the sum of its applicant columns (表三).

    **反例** ``一、本年新收… 5 1 0 0 0 0 7``  **正例** ``一、本年新收… 5 1 0 0 0 0 6``
    """
    yield from _proven(ctx, "row_sum", "TB001")
    for rel in _relations(ctx, "row_total", "table.row_sum"):
        for row, parts, tot in _broken_row_totals(ctx, rel):
            yield ctx.finding("TB001", stated=tot.value, expected=total(parts),
                              evidence=ctx.row_ev(parts + [tot]) + [ctx.cell_ev(c) for c in [tot] + parts],
                              table=table_name(ctx.template, rel.table), row=row_name(ctx, rel.table, row),
                              facts={"table": rel.table, "row": row, "column": rel.total})


def _proven(ctx: CheckContext, relation: str, code: str) -> Iterator[Finding]:
    """Digits run together that no cut makes satisfy ``relation``: the report is wrong whichever
    way it is read (contract 1.1), so the sum rule reports it, quoting the run."""
    for u in ctx.tables.unreadable:
        if u.proven != relation or u.start is None:
            continue
        table, _, row = u.key.partition(".")
        where = table_name(ctx.template, table) + (f"“{row_name(ctx, table, row)}”行" if row else "")
        yield ctx.finding(code, variant="digits", where=where, reason=u.reason, run="".join(u.raw.split()),
                          evidence=[ctx.text_ev(u.start, u.end)], stated=None, expected=None,
                          facts={"table": table, "row": row or None, "proven_by_digits": True})


def _broken_row_totals(ctx: CheckContext, rel) -> Iterator[tuple[str, list, object]]:
    """(row, part cells, total cell) of every row whose total cell is not the sum of its parts."""
    for row in row_keys(ctx.tables, rel.table):
        parts = [cells_of(ctx.tables, rel.table, [row], c) for c in rel.parts]
        tot = cells_of(ctx.tables, rel.table, [row], rel.total)
        if tot is None or any(p is None for p in parts):
            continue
        parts = [p[0] for p in parts]
        if differs(total(parts), tot[0].value):
            yield row, parts, tot[0]


@rule(code="TB002", check="table.column_sum",
      message="{table}“{column}”：{parts_desc}之和为{expected}，但“{total_name}”为{stated}",
      variants={"digits": "{where}：{reason}（“{run}”）",
                "and_balance": "{table}“{column}”：{parts_desc}之和为{expected}，但“{total_name}”为{stated}"
                               "；按{expected}计，一、新收+二、上年结转=三（七）总计+四、结转下年度也随之成立"})
def column_total_matches_parts(ctx: CheckContext) -> Iterator[Finding]:
    """表三（七）总计应等于（一）至（六）各项之和；表四各组总计应等于维持、纠正、其他、尚未审结之和。

    表三（七）总计 equals the sum of the result rows per column; 表四 each group's 总计 its parts.

    **反例** ``（一）予以公开 6 … （七）总计 20`` with parts summing to 26  **正例** parts summing to 20
    """
    yield from _proven(ctx, "column_sum", "TB002")
    for rel in _relations(ctx, "column_total", "table.column_sum"):
        parts_rows = expand(ctx.tables, rel.table, rel.parts)
        broken = []
        for col in ctx.template.tables[rel.table].columns:
            parts = cells_of(ctx.tables, rel.table, parts_rows, col.key)
            tot = cells_of(ctx.tables, rel.table, [rel.total], col.key)
            if parts and tot is not None and differs(total(parts), tot[0].value):
                broken.append((col, tot[0].value, total(parts), tot + [p for p in parts if p.value]))
        for cols, stated, expected, cells in _one_per_problem(ctx, rel.table, broken):
            balanced = _total_restores_balance(ctx, rel.table, rel.total, cols[0].key, expected)
            yield ctx.finding("TB002", stated=stated, expected=expected, variant="and_balance" if balanced else None,
                              evidence=ctx.row_ev(cells[:1]) + [ctx.cell_ev(c) for c in cells],
                              table=table_name(ctx.template, rel.table), column=_columns_label(cols), parts_desc="（一）至（六）各项",
                              total_name="（七）总计",
                              facts={"table": rel.table, "row": rel.total, "column": cols[0].key,
                                     "columns": [c.key for c in cols], "explains_balance": balanced})
    for rel in _relations(ctx, "row_total", "table.column_sum"):
        for row, parts, tot in _broken_row_totals(ctx, rel):
            yield ctx.finding("TB002", stated=tot.value, expected=total(parts),
                              evidence=ctx.row_ev(parts + [tot]) + [ctx.cell_ev(c) for c in [tot] + parts],
                              table=table_name(ctx.template, rel.table), column=row_name(ctx, rel.table, row),
                              parts_desc="结果维持、结果纠正、其他结果、尚未审结", total_name="总计",
                              facts={"table": rel.table, "row": row, "column": rel.total})


@rule(code="TB003", check="table.balance",
      message="表三“{column}”列：一、新收{new}+二、上年结转{carried}={stated}，但三（七）总计{processed}+四、结转下年度{forward}={expected}")
def balance_holds(ctx: CheckContext) -> Iterator[Finding]:
    """表三各列：第一项加第二项之和应等于第三项加第四项之和。

    一 + 二 = 三（七） + 四, per column of 表三.

    **反例** ``新收7 上年结转0 总计6 结转下年度0``  **正例** ``新收7 上年结转0 总计7 结转下年度0``
    """
    for rel in _relations(ctx, "balance", "table.balance"):
        broken = []
        for col in ctx.template.tables[rel.table].columns:
            left = cells_of(ctx.tables, rel.table, list(rel.left), col.key)
            right = cells_of(ctx.tables, rel.table, list(rel.right), col.key)
            if left is None or right is None or not differs(total(left), total(right)):
                continue
            if _column_total_explains(ctx, rel.table, right[0], total(left) - total(right[1:])):
                continue  # (七) is not the sum of its parts, and the sum would balance: TB002 reports it
            broken.append((col, total(left), total(right), left + right))
        for cols, stated, expected, cells in _one_per_problem(ctx, rel.table, broken):
            left, right = cells[:len(rel.left)], cells[len(rel.left):len(rel.left) + len(rel.right)]
            yield ctx.finding("TB003", stated=stated, expected=expected,
                              evidence=[ctx.cell_ev(c) for c in cells] + ctx.row_ev(right[:1]),
                              column=_columns_label(cols), new=left[0].value, carried=left[1].value,
                              processed=right[0].value, forward=right[1].value,
                              facts={"table": rel.table, "row": "balance", "column": cols[0].key,
                                     "columns": [c.key for c in cols]})


def _one_per_problem(ctx: CheckContext, table: str, broken: list) -> list:
    """Per-column failures ``(column, stated, expected, cells)`` as one entry per problem: when the
    总计 column fails with exactly the figures of the one applicant column that fails, it repeats
    that column (every other column is empty of it), so both are one finding (contract 1.1)."""
    total_col = _total_column(ctx, table)
    whole = [b for b in broken if b[0].key == total_col]
    parts = [b for b in broken if b[0].key != total_col]
    if len(whole) == 1 and len(parts) == 1 and whole[0][1:3] == parts[0][1:3]:
        (col, stated, expected, cells), (tcol, _, _, tcells) = parts[0], whole[0]
        return [([col, tcol], stated, expected, cells + tcells)]
    return [([col], stated, expected, cells) for col, stated, expected, cells in broken]


def _columns_label(cols) -> str:
    return "”与“".join(c.label for c in cols)


def _total_column(ctx: CheckContext, table: str) -> str | None:
    return next((r.total for r in ctx.template.relations if r.kind == "row_total" and r.table == table), None)


def _column_parts_sum(ctx: CheckContext, table: str, row: str, column: str):
    for rel in ctx.template.relations:
        if rel.kind == "column_total" and rel.table == table and rel.total == row:
            parts = cells_of(ctx.tables, table, expand(ctx.tables, table, rel.parts), column)
            return total(parts) if parts else None
    return None


def _column_total_explains(ctx: CheckContext, table: str, processed, needed) -> bool:
    """The balance fails only because the (七) cell is not the sum of its parts."""
    parts_sum = _column_parts_sum(ctx, table, processed.row, processed.column)
    return parts_sum is not None and differs(parts_sum, processed.value) and not differs(parts_sum, needed)


def _total_restores_balance(ctx: CheckContext, table: str, total_row: str, column: str, expected) -> bool:
    for rel in ctx.template.relations:
        if rel.kind == "balance" and rel.table == table and rel.right and rel.right[0] == total_row:
            left = cells_of(ctx.tables, table, list(rel.left), column)
            right = cells_of(ctx.tables, table, list(rel.right), column)
            if left is None or right is None or not differs(total(left), total(right)):
                return False
            return not differs(total(left), expected + total(right[1:]))
    return False


@rule(code="TB004", check="table.label",
      message="标签“{written}”与法定模板不一致，应为“{statutory}”")
def labels_are_statutory(ctx: CheckContext) -> Iterator[Finding]:
    """表格行名或标题与法定模板文字不一致（全半角、标点、空格、引号差异除外）。

    A row label or table heading deviates from the statutory text (beyond width, punctuation, spaces, quotes).

    **反例** ``1.申请人无正当理由预期不补正…``  **正例** ``1.申请人无正当理由逾期不补正…``
    """
    for lm in ctx.tables.labels:
        if lm.exact:
            continue
        yield ctx.finding("TB004", evidence=[ctx.text_ev(lm.start, lm.end)], written=lm.written.strip(),
                          statutory=lm.statutory, replacement=lm.statutory, stated=None, expected=None,
                          facts={"table": lm.key.split(".")[0], "row": lm.key, "score": lm.score})


@rule(code="TB005", check="table.missing",
      message="{what}：{reason}", options=("blank_cells",))
def tables_are_complete(ctx: CheckContext) -> Iterator[Finding]:
    """法定统计表、行或单元格缺失、空白或无法读取。

    A statutory table, row or cell is absent, blank or unreadable.

    **反例** a blank 总计 cell, or ``行政规范性文件693665`` that splits several ways  **正例** every cell a number
    """
    yield from _short_rows(ctx)
    seen_rows: set[tuple] = set()
    for u in ctx.tables.unreadable:
        if u.proven or (u.start, u.end, u.reason) in seen_rows:
            continue  # several unreadable cells of one row: one finding
        seen_rows.add((u.start, u.end, u.reason))
        parts = u.key.split(".", 1)
        table = table_name(ctx.template, parts[0])
        what = table + (f"“{row_name(ctx, parts[0], parts[1].rsplit('.', 1)[0] if parts[1].count('.') and parts[1].rsplit('.', 1)[1] in {c.key for c in ctx.template.tables[parts[0]].columns} else parts[1])}”" if len(parts) > 1 else "")
        ev = [ctx.text_ev(u.start, u.end)] if u.start is not None and u.end > u.start else []
        # digits the page ran together are our reading's doubt, not the report's defect: worth a look
        glued = "连写" in u.reason
        yield ctx.finding("TB005", evidence=ev, what=what, reason=u.reason,
                          facts={"table": parts[0], "row": u.key, "kind": "glued" if glued else "absent"})
    if not option(ctx.config, "table.missing", "blank_cells"):
        return
    yield from _blank_regions(ctx)


def _short_rows(ctx: CheckContext) -> Iterator[Finding]:
    """Rows holding fewer digits than cells, one finding per table: a cell of each was provably
    left blank, though which one the text cannot tell (the page dropped the blank)."""
    by_table: dict[str, list] = {}
    for u in ctx.tables.unreadable:
        if u.proven == "blank" and u.start is not None:
            by_table.setdefault(u.key.split(".", 1)[0], []).append(u)
    for table, rows in by_table.items():
        names = "、".join(f"“{row_name(ctx, table, u.key.split('.', 1)[1])}”" for u in rows[:3])
        names += f"等{len(rows)}行" if len(rows) > 3 else ""
        yield ctx.finding("TB005", evidence=[ctx.text_ev(u.start, u.end) for u in rows],
                          what=f"{table_name(ctx.template, table)}{names}",
                          reason=f"{rows[0].reason if len(rows) == 1 else '各行数字都少于模板的栏数'}，"
                                 "有栏目空白，应填写数字（无则填0）",
                          facts={"table": table, "row": rows[0].key, "rows": len(rows), "kind": "blank"})


def _blank_regions(ctx: CheckContext) -> Iterator[Finding]:
    """One finding per blank region of a table (contract 1.1): rows left blank in the same columns
    (a 总计 column left blank down the table, a 表四 group left blank) are one omission."""
    blank_rows: dict[tuple[str, str], list] = {}
    for cell in ctx.tables.cells.values():
        if cell.value is None:
            blank_rows.setdefault((cell.table, cell.row), []).append(cell)
    regions: dict[tuple[str, tuple[str, ...]], list[tuple[str, list]]] = {}
    for (table, row), cells in blank_rows.items():
        regions.setdefault((table, tuple(c.column for c in cells)), []).append((row, cells))
    for (table, columns), rows in regions.items():
        cells = [c for _, row_cells in rows for c in row_cells]
        cols = "、".join(col_name(ctx, table, c) for c in columns)
        names = "、".join(f"“{row_name(ctx, table, row)}”" for row, _ in rows[:3]) + (f"等{len(rows)}行" if len(rows) > 3 else "")
        yield ctx.finding("TB005", evidence=ctx.row_ev(rows[0][1]) + [ctx.cell_ev(c) for c in cells],
                          what=f"{table_name(ctx.template, table)}{names}",
                          reason=f"“{cols}”栏为空或填“—”“/”，模板要求填写数字（无则填0）",
                          facts={"table": table, "row": rows[0][0], "rows": len(rows), "kind": "blank"})
