"""The generator's intermediate model: narrative slots and their relations, table grids, gold.

A report is planned before it is written: every number the narrative states is a ``Slot``
(with the table cells it describes), every arithmetic statement a relation between slots.
Errors are injected into this plan, the gold findings are derived from it by
``evaluate``, and only then is text rendered, recording where each tagged piece landed so
that gold quotes are exact substrings of the text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

Number = int | float


@dataclass(frozen=True)
class Slot:
    """A stated figure. ``fmt`` holds ``{v}`` where the value is written; the whole rendered
    text is the claim's quote (予以公开{v}件)."""

    id: str
    fmt: str
    value: Number
    kind: str = "count"  # count | percent | year | approx | text
    decimals: int = 0
    links: tuple[tuple[str, ...], ...] = ()  # plausible table readings: each a sum of cell keys
    headline: bool = True  # severity: a headline cell (high) or one applicant column / sub-item (medium)
    approx: tuple[Number, Number] | None = None  # an approximate claim holds for cells in this range
    note: str = ""  # what the figure is, in Chinese, for the gold "why"

    def render(self) -> str:
        if self.kind == "percent":
            v = f"{self.value:.{self.decimals}f}"
        elif self.kind in ("approx", "text"):
            v = ""
        else:
            v = str(int(self.value)) if float(self.value).is_integer() else str(self.value)
        return self.fmt.replace("{v}", v)

    def cell_keys(self) -> set[str]:
        return {k for reading in self.links for k in reading}


@dataclass(frozen=True)
class Ref:
    """A slot's place in a paragraph."""

    id: str


Part = str | Ref


@dataclass(frozen=True)
class SumRel:
    """A narrative total and its stated breakdown (共…其中…): total = Σ parts. ``exhaustive``: the
    wording closes the list (办理结果为：…), so parts short of the total are an error too; a 其中
    list may name only some categories, so only parts exceeding the total prove one."""

    total: str
    parts: tuple[str, ...]
    exhaustive: bool = False


@dataclass(frozen=True)
class RatioRel:
    """percent = numerator ÷ denominator × 100, to the percent slot's decimals."""

    percent: str
    numerator: str
    denominator: str


@dataclass(frozen=True)
class SameRel:
    """The same quantity stated twice. ``provable``: which difference the wording proves wrong —
    "any" (全部13个政务新媒体 restating 政务新媒体13个), "larger" (a website channel restating all
    information published: only a larger channel contradicts it), "none" (对13个政务新媒体开展检查:
    a different count is worth a look, not a contradiction)."""

    first: str
    second: str
    provable: str = "any"


@dataclass(frozen=True)
class DeltaRel:
    """A year-over-year change (较上年增加N件) of a table quantity; sign +1 增加, -1 减少."""

    slot: str
    cells: tuple[str, ...]
    sign: int


Relation = SumRel | RatioRel | SameRel | DeltaRel


@dataclass
class Plan:
    """The narrative as blocks of parts plus its slots and relations (mutable while built)."""

    blocks: list[tuple[str, list[Part]]] = field(default_factory=list)  # (kind, parts): title|heading|para|table
    slots: dict[str, Slot] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    may_flag: list[dict] = field(default_factory=list)
    consistent: list[str] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)  # named slots later sentences refer back to

    def add(self, slot: Slot) -> Ref:
        base, n = slot.id, 1
        while slot.id in self.slots:
            n += 1
            slot = Slot(**{**slot.__dict__, "id": f"{base}_{n}"})
        self.slots[slot.id] = slot
        return Ref(slot.id)

    def relations_of(self, slot_id: str) -> list[Relation]:
        out = []
        for rel in self.relations:
            ids = {getattr(rel, a) for a in ("total", "percent", "numerator", "denominator", "first", "second", "slot")
                   if hasattr(rel, a)} | set(getattr(rel, "parts", ()))
            if slot_id in ids:
                out.append(rel)
        return out


@dataclass(frozen=True)
class GridCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    kind: str = "label"  # label | value | header | group
    tag: str | None = None


@dataclass(frozen=True)
class Grid:
    """A statutory table as a portal would lay it out (HTML/DOCX rows with spans)."""

    key: str  # active | applications | appeals
    rows: tuple[tuple[GridCell, ...], ...]


@dataclass(frozen=True)
class GoldFinding:
    check: str
    severity: str
    quotes: tuple[str, ...]  # quote specs, see layout.resolve_quote: "@slot", "#tag", "X..Y", "=literal"
    why: str
    values: tuple[Number, Number] | None = None
