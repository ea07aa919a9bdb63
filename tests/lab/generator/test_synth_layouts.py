"""Every layout the generator writes is read back by the tables reader to the gold cells."""
from __future__ import annotations

import itertools
import random

import re

import pytest

from auditor.ingest import document_from_bytes
from auditor.tables.reader import read_tables
from auditor.template import load_template
from auditor_lab.generator import render_docx, render_html
from auditor_lab.generator.grids import LabelStyle, TableEdits, appeals_grid, applications_grid
from auditor_lab.generator.layout import Para, TableBlock, TextStyle, style_grid, to_text
from auditor_lab.generator.report import build_report
from auditor_lab.generator.tables import PROFILES, make_cells

TABLE_FAMILIES = ("table.row_sum", "table.column_sum", "table.balance", "table.label", "table.missing", "meta.format")


def _read(text: str, fmt: str) -> dict:
    return read_tables(text, load_template(fmt)).flat()


def _assert_cells(got: dict, gold: dict, where) -> None:
    # a blank cell is null in gold; the reader may give null or leave it out
    wrong = {k: (v, got.get(k)) for k, v in gold.items() if got.get(k) != v}
    extra = [k for k in got if k not in gold]
    assert not wrong and not extra, (where, list(wrong.items())[:5], extra[:5])


def _no_negatives(report) -> bool:
    return all(not isinstance(v, (int, float)) or v >= 0 for v in report.cells.values())


@pytest.mark.parametrize("layout", ("lines", "rows", "tabs"))
def test_layout_reads_back_to_gold_cells(layout):
    for seed in range(16):
        families = TABLE_FAMILIES if seed % 2 else None
        r = build_report(seed, layout=layout, errors=2, families=families)
        _assert_cells(_read(r.text, r.gold["format"]), r.gold["cells"], (layout, seed, r.gold["generator"]))


@pytest.mark.parametrize("layout", ("lines", "rows", "tabs"))
def test_2019_layout_reads_back(layout):
    reports = (build_report(seed, fmt="2019", layout=layout, errors=0) for seed in range(200))
    chosen = list(itertools.islice((r for r in reports if _no_negatives(r)), 3))
    assert len(chosen) == 3
    for r in chosen:
        assert len(r.gold["cells"]) == 198
        _assert_cells(_read(r.text, "2019"), r.gold["cells"], (layout, r.seed))


def _unique_splits(digits: str, n: int, row_total: bool) -> int:
    """How many ways ``digits`` reads as n cells (no leading zeros), 总计 last when row_total."""
    count = 0

    def rec(rest: str, parts: list[int]) -> None:
        nonlocal count
        if count > 1:
            return
        if len(parts) == n - 1:
            if rest and (rest == "0" or rest[0] != "0"):
                vals = parts + [int(rest)]
                if not row_total or sum(vals[:-1]) == vals[-1]:
                    count += 1
            return
        for i in range(1, len(rest) - (n - 2 - len(parts))):
            head = rest[:i]
            if head != "0" and head[0] == "0":
                break
            rec(rest[i:], parts + [int(head)])

    rec(digits, [])
    return count


def _bare_heading_4(text: str) -> bool:
    """表四's heading written without its number (a template variant); see the xfail below."""
    pos = text.find("政府信息公开行政复议、行政诉讼情况")
    return pos >= 0 and not text[max(0, pos - 2):pos].endswith("四、")


def test_glued_reads_rows_whose_split_is_unique():
    checked = 0
    for seed in range(14):
        r = build_report(seed, layout="glued", errors=2, profile=("tiny", "small", "none")[seed % 3])
        if _bare_heading_4(r.text):
            continue
        got = _read(r.text, r.gold["format"])
        gold = r.gold["cells"]
        assert all(got[k] == gold[k] for k in got if k in gold), seed  # never a wrong value
        assert not [k for k in got if k not in gold]
        spec = load_template(r.gold["format"]).tables["applications"]
        for row in spec.rows:
            keys = [f"applications.{row.key}.{c.key}" for c in spec.columns]
            if not all(k in gold and gold[k] is not None for k in keys):
                continue
            digits = "".join(str(gold[k]) for k in keys)
            if _unique_splits(digits, 7, row_total=True) == 1:
                assert all(got.get(k) == gold[k] for k in keys), (seed, row.key, digits)
                checked += 1
    assert checked > 100


