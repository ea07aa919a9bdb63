"""Report facts: the title's year is the report year, the tables decide the format."""
from __future__ import annotations

import pytest

from auditor.claims.facts import read_facts
from auditor.tables.reader import detect_format


@pytest.mark.parametrize("text, year", [
    ("某某市某某局2025年政府信\n息公开工作年度报告\n统计期限为2025年1月1日至12月31日。", 2025),
    ("某某县某某办 2024 年政 府信息公开工作年度报告\n本报告统计期限为2023年1月1日至12月31日。", 2024),
    ("某某区某某委员会2023年政府信息公开\n工作年度报告\n", 2023),
    ("某某镇人民政府2022年度政府信息公开工作年度报告", 2022),
])
def test_wrapped_or_spaced_title_gives_the_report_year(text, year):
    facts = read_facts(text)
    assert facts.year == year
    assert facts.year_span is not None


def test_without_a_title_the_period_gives_the_year():
    facts = read_facts("一、总体情况\n本报告统计期限为2021年1月1日至12月31日。")
    assert facts.year == 2021


_TABLE_2021 = ("第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 0 0 3\n")
_TABLE_2019 = ("第二十条第（一）项\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章 0 0 3\n"
               "政府集中采购 采购项目数量 0\n")


def test_format_follows_the_tables_not_the_year():
    assert detect_format("某某局2020年政府信息公开工作年度报告\n" + _TABLE_2021, 2020) == "2021"
    assert detect_format("某某局2020年政府信息公开工作年度报告\n" + _TABLE_2019, 2020) == "2019"
    assert detect_format("某某局2022年政府信息公开工作年度报告\n" + _TABLE_2021, 2022) == "2021"


def test_a_legacy_phrase_in_the_narrative_decides_nothing():
    narrative = "我局全年本年新制作数量较多，政府集中采购项目按规定公开。\n"
    assert detect_format("某某局2022年政府信息公开工作年度报告\n" + narrative + _TABLE_2021, 2022) == "2021"


def test_a_title_with_the_year_before_the_agency():
    facts = read_facts("正文\n2024 年某某市某某委政府信息公开工作\n年度报告\n根据条例编制本报告。")
    assert facts.year == 2024 and facts.agency == "某某市某某委"


def test_a_period_wrapped_over_two_lines_is_whole_and_stops_at_its_sentence():
    text = ("某某局2021年政府信息公开工作年度报告\n本年度报告中所列数据的统计时限为 2021 年 1 月 1 日至\n"
            " 2021 年 12 月 31 日。\n一、总体情况\n2020 年,我局坚持…")
    p = read_facts(text).period
    assert p.well_formed and (p.first_day, p.last_day) == ((1, 1), (12, 31))
    assert "总体情况" not in p.quote


def test_identify_reads_the_same_owner_and_year_as_read_facts():
    """The batch's first pass pairs years with ``identify``; the audit reads the whole facts."""
    from pathlib import Path

    from auditor.claims.facts import identify, read_facts
    from auditor.ingest import read_document

    sample = Path(__file__).resolve().parents[2] / "corpora" / "sample"
    files = sorted(p for p in sample.iterdir() if p.suffix in (".txt", ".html", ".docx"))
    assert len(files) >= 10
    for f in files:
        text = read_document(f).text
        who, full = identify(text), read_facts(text)
        assert (who.title, who.agency, who.year, who.year_span) == (full.title, full.agency, full.year, full.year_span)
        span = (lambda p: p and (p.start, p.end, p.begin_year, p.end_year, p.well_formed))
        assert span(who.period) == span(full.period), f.name
