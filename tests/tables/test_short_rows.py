"""A row with fewer digits than cells: a blank cell the page dropped, proven whichever way it is cut."""
from __future__ import annotations

from auditor.tables.reader import read_tables
from auditor.template import load_template


def _unreadable(text: str, fmt: str):
    return {u.key: u for u in read_tables(text, load_template(fmt)).unreadable}


def test_six_digits_for_seven_cells_is_a_blank_cell():
    rows = "\n".join(["三、收到和处理政府信息公开申请情况",
                      "申请人情况 自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他",
                      "一、本年新收政府信息公开申请数量 0 00000",
                      "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0"])
    got = _unreadable(rows, "2021")
    assert got["applications.new_received"].proven == "blank"
    assert "6个数字" in got["applications.new_received"].reason


def test_a_figure_with_its_unit_is_not_a_dropped_cell():
    text = ("第二十条第（九）项\n信息内容 采购项目数量 采购总金额\n政府集中采购 3个 120000元\n"
            "三、收到和处理政府信息公开申请情况\n")
    got = _unreadable(text, "2019")
    assert all(u.proven != "blank" for u in got.values())


def test_a_cell_every_reading_agrees_on_is_read():
    text = ("第二十条第（五）项\n信息内容 上一年项目数量 本年增/减 处理决定数量\n行政许可4500\n"
            "三、收到和处理政府信息公开申请情况\n")
    tables = read_tables(text, load_template("2019"))
    assert tables.cells["active.licensing.decisions"].value == 0  # 4|50|0 and 45|0|0 agree on it
    assert "active.licensing.last_year" not in tables.cells
    assert any(u.key == "active.licensing.last_year" for u in tables.unreadable)


def test_a_label_wrapped_into_its_cells_proves_no_blank():
    rows = "\n".join(["三、收到和处理政府信息公开申请情况",
                      "申请人情况 自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他",
                      "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1",
                      "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
                      "三、本年度办理结果",
                      "（一）予以公开 1 0 0 0 0 0 1",
                      "（二）部分公开（区分处理的，只计这一情形， 0 0 0",
                      "不计其他情形） 0 0 0 0"])
    got = _unreadable(rows, "2021")
    assert all(u.proven != "blank" for u in got.values())


def test_a_cell_is_not_read_together_with_the_year_opening_the_next_paragraph():
    from auditor.pipeline import audit_text

    text = ("某某局2025年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\n"
            "信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 0 0 0\n行政规范性文件 1 0 4\n"
            "第二十条第（五）项\n信息内容 本年处理决定数量\n行政许可 3\n第二十条第（六）项\n行政处罚 0\n行政强制 0\n"
            "第二十条第（八）项\n信息内容 本年收费金额（单位：万元）\n行政事业性收费 0\n"
            "2025年，我局未收到政府信息公开申请。\n")
    tables = audit_text(text).tables
    assert tables["active.fees.amount"] == 0