@pytest.mark.parametrize("layout", ("lines", "rows", "tabs"))
def test_table3_every_label_variant_reads_all_175_cells(layout):
    template = load_template("2021")
    cells = make_cells(random.Random(7), template, PROFILES["medium"])
    gold = {k: v for k, v in cells.items() if k.startswith("applications.")}
    assert len(gold) == 175
    styles = [LabelStyle(dot=dot, space_after_dot=space, variant_index=k, note=note)
              for k, (dot, space, note) in enumerate(itertools.product((".", "．", "、"), (False, True),
                                                                      ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",)))]
    styles.append(LabelStyle(inner_space_rate=1.0, blank_header_cells=True))
    for style, ascii_punct in itertools.product(styles, (False, True)):
        text_style = TextStyle(ascii_punct=ascii_punct)
        rng = random.Random(1)
        blocks = [Para("title", "某局2023年政府信息公开工作年度报告"), Para("heading", "三、收到和处理政府信息公开申请情况"),
                  TableBlock(style_grid(applications_grid(template, cells, style, TableEdits(), rng), text_style)),
                  Para("heading", "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
                  TableBlock(style_grid(appeals_grid(template, cells, TableEdits()), text_style))]
        text, _ = to_text(blocks, layout, random.Random(2), agency="某局", year=2023)
        tables = read_tables(text, template)
        got = {k: v for k, v in tables.flat().items() if k.startswith("applications.")}
        assert got == gold, (layout, style, ascii_punct)
        assert all(lm.exact for lm in tables.labels), [lm.written for lm in tables.labels if not lm.exact]


def test_html_and_docx_ingest_to_the_gold_quotes_and_cells():
    for seed in range(4):
        r = build_report(seed, layout="tabs", errors=3)
        for name, data in (("x.html", render_html(r)),
                           ("x.html", render_html(r, encoding="gbk", declare_charset=False)),
                           ("x.docx", render_docx(r))):
            doc = document_from_bytes(data, filename=name)
            for f in r.gold["findings"]:
                assert all(q in doc.text for q in f["quotes"]), (seed, name, f)
            _assert_cells(_read(doc.text, r.gold["format"]), r.gold["cells"], (seed, name))


def test_gbk_page_declares_no_charset():
    data = render_html(build_report(1, layout="tabs"), encoding="gbk", declare_charset=False)
    assert b"charset" not in data
    data.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


# --------------------------------------------------------------------------- reader limitations found
def test_2019_negative_change_is_read():
    for layout in ("lines", "rows", "tabs"):
        r = next(r for r in (build_report(s, fmt="2019", layout=layout, errors=0) for s in range(50)) if not _no_negatives(r))
        _assert_cells(_read(r.text, "2019"), r.gold["cells"], (layout, r.seed))


def test_2019_glued_negative_change_is_never_misread():
    r = next(r for r in (build_report(s, fmt="2019", layout="glued", errors=0) for s in range(50)) if not _no_negatives(r))
    got = _read(r.text, "2019")
    assert {k: v for k, v in got.items() if v != r.gold["cells"].get(k)} == {}


def test_typo_in_carried_forward_label_keeps_table_4():
    r = build_report(2, layout="tabs", errors=0)
    text = r.text.replace("四、结转下年度继续办理", "四、结转下继续办理")
    assert text != r.text
    got = _read(text, r.gold["format"])
    assert all(got.get(k) == v for k, v in r.gold["cells"].items() if k.startswith("appeals."))


def test_glued_bare_heading_4_keeps_carried_forward_row():
    r = build_report(53, layout="glued", errors=0, profile="tiny")
    assert _bare_heading_4(r.text) and "\n" not in r.text[r.text.find("二、主动公开"):]
    got = _read(r.text, r.gold["format"])
    assert all(got.get(k) == v for k, v in r.gold["cells"].items() if k.startswith("applications.carried_forward."))


def test_glued_table_4_stops_at_short_heading_5():
    r = next((r for r in (build_report(s, layout="glued", errors=0, profile="tiny") for s in range(120))
              if re.search(r"五、存在问题及改进情况[^\n]", r.text)), None)
    if r is None:
        pytest.skip("no generated report with the short heading 五 on one line")
    got = _read(r.text, r.gold["format"])
    assert all(got.get(k) == v for k, v in r.gold["cells"].items() if k.startswith("appeals."))
