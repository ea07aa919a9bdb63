"""Evaluate a claim's candidate cell expressions against the tables, ambiguity-aware.

An expression is ``table:row[+row…][.column][@applicant]``: ``applications:new_received+
carried_over@natural_person``, ``appeals:litigation_direct+litigation_after_review.upheld``,
``active:rules.issued``. Rows may be globs (``denied.*``). A blank 总计 cell falls back to the
sum of its applicant columns. A claim contradicts the table only when no candidate holds.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from ..claims.model import Claim
from ..tables.model import Cell, StatutoryTables
from ..template import Template

APPLICANT_COLUMNS = {
    "natural_person": ("natural_person",),
    "legal_all": ("commercial", "research", "social", "legal", "other_org"),
    "commercial": ("commercial",), "research": ("research",), "social": ("social",), "legal": ("legal",),
}
ORG_COLUMNS = ("natural_person", "commercial", "research", "social", "legal", "other_org")


@dataclass(frozen=True)
class Evaluated:
    expr: str
    value: float | None
    cells: tuple[Cell, ...]
    headline: bool


def _rows(tables: StatutoryTables, table: str, pattern: str) -> list[str]:
    return [row for row in tables.row_keys(table) if fnmatch.fnmatchcase(row, pattern)]


def _cell_value(tables: StatutoryTables, table: str, row: str, cols: tuple[str, ...]) -> tuple[float | None, list[Cell]]:
    total, used = 0.0, []
    for col in cols:
        c = tables.cells.get(f"{table}.{row}.{col}")
        if c is not None and c.value is None and col == "total" and table == "applications":
            v, parts = _cell_value(tables, table, row, ORG_COLUMNS)
            if v is None:
                return None, []
            total += v
            used += parts
            continue
        if c is None or c.value is None:
            return None, []
        total += c.value
        used.append(c)
    return total, used


def evaluate(expr: str, tables: StatutoryTables, template: Template) -> Evaluated:
    table, _, rest = expr.partition(":")
    applicant = None
    if "@" in rest:
        rest, applicant = rest.split("@", 1)
    column = None
    spec = template.tables.get(table)
    if spec is not None and "." in rest:
        head, _, last = rest.rpartition(".")
        if last in {c.key for c in spec.columns}:
            rest, column = head, last
    if column is None:
        column = "total" if table in ("applications", "appeals") else None
    cols = APPLICANT_COLUMNS[applicant] if applicant else ((column,) if column else ())
    if not cols:  # e.g. a 2021 column asked of a 2019-format table
        return Evaluated(expr, None, (), False)
    total, cells = 0.0, []
    headline = applicant is None and column == "total"
    for term in rest.split("+"):
        rows = _rows(tables, table, term) if "*" in term else [term]
        if not rows:
            return Evaluated(expr, None, (), headline)
        headline = headline and (term in template.rows_at("headline", "category"))
        for row in rows:
            v, used = _cell_value(tables, table, row, cols)
            if v is None:
                return Evaluated(expr, None, (), headline)
            total += v
            cells += used
    if table == "active":
        headline = True
    value = int(total) if float(total).is_integer() else round(total, 4)
    return Evaluated(expr, value, tuple(cells), headline)


def verdict(claim: Claim, tables: StatutoryTables, template: Template) -> tuple[str, Evaluated | None, list[Evaluated]]:
    """("consistent" | "contradicted" | "unverifiable", the matching or primary candidate, all)."""
    evaluated = [evaluate(e, tables, template) for e in claim.candidates]
    usable = [e for e in evaluated if e.value is not None]
    if not usable:
        return "unverifiable", None, evaluated
    for e in usable:
        if claim.holds(e.value):
            return "consistent", e, evaluated
    return "contradicted", usable[0], evaluated


def claim_records(ctx) -> list[dict]:
    """Every extracted claim with its link and verdict, for the contract's ``claims``."""
    out = []
    for c in ctx.claims:
        rec = {"start": c.start, "end": c.end, "quote": c.quote, "metric": c.metric, "value": c.value,
               "low": c.low, "high": c.high, "unit": c.unit, "approx": c.approx, "kind": c.kind, "role": c.role,
               "qualifiers": list(c.qualifiers), "linked": None, "verdict": "unverifiable"}
        if c.candidates and c.kind == "count" and c.role != "delta":
            status, chosen, _ = verdict(c, ctx.tables, ctx.template)
            rec["verdict"] = status
            rec["candidates"] = list(c.candidates)
            if chosen is not None:
                rec["linked"] = {"expr": chosen.expr, "value": chosen.value,
                                 "cells": [x.key for x in chosen.cells]}
        elif c.role in ("total", "part", "share"):
            rec["verdict"] = "checked" if c.role == "total" else "unverifiable"
        out.append(rec)
    return out


def coverage(ctx, records: list[dict] | None = None) -> dict:
    """How many claims were extracted, linked and verified (``records``: ``claim_records(ctx)`` if at hand)."""
    recs = claim_records(ctx) if records is None else records
    linked = sum(1 for r in recs if r["linked"] is not None)
    verified = sum(1 for r in recs if r["verdict"] in ("consistent", "contradicted", "checked"))
    return {"extracted": len(recs), "linked": linked, "verified": verified}
