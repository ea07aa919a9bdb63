"""What a rule sees: the stages' outputs, frozen, plus a helper to build findings."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..claims.model import Claim, Relations, ReportFacts
from ..tables.model import Cell, StatutoryTables
from ..template import Template
from .finding import CellEvidence, Evidence, Finding, TextEvidence


LABEL_REACH = 400  # characters between a row's label and its first cell for the label to be quoted


@dataclass(frozen=True)
class CheckContext:
    text: str
    tables: StatutoryTables
    template: Template
    facts: ReportFacts
    claims: tuple[Claim, ...] = ()
    relations: Relations = Relations()
    previous: "CheckContext | None" = None
    config: dict = field(default_factory=dict)

    def text_ev(self, start: int, end: int) -> TextEvidence:
        return TextEvidence(start, end, self.text[start:end])

    def row_ev(self, cells) -> list[TextEvidence]:
        """The row's label through its cells, when the label stands near (the words a reader sees);
        else the cells alone."""
        first = min(c.start for c in cells)
        row_key = f"{cells[0].table}.{cells[0].row}"
        label = next((lm for lm in self.tables.labels if lm.key == row_key and lm.start <= first), None)
        start = label.start if label and first - label.start < LABEL_REACH else first
        end = max(c.end for c in cells)
        return [self.text_ev(start, end)] if end > start else []

    @staticmethod
    def cell_ev(cell: Cell) -> CellEvidence:
        return CellEvidence(cell.table, cell.row, cell.column, cell.value, cell.start, cell.end)

    def finding(self, rule, *, evidence: list[Evidence], stated=None, expected=None, severity: str | None = None,
                replacement: str | None = None, facts: dict | None = None, variant: str | None = None,
                **fields) -> Finding:
        """Render the rule's Chinese message from named fields; keep the data structured."""
        from .registry import _RULES

        spec = _RULES[rule] if isinstance(rule, str) else rule
        message = spec.template(variant).format(stated=stated, expected=expected, **fields)
        return Finding(code=spec.code, check=spec.check, severity=severity or spec.default, message=message,
                       stated=stated, expected=expected, evidence=tuple(evidence), replacement=replacement,
                       facts=facts or {})
