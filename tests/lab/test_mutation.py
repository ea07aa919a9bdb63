"""The mutator of `auditor eval --mutate`: each class makes the change it claims, where it says,
an unmutated report detects nothing, and on generated reports the auditor catches the changes."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from auditor.checks.reconcile import claim_records
from auditor.ingest import document_from_text, read_document
from auditor.pipeline import analyse, audit_document
from auditor.template import load_template
from auditor_lab.mutation import _LEGACY, CLASSES, judge, plan, run_mutation_eval, run_mutations, summary


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    from auditor_lab.generator import generate_corpus

    out = tmp_path_factory.mktemp("clean")
    generate_corpus(out, 4, 11, errors=0)
    generate_corpus(out, 2, 12, pairs=True, errors=0)
    return out


_LEGACY_2019 = set(load_template("2021").legacy_labels)


def _plans(corpus: Path):
    for p in sorted(corpus.glob("*.txt")):
        doc = read_document(p)
        ctx = analyse(doc)
        yield p, doc, ctx, plan(ctx, claim_records(ctx), random.Random(3), 3)


def test_every_mutation_changes_what_it_records_where_it_records(corpus):
    seen = set()
    for _, doc, ctx, mutations in _plans(corpus):
        for m in mutations:
            seen.add(m.cls)
            assert doc.text[m.start:m.end] == m.before
            out = m.apply(doc.text)
            assert out[m.start:m.start + len(m.after)] == m.after and out != doc.text
            assert out[:m.start] == doc.text[:m.start] and out[m.start + len(m.after):] == doc.text[m.end:]
            if m.figure is not None:
                assert out[m.figure[0]:m.figure[1]].isdigit()
    assert {"table_cell", "narrative_cell", "sentence_year", "period_year", "label_typo"} <= seen


def test_each_class_makes_its_kind_of_change(corpus):
    for _, doc, ctx, mutations in _plans(corpus):
        year = ctx.facts.year
        for m in mutations:
            if m.cls == "table_cell":
                assert m.before.isdigit() and m.after.isdigit() and abs(len(m.after) - len(m.before)) <= 1
                assert m.cell is not None and float(m.after) == m.value
            elif m.cls == "sentence_year":
                assert m.after == str(year - 1)
            elif m.cls == "period_year":
                assert m.after in (str(year - 1), str(year + 1))
            elif m.cls == "label_typo":
                assert len(m.before) - len(m.after) in (0, 1) and m.before != m.after
            elif m.cls == "legacy_label":
                assert (m.before, m.after) in _LEGACY and m.after in _LEGACY_2019 | {"规范性文件"}
            elif m.cls in ("narrative_cell", "narrative_sum"):
                assert m.before.isdigit() and m.after.isdigit() and m.before != m.after
            elif m.cls == "restatement":
                assert m.before == "" and m.start == m.end


def test_an_unmutated_report_detects_nothing(corpus):
    for p, doc, ctx, mutations in list(_plans(corpus))[:3]:
        original = audit_document(doc)
        for m in mutations:
            assert judge(original, original, ctx, m).status in ("missed", "dropped")


def test_a_cell_read_another_way_is_dropped_not_missed(corpus):
    p, doc, ctx, mutations = next(iter(_plans(corpus)))
    m = next(m for m in mutations if m.cls == "table_cell")
    wrong = type(m)(**{**m.__dict__, "value": m.value + 1000})
    mutated = document_from_text(m.apply(doc.text))
    assert judge(audit_document(doc), audit_document(mutated), analyse(mutated), wrong).status == "dropped"


def test_generated_reports_mutations_are_caught_without_collateral(corpus, tmp_path):
    outcomes = run_mutations(corpus, per_class=2, seed=5)
    rows = summary(outcomes)
    assert set(rows) == set(CLASSES)
    for cls, r in rows.items():
        if r["mutations"] >= 4:
            assert r["detection"] >= 0.9, (cls, r)
            assert r["collateral"] <= 0.1, (cls, r)
    assert run_mutation_eval(corpus, tmp_path, name="gen", per_class=1, seed=5) == 0
    assert (tmp_path / "mutate-gen.md").read_text(encoding="utf-8").startswith("# Mutation results")


def test_a_partial_list_is_only_broken_past_its_total():
    """其中 items may leave some out, so only a total below its parts, or a part pushed past the
    total, is an error the text proves; each narrative_sum mutation here is one."""
    text = ("一、总体情况\n2024年，本机关共收到政府信息公开申请10件，其中自然人申请6件，法人申请4件。"
            "全年共召开新闻发布会5场。\n")
    doc = document_from_text(text)
    ctx = analyse(doc)
    sums = [m for m in plan(ctx, claim_records(ctx), random.Random(1), 8) if m.cls == "narrative_sum"]
    assert len(sums) >= 3
    for m in sums:
        values = {"total": 10, "parts": [6, 4]}
        if m.start == text.index("10件"):
            values["total"] = int(m.after)
        else:
            i = 0 if m.start == text.index("6件") else 1
            values["parts"][i] = int(m.after)
        assert sum(values["parts"]) > values["total"], m
        mutated = document_from_text(m.apply(text))
        assert judge(audit_document(doc), audit_document(mutated), analyse(mutated), m).status == "detected"


def test_carry_over_mutations_break_last_years_figure(corpus):
    from auditor.checks import CheckContext
    from auditor_lab.mutation import previous_of

    seen = 0
    for p in sorted(corpus.glob("*.txt")):
        prev = previous_of(p)
        if prev is None:
            continue
        ctx = analyse(read_document(p))
        last = analyse(read_document(prev))
        ctx = CheckContext(**{**ctx.__dict__, "previous": last})
        for m in plan(ctx, claim_records(ctx), random.Random(2), 6):
            if m.cls != "carry_over":
                continue
            seen += 1
            assert m.cell.startswith("applications.carried_over.")
            before = last.tables.cells[m.cell.replace(".carried_over.", ".carried_forward.")].value
            assert float(m.before) == before and m.value != before
    assert seen >= 2
