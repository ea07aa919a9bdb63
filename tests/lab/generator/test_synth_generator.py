"""The generator: determinism, consistent tables, gold that matches the text and the defects."""
from __future__ import annotations

import hashlib
import random

import pytest

from auditor.template import load_template
from auditor_lab.generator import generate_corpus, generate_report, render_docx, render_html
from auditor_lab.generator.inject import FAMILIES
from auditor_lab.generator.report import build_report
from auditor_lab.generator.tables import PROFILES, broken_relations, make_cells

LAYOUTS = ("lines", "rows", "glued", "tabs")


def _digest(folder) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.iterdir()):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_report():
    assert generate_report(11, layout="rows", errors=3) == generate_report(11, layout="rows", errors=3)
    assert generate_report(11)[0] != generate_report(12)[0]


def test_same_seed_same_corpus_bytes(tmp_path):
    kw = dict(formats=("txt", "html", "docx"), pairs=True)
    a = generate_corpus(tmp_path / "a", 6, 3, **kw)
    b = generate_corpus(tmp_path / "b", 6, 3, **kw)
    assert [p.name for p in a] == [p.name for p in b]
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    r = build_report(5, layout="tabs")
    assert render_docx(r) == render_docx(r)
    assert render_html(r, encoding="gbk", declare_charset=False) == render_html(r, encoding="gbk", declare_charset=False)


@pytest.mark.parametrize("fmt,count", [("2021", 200), ("2019", 198)])
def test_generated_tables_satisfy_every_relation(fmt, count):
    template = load_template(fmt)
    for seed in range(40):
        rng = random.Random(seed)
        cells = make_cells(rng, template, PROFILES[rng.choice(list(PROFILES))])
        assert len(cells) == count
        assert list(cells) == template.cell_keys()
        assert all(v is not None and v >= 0 for k, v in cells.items() if not k.endswith(".change"))
        assert broken_relations(cells, template) == []


def test_relations_do_fail_when_a_cell_is_changed():
    template = load_template("2021")
    cells = make_cells(random.Random(1), template, PROFILES["small"])
    cells["applications.granted.natural_person"] += 1
    broken = {(b.relation.check, b.row, b.column) for b in broken_relations(cells, template)}
    assert broken == {("table.row_sum", "granted", "total"), ("table.column_sum", None, "natural_person")}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_clean_report_has_no_findings(layout):
    for seed in range(12):
        _, gold = generate_report(seed, layout=layout, errors=0)
        assert gold["findings"] == [], (seed, gold["findings"])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_gold_quote_occurs_in_the_text(layout):
    seen = set()
    for seed in range(25):
        text, gold = generate_report(seed, layout=layout, errors=4)
        for item in gold["findings"] + [m for m in gold["may_flag"] if "quotes" in m]:
            assert item["quotes"], item
            for q in item["quotes"]:
                assert q in text, (seed, q)
        seen |= {f["check"] for f in gold["findings"]}
    assert len(seen) >= 8


def test_gold_has_the_real_gold_shape():
    _, gold = generate_report(3, errors=4)
    assert {"report", "agency", "year", "format", "cells", "findings", "may_flag"} <= set(gold)
    assert len(gold["cells"]) in (200, 198) or any(f["check"] in ("meta.format", "table.missing") for f in gold["findings"])
    for f in gold["findings"]:
        assert set(f) <= {"check", "severity", "quotes", "values", "why"}
        assert f["severity"] in ("high", "medium", "low", "info")
        assert f.get("values") is None or len(f["values"]) == 2


@pytest.mark.parametrize("family", [f for f in FAMILIES if not f.startswith("cross_year.")])
def test_each_family_is_injected_and_recorded(family):
    hits = 0
    for seed in range(8):
        layout = "lines" if family.startswith("table.") else LAYOUTS[seed % 4]
        _, gold = generate_report(seed, layout=layout, errors=1, families=(family,))
        if gold["generator"]["errors"]:
            assert family in {f["check"] for f in gold["findings"]}, (seed, gold["findings"])
            hits += 1
    assert hits >= 4


def test_one_changed_cell_records_every_relation_it_breaks():
    for seed in range(30):
        _, gold = generate_report(seed, errors=1, families=("table.row_sum",))
        checks = [f["check"] for f in gold["findings"]]
        assert "table.row_sum" in checks
        # a row's 总计 cell is also a term of a column relation (sum or balance) unless it is 表四
        assert len(checks) >= 2 or "表四" in gold["findings"][0]["why"], gold["findings"]


def test_pairs_carry_over_and_delta():
    found = set()
    for seed in range(12):
        first = build_report(seed, year=2022)
        second = build_report(seed + 50, year=2023, previous=first, errors=1,
                              families=("cross_year.carry_over", "cross_year.delta"))
        for f in second.gold["findings"]:
            found.add(f["check"])
            assert f["severity"] == "medium"
        assert first.agency == second.agency
        clean = build_report(seed + 50, year=2023, previous=first, errors=0)
        assert clean.gold["findings"] == []
        assert all(clean.cells[f"applications.carried_over.{c}"] == first.cells[f"applications.carried_forward.{c}"]
                   for c in ("natural_person", "commercial", "total"))
    assert found == {"cross_year.carry_over", "cross_year.delta"}


def test_corpus_files_and_pairs(tmp_path):
    paths = generate_corpus(tmp_path, 4, 9, pairs=True)
    assert len(paths) == 4
    import json

    golds = [json.loads((p.parent / f"{p.name}.gold.json").read_text(encoding="utf-8")) for p in paths]
    assert [g["report"] for g in golds] == [p.name for p in paths]
    assert golds[1]["previous"] == paths[0].name and golds[1]["year"] == golds[0]["year"] + 1
    assert paths[0].name.rsplit("-", 1)[0] == paths[1].name.rsplit("-", 1)[0]


def test_wholly_2019_format_after_2021_is_flagged():
    _, gold = generate_report(4, fmt="2019", year=2023, errors=0)
    assert [(f["check"], f["severity"]) for f in gold["findings"]] == [("meta.format", "medium")]
    assert gold["format"] == "2019" and len(gold["cells"]) == 198


def test_a_row_whose_label_has_a_typo_is_never_the_row_removed():
    """A removed row takes its label with it: the label's gold finding would quote nothing (a
    generator defect that used to abort a whole corpus)."""
    from auditor_lab.generator.draft import Draft, Unavailable
    from auditor_lab.generator.grids import LabelStyle
    from auditor_lab.generator.table_defects import label, missing

    template = load_template("2021")
    removed = 0
    for seed in range(400):
        rng = random.Random(seed)
        cells = make_cells(rng, template, PROFILES["none"])
        d = Draft(rng, template, 2022, "lines", LabelStyle(), cells, dict(cells))
        for inject in (label, missing):
            try:
                inject(d)
            except Unavailable:
                pass
        assert not set(d.edits.labels) & d.edits.missing_rows, seed
        removed += bool(d.edits.missing_rows)
    assert removed > 50  # the removal path is taken often enough to have met a labelled row
