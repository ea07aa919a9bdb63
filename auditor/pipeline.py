"""The pipeline: ingest -> template -> tables -> claims -> checks -> severity, one direction."""
from __future__ import annotations

import time
from collections import OrderedDict
from pathlib import Path

from . import __version__, deadline
from .checks import CheckContext, run_checks, select
from .checks.finding import SEVERITY_RANK
from .claims.facts import not_a_report, read_facts
from .config import defaults, option
from .errors import E114, E904
from .ingest.document import Document
from .report import Report
from .tables.reader import read_tables
from .template import load_template


def analyse(doc: Document, config: dict | None = None, require_report: bool = False) -> CheckContext:
    """Everything the checks need for one document (tables, facts, claims). ``require_report``:
    a text that is neither a report nor a passage of one is refused (E904), as ``audit``, the
    HTTP service and ``batch`` do; the library audits any text it is given."""
    from .claims import extract_claims, read_relations

    config = config or defaults()
    if len(doc.text) > option(config, "limits", "max_text_chars"):
        raise E114("analysis", chars=len(doc.text), limit=option(config, "limits", "max_text_chars"))
    deadline.check()
    facts = read_facts(doc.text)
    why = not_a_report(doc.text, facts) if require_report else None
    if why:
        raise E904()
    template = load_template(facts.format)
    tables = read_tables(doc.text, template)
    deadline.check()
    claims = extract_claims(doc.text, facts, tables)
    deadline.check()
    relations = read_relations(doc.text, claims, tables.spans)
    return CheckContext(text=doc.text, tables=tables, template=template, facts=facts, claims=tuple(claims),
                        relations=relations, config=config)


class Analyses:
    """The analyses of the last few texts audited, so that next year's audit takes this year's as
    its previous report instead of analysing it again (a batch worker audits both, one after the
    other). Keyed by the text itself: the same bytes read as HTML and as text are two texts.
    Consulted for ``previous`` only: an audit always analyses its own document afresh. At most
    ``size`` analyses of ``max_chars`` characters in all (an analysis takes about 22 bytes a
    character: the default keeps a worker under 25 MB for it)."""

    def __init__(self, size: int = 4, max_chars: int = 1_000_000) -> None:
        self.size, self.max_chars = size, max_chars
        self._by_text: OrderedDict[str, CheckContext] = OrderedDict()
        self._chars = 0

    def remember(self, text: str, ctx: CheckContext) -> None:
        if len(text) > self.max_chars:
            return
        if text in self._by_text:
            self._chars -= len(text)
        self._by_text[text] = ctx
        self._by_text.move_to_end(text)
        self._chars += len(text)
        while len(self._by_text) > self.size or self._chars > self.max_chars:
            self._chars -= len(self._by_text.popitem(last=False)[0])

    def recall(self, text: str) -> CheckContext | None:
        ctx = self._by_text.get(text)
        if ctx is not None:  # a report followed by several of next year stays while they come
            self._by_text.move_to_end(text)
        return ctx


