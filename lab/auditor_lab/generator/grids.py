"""The statutory tables as portal grids (rows of cells with rowspan/colspan), labels as written.

Row and column labels come from the template (``load_template``); only the clause headers
(第二十条第（一）项), 申请人情况 / 法人或其他组织 / 行政诉讼 and the header note are written here.
Labels are perturbed with the real-world variants of format-2021.md, which are not defects.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from auditor.template import RowSpec, Template, load_template
from .model import Grid, GridCell
from .tables import Cells

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
NOTE_VARIANTS = (NOTE, "（本列的数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
CLAUSE = {"rules": "（一）", "normative_docs": "（一）", "licensing": "（五）", "other_services": "（五）",
          "penalty": "（六）", "enforcement": "（六）", "fees": "（八）", "procurement": "（九）"}

def legacy_other_label() -> str:
    """The 2019 format's single （六）其他处理 row label."""
    return load_template("2019").tables["applications"].row("other.total").label


@dataclass(frozen=True)
class LabelStyle:
    """How one report writes its labels (none of these is a defect)."""

    dot: str = "."  # after the item number: . ． 、
    space_after_dot: bool = False
    variant_rate: float = 0.0  # chance to write a row with one of its template variants
    inner_space_rate: float = 0.0  # chance of a stray space inside a long label (PDF text)
    note: str = NOTE
    blank_header_cells: bool = False  # an HTML export's habit: empty cells instead of rowspans
    variant_index: int | None = None  # write every row with its n-th variant (tests: each variant in turn)

    @classmethod
    def random(cls, rng: random.Random) -> "LabelStyle":
        return cls(dot=rng.choice((".", ".", ".", "．", "、")), space_after_dot=rng.random() < 0.15,
                   variant_rate=rng.choice((0.0, 0.0, 0.3, 1.0)), inner_space_rate=rng.choice((0.0, 0.0, 0.1)),
                   note=rng.choice(NOTE_VARIANTS), blank_header_cells=rng.random() < 0.3)


@dataclass
class TableEdits:
    """Defects injected into the tables (recorded as gold by the injector)."""

    labels: dict[str, str] = field(default_factory=dict)  # "applications.row" -> written label (typo)
    blanks: dict[str, str] = field(default_factory=dict)  # cell key -> written mark (—, /, "")
    missing_rows: set[str] = field(default_factory=set)  # "applications.row"
    legacy_other: bool = False  # （六） written as the single 2019 row
    legacy_header: str | None = None  # a 2019-only column header written in the 2021 table 二


