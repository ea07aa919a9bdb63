"""The evaluation harness: the matching rule, the figures, and runs against stored thresholds."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor_lab.evaluation import SEVERITY_LABELS, matches, run_eval, score

REPO = Path(__file__).resolve().parents[2]
THRESHOLDS = json.loads((REPO / "eval" / "thresholds.json").read_text(encoding="utf-8"))
REAL = REPO.parent / "shared" / "corpora" / "real"
WILD = REPO.parent / "shared" / "corpora" / "wild"


def pred(check, severity="high", quote=None, stated=None, expected=None):
    ev = [{"kind": "text", "start": 0, "end": 1, "quote": quote}] if quote else []
    return {"check": check, "severity": severity, "stated": stated, "expected": expected, "evidence": ev}


def report(*findings, tables=None, coverage=None):
    return {"findings": list(findings), "tables": tables or {}, "coverage": coverage or {}}


def test_quote_overlap_folds_width_and_whitespace_either_way():
    gold = {"check": "narrative.sum", "quotes": ["共公布政府信息2602条"]}
    assert matches(pred("narrative.sum", quote="公布政府信息 ２６０２ 条"), gold)  # pred inside gold, NFKC + spaces
    assert matches(pred("narrative.sum", quote="全年共公布政府信息2602条，其中"), gold)  # gold inside pred
    assert not matches(pred("narrative.ratio", quote="共公布政府信息2602条"), gold)  # other check
    assert not matches(pred("narrative.sum", quote="政府信息2603条"), gold)


def test_values_match_as_an_unordered_pair_and_star_and_any():
    gold = {"check": "table.column_sum", "quotes": ["nowhere"], "values": [20, 26]}
    assert matches(pred("table.column_sum", stated=26, expected=20.0), gold)
    assert not matches(pred("table.column_sum", stated=26, expected=21), gold)
    assert matches(pred("meta.year", quote="增加6件"), {"check": "*", "quotes": ["增加6件"]})
    assert matches(pred("table.missing"), {"check": "table.missing", "any": True})


def test_score_counts_like_score_py():
    gold = {"report": "a.txt",
            "findings": [{"check": "table.balance", "severity": "high", "quotes": ["新收7"]},
                         {"check": "table.label", "severity": "low", "quotes": ["预期不补正"]},
                         {"check": "narrative.sum", "severity": "medium", "quotes": ["共2602条"]}],
            "may_flag": [{"check": "table.missing", "any": True}],
            "cells": {"applications.granted.total": 5, "applications.granted.legal": None, "active.fees.amount": 1.5}}
    predicted = report(pred("table.balance", "medium", quote="新收7"),
                       pred("table.label", "low", quote="申请人无正当理由预期不补正"),
                       pred("table.label", "low", quote="预期不补正"),  # a second hit on a taken gold: FP
                       pred("table.missing", "low", quote="—"),  # excused by may_flag
                       pred("meta.year", "info", quote="2022年"),  # info never counts
                       tables={"applications": {"granted": {"total": 5, "legal": None}}, "active.fees.amount": 2},
                       coverage={"extracted": 10, "linked": 8, "verified": 6})
    r = score([(predicted, gold)])
    assert (r.overall.tp, r.overall.fp, r.overall.fn) == (2, 1, 1)
    assert r.per_check["table.label"].fp == 1 and r.per_check["narrative.sum"].fn == 1
    assert r.per_check["table.balance"].precision == 1.0
    assert r.figures()["recall"] == pytest.approx(2 / 3) and r.figures()["precision"] == pytest.approx(2 / 3)
    hi, med, lo = (SEVERITY_LABELS.index(s) for s in ("high", "medium", "low"))
    assert r.severity_confusion[hi][med] == 1 and r.severity_confusion[lo][lo] == 1
    assert r.severity_accuracy == 0.5
    assert r.severity_macro_f1 == pytest.approx((0 + 0 + 1) / 3)  # high, medium, low present
    assert (r.cells_right, r.cells_total, r.baseline_cells_right) == (2, 3, 1)
    assert r.coverage_ratio == 0.6
    assert r.baseline() == {"precision": 1.0, "recall": 0.0, "f1": 0.0, "cells_accuracy": pytest.approx(1 / 3)}


def test_a_crashed_report_is_an_error_row_with_all_gold_missed():
    gold = {"report": "bad.pdf", "findings": [{"check": "table.balance", "severity": "high", "quotes": ["x"]}]}
    r = score([({"error": "InputError: 损坏", "wall_ms": 3.0}, gold), (None, {"report": "b", "findings": []})])
    assert r.errors == 2 and r.overall.fn == 1 and r.rows[0].error.startswith("InputError")
    assert r.figures()["error_rate"] == 1.0


def _check_thresholds(figures: dict, spec: dict) -> list[str]:
    low = [f"{k}={figures[k]:.3f} < {v}" for k, v in spec.get("min", {}).items() if figures[k] < v - 1e-9]
    high = [f"{k}={figures[k]:.3f} > {v}" for k, v in spec.get("max", {}).items() if figures[k] > v + 1e-9]
    return low + high


def _run(corpus: Path, out: Path, name: str, gold_dir: Path | None = None) -> dict:
    assert run_eval(corpus, out, name=name, gold_dir=gold_dir) == 0
    for suffix in (".json", ".md", "-severity.png"):
        assert (out / f"{name}{suffix}").stat().st_size > 0
    data = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    assert data["reports"] == len(data["rows"]) > 0
    return data


@pytest.mark.skipif(not REAL.is_dir(), reason="shared/corpora/real not present")
def test_real_corpus_meets_stored_thresholds(tmp_path):
    data = _run(REAL, tmp_path, "real")
    assert not _check_thresholds(data["figures"], THRESHOLDS["real"])


@pytest.mark.skipif(not WILD.is_dir(), reason="shared/corpora/wild not present")
def test_wild_corpus_meets_stored_thresholds_with_the_projects_gold(tmp_path):
    spec = THRESHOLDS["wild"]
    data = _run(WILD, tmp_path, "wild", gold_dir=REPO / spec["gold"])
    assert data["reports"] == len(list((REPO / spec["gold"]).glob("*.gold.json")))
    assert not _check_thresholds(data["figures"], spec)


def test_gold_kept_apart_from_the_reports_is_found(tmp_path):
    (tmp_path / "r").mkdir()
    (tmp_path / "g").mkdir()
    (tmp_path / "r" / "a.txt").write_text("某某局2023年政府信息公开工作年度报告", encoding="utf-8")
    assert run_eval(tmp_path / "r", tmp_path / "out") == 2  # no gold beside it
    (tmp_path / "g" / "a.txt.gold.json").write_text(json.dumps({"findings": [], "cells": {}}), encoding="utf-8")
    assert run_eval(tmp_path / "r", tmp_path / "out", gold_dir=tmp_path / "g") == 0


def test_generated_split_meets_stored_thresholds(tmp_path):
    synth = pytest.importorskip("auditor_lab.generator")
    spec = THRESHOLDS["generated"]
    corpus = tmp_path / "corpus"
    synth.generate_corpus(corpus, spec["n"], spec["seed"])
    data = _run(corpus, tmp_path / "results", "generated")
    assert not _check_thresholds(data["figures"], spec)


def test_run_eval_refuses_a_folder_without_gold(tmp_path):
    (tmp_path / "a.txt").write_text("无标注", encoding="utf-8")
    assert run_eval(tmp_path, tmp_path / "out") == 2


SNIPPETS = REPO.parent / "shared" / "corpora" / "snippets"


@pytest.mark.skipif(not SNIPPETS.is_dir(), reason="shared/corpora/snippets not present")
def test_snippets_narrative_checks_find_every_error_and_little_else():
    from auditor_lab.evaluation import audit_one, corpus_reports

    def narrative(findings):
        return [f for f in findings if f["check"].startswith("narrative.")]

    pairs = []
    for report, gpath in corpus_reports(SNIPPETS):
        gold = json.loads(gpath.read_text(encoding="utf-8"))
        gold = {**gold, "findings": narrative(gold["findings"]), "cells": {}}
        got = audit_one(report, gold)
        pairs.append(({**got, "findings": narrative(got.get("findings", []))}, gold))
    figures = score(pairs).figures()
    assert figures["recall"] == 1.0 and figures["precision"] >= 0.95, figures