def audit_document(doc: Document, *, previous: Document | None = None, select_rules=None, ignore_rules=None,
                   severity_model: bool = True, config: dict | None = None,
                   analyses: Analyses | None = None, require_report: bool = False) -> Report:
    """``config`` reaches the rules as ``CheckContext.config`` (batch mode passes ``copies``);
    ``analyses`` keeps this document's analysis for a later audit and supplies the previous one's."""
    t0 = time.perf_counter()
    ctx = analyse(doc, config, require_report=require_report)
    if analyses is not None:
        analyses.remember(doc.text, ctx)
    warnings = list(doc.warnings)
    previous_info = None
    if previous is not None:
        prev_ctx = (analyses.recall(previous.text) if analyses is not None else None) or analyse(previous)
        prev_ctx = CheckContext(**{**prev_ctx.__dict__, "config": {**prev_ctx.config, "source": previous.meta.source}})
        reason = previous_mismatch(ctx.facts, prev_ctx.facts)
        previous_info = {"source": previous.meta.source, "year": prev_ctx.facts.year, "agency": prev_ctx.facts.agency,
                         "used": reason is None, "reason": reason}
        if reason is None:
            ctx = CheckContext(**{**ctx.__dict__, "previous": prev_ctx})
        else:
            warnings.append(f"未进行跨年度核对：{reason}")
    if config:
        ctx = CheckContext(**{**ctx.__dict__, "config": {**ctx.config, **config}})
    findings, errors = run_checks(ctx, select(select_rules, ignore_rules))
    if doc.ocr_pages:
        from .checks.reading import mark_readings

        findings = mark_readings(findings, doc.text, doc.ocr_spans(), doc.unsure,
                                 option(ctx.config, "ocr", "low_confidence"))
    model_name = None
    if severity_model:
        from .severity import assign_severity

        findings, model_name, warn = assign_severity(findings, ctx)
        warnings += warn
    else:  # the hand-written guideline alone: rules leave every finding at its family default
        from .severity.guideline import guideline_severity

        findings = [f.with_(severity=guideline_severity(f)) for f in findings]
    findings.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.main_span[0] if f.main_span else 10**9, f.code))
    findings = [f.with_(id=f"F{i}") for i, f in enumerate(findings, 1)]
    from .checks.reconcile import claim_records, coverage

    claims = claim_records(ctx)
    report = Report(
        source=doc.meta.source, sha256=doc.meta.sha256, input_kind=doc.meta.input_kind, text=doc.text,
        size=doc.meta.size,
        title=ctx.facts.title, agency=ctx.facts.agency, year=ctx.facts.year, format=ctx.facts.format,
        encoding=doc.meta.encoding, findings=findings, claims=claims, tables=ctx.tables.flat(),
        coverage=coverage(ctx, claims), errors=errors, warnings=warnings, model=model_name, tool_version=__version__,
        previous=previous_info, page_starts=doc.page_starts, ocr_pages=doc.ocr_pages)
    report.timing_ms = (time.perf_counter() - t0) * 1000
    return report


def previous_mismatch(facts, prev_facts) -> str | None:
    """Why a report given as last year's cannot be compared with this one, or None. Years or
    agencies that cannot be read are given the benefit of the doubt."""
    from .across.pairing import agency_key, same_agency

    if facts.year and prev_facts.year and prev_facts.year != facts.year - 1:
        return f"所给的上一年度报告是{prev_facts.year}年度的，本报告是{facts.year}年度的，不是前一年"
    if agency_key(facts.agency) and agency_key(prev_facts.agency) and not same_agency(facts.agency, prev_facts.agency):
        return f"所给的上一年度报告是“{prev_facts.agency}”的，本报告是“{facts.agency}”的，不是同一机关"
    return None


def read_limits(config: dict | None) -> dict:
    """The readers' settings from a configuration: ``max_bytes``, ``max_chars`` and ``ocr``."""
    from .ingest.ocr import OcrSettings

    config = config or defaults()
    return {"max_bytes": option(config, "limits", "max_input_bytes"), "max_chars": option(config, "limits", "max_text_chars"),
            "ocr": OcrSettings(enabled=option(config, "ocr", "enabled"), dpi=option(config, "ocr", "dpi"))}


def audit_path(path: str | Path, *, previous: str | Path | None = None, **kw) -> Report:
    from .ingest import read_document

    limits = read_limits(kw.get("config"))
    prev = read_document(previous, **limits) if previous else None
    return audit_document(read_document(path, **limits), previous=prev, **kw)


def audit_text(text: str, *, filename: str | None = None, previous: str | None = None, **kw) -> Report:
    from .ingest import document_from_text

    prev = document_from_text(previous, source="<previous>") if previous else None
    return audit_document(document_from_text(text, source=filename or "<text>"), previous=prev, **kw)


def audit_bytes(data: bytes, *, filename: str = "<bytes>", previous: bytes | None = None, **kw) -> Report:
    from .ingest import document_from_bytes

    prev = document_from_bytes(previous, filename="<previous>") if previous else None
    return audit_document(document_from_bytes(data, filename=filename), previous=prev, **kw)