def fmt_value(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return str(int(v))


def written_label(row: RowSpec, style: LabelStyle, rng: random.Random) -> str:
    label = row.label
    if row.variants and style.variant_index is not None:
        label = row.variants[style.variant_index % len(row.variants)]
    elif row.variants and rng.random() < style.variant_rate:
        label = rng.choice(row.variants)
    if style.inner_space_rate and len(label) > 8 and rng.random() < style.inner_space_rate:
        cut = rng.randint(3, len(label) - 3)
        if "\u4e00" <= label[cut - 1] <= "\u9fff" and "\u4e00" <= label[cut] <= "\u9fff":
            label = label[:cut] + " " + label[cut:]
    if row.prefix:
        num = row.prefix.rstrip(".")
        label = num + style.dot + (" " if style.space_after_dot else "") + label
    return label


def _value_cells(table: str, row: str, cols, cells: Cells, edits: TableEdits) -> list[GridCell]:
    out = []
    for col in cols:
        key = f"{table}.{row}.{col}"
        text = edits.blanks.get(key, fmt_value(cells.get(key)))
        out.append(GridCell(text, kind="value", tag=f"#cell:{key}"))
    return out


def applications_grid(template: Template, cells: Cells, style: LabelStyle, edits: TableEdits,
                      rng: random.Random) -> Grid:
    spec = template.tables["applications"]
    cols = [c.key for c in spec.columns]
    head = [
        (GridCell(style.note, rowspan=3, colspan=3, kind="header"), GridCell("申请人情况", colspan=7, kind="header")),
        (GridCell(spec.column("natural_person").label, rowspan=2, kind="header"),
         GridCell("法人或其他组织", colspan=5, kind="header"), GridCell(spec.column("total").label, rowspan=2, kind="header")),
        tuple(GridCell(spec.column(c).label, kind="header") for c in cols[1:6]),
    ]
    if style.blank_header_cells:
        head[2] = (GridCell("", kind="header"), *head[2], GridCell("", kind="header"))
        head[1] = (GridCell(head[1][0].text, kind="header"), head[1][1], GridCell(head[1][2].text, kind="header"))
    rows = [r for r in spec.rows if f"applications.{r.key}" not in edits.missing_rows]
    if edits.legacy_other:
        first = next(i for i, r in enumerate(rows) if r.key.startswith("other."))
        rows = [r for r in rows if not r.key.startswith("other.")]
        rows.insert(first, RowSpec("other.total", legacy_other_label(), group="other"))
    results = [r for r in rows if r.key not in ("new_received", "carried_over", "carried_forward")]
    body: list[tuple[GridCell, ...]] = []
    for i, row in enumerate(rows):
        key = f"applications.{row.key}"
        text = edits.labels.get(key) or (row.label if row.key == "other.total" else written_label(row, style, rng))
        own = GridCell(text, tag=f"#label:{key}")
        values = _value_cells("applications", row.key, cols, cells, edits)
        lead: list[GridCell] = []
        if row.key in ("new_received", "carried_over", "carried_forward"):
            own = GridCell(text, colspan=3, tag=own.tag)
        else:
            if row is results[0]:
                lead.append(GridCell(spec.rows[2].group_label or "三、本年度办理结果", rowspan=len(results), kind="group",
                                     tag="#group:applications.results"))
            if row.group and row.key != "other.total":
                members = [r for r in rows if r.group == row.group]
                if row is members[0]:
                    glabel = next(r.group_label for r in spec.rows if r.group == row.group and r.group_label)
                    lead.append(GridCell(glabel, rowspan=len(members), kind="group", tag=f"#group:applications.{row.group}"))
            else:
                own = GridCell(text, colspan=2, tag=own.tag)
        body.append((*lead, own, *values))
    return Grid("applications", tuple(head) + tuple(body))


def appeals_grid(template: Template, cells: Cells, edits: TableEdits) -> Grid:
    spec = template.tables["appeals"]
    cols = [c.key for c in spec.columns]
    parts = [GridCell(spec.column(c).label, kind="header") for c in cols]
    rows = (
        (GridCell(spec.row("review").label, colspan=5, kind="header"), GridCell("行政诉讼", colspan=10, kind="header")),
        (*(GridCell(p.text, rowspan=2, kind="header") for p in parts),
         GridCell(spec.row("litigation_direct").label, colspan=5, kind="header"),
         GridCell(spec.row("litigation_after_review").label, colspan=5, kind="header")),
        (*parts, *parts),
        tuple(c for r in spec.rows for c in _value_cells("appeals", r.key, cols, cells, edits)),
    )
    return Grid("appeals", rows)


def active_grid(template: Template, cells: Cells, edits: TableEdits, style: LabelStyle, rng: random.Random) -> Grid:
    spec = template.tables["active"]
    width = 4  # 信息内容 + up to three figures
    rows: list[tuple[GridCell, ...]] = []
    clause = None
    for row in spec.rows:
        cols = spec.row_columns(row)
        if CLAUSE[row.key] != clause:
            clause = CLAUSE[row.key]
            rows.append((GridCell(f"第二十条第{clause}项", colspan=width, kind="header"),))
            heads = [spec.column(c).label for c in cols]
            if edits.legacy_header and "issued" in cols:
                heads[0] = edits.legacy_header
            span = (width - 1) // len(cols)
            rows.append((GridCell("信息内容", kind="header"),
                         *(GridCell(h, colspan=span + (1 if i == len(heads) - 1 and (width - 1) % len(cols) else 0),
                                    kind="header") for i, h in enumerate(heads))))
        key = f"active.{row.key}"
        label = edits.labels.get(key) or written_label(row, style, rng)
        values = _value_cells("active", row.key, cols, cells, edits)
        if len(values) < width - 1:
            span = (width - 1) // len(values)
            values = [GridCell(v.text, colspan=span + (1 if i == len(values) - 1 and (width - 1) % len(values) else 0),
                               kind="value", tag=v.tag) for i, v in enumerate(values)]
        rows.append((GridCell(label, tag=f"#label:{key}"), *values))
    return Grid("active", tuple(rows))


def build_grids(template: Template, cells: Cells, style: LabelStyle, edits: TableEdits,
                rng: random.Random) -> dict[str, Grid]:
    return {"active": active_grid(template, cells, edits, style, rng),
            "applications": applications_grid(template, cells, style, edits, rng),
            "appeals": appeals_grid(template, cells, edits)}
