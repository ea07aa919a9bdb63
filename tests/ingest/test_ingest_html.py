"""Ingest: HTML pages (encodings, chrome removal, tables with spans)."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.errors import InputError
from auditor.ingest import Document, document_from_bytes, read_document
from auditor.ingest.text import normalize_text

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
REAL = SHARED / "corpora" / "real"


def check_offsets(doc: Document) -> None:
    """Every RawCell and Block indexes the text; the text is normalized."""
    assert normalize_text(doc.text) == doc.text
    for t in doc.raw_tables:
        assert doc.text[t.start:t.end].count("\n") == len(t.rows) - 1 or any(not r for r in t.rows)
        for row in t.rows:
            for c in row:
                assert doc.text[c.start:c.end] == c.text
                assert "\t" not in c.text and "\n" not in c.text
    for b in doc.blocks:
        assert 0 <= b.start <= b.end <= len(doc.text)
        if b.kind == "paragraph":
            assert doc.text[b.start:b.end] == doc.text[b.start:b.end].strip() != ""
        else:
            assert any((t.start, t.end) == (b.start, b.end) for t in doc.raw_tables)


def html_doc(html: str, *, encoding: str = "utf-8", filename: str = "page.html") -> Document:
    doc = document_from_bytes(html.encode(encoding), filename=filename)
    assert doc.meta.input_kind == "html"
    check_offsets(doc)
    return doc


PAGE = """<!DOCTYPE html>
<html><head>{meta}<title>某区2023年政府信息公开工作年度报告_某区人民政府</title>
<script>var x = "不应出现的脚本";</script><style>.a{{color:red}}</style></head>
<body>
<div class="top-nav"><ul><li><a href="/">首页</a></li><li>政务公开</li><li>互动交流</li></ul></div>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 年报</div>
<h1 class="title">某区2023年政府信息公开工作年度报告</h1>
<div class="info">发布日期：2024-01-20　来源：区政府办</div>
<div id="zoom">
<p>　　本报告中所列数据统计期限自2023年1月1日起，至2023年12月31日止。</p>
<p>一、总体情况</p><p>2023年，我区共收到政府信息公开申请<span>21</span>件，<b>全部</b>按期答复。</p>
<table border="1">
<tr><td colspan="3" rowspan="2">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td colspan="3"></td><td>商业<br>企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td><td>21</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>21</td></tr>
<tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td><td>5</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>5</td></tr>
<tr><td colspan="2">（七）总计</td><td>21</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>21</td></tr>
</table>
<div class="share">分享到：微信 微博</div>
<p>六、其他需要报告的事项</p>
</div>
<div id="footer">版权所有：某区人民政府 主办单位：某区政府办公室</div>
<noscript>请开启脚本</noscript>
<form><input value="搜索"><button>搜索</button></form>
</body></html>"""


def test_full_page_structure() -> None:
    doc = html_doc(PAGE.format(meta='<meta charset="utf-8">'))
    text = doc.text
    lines = text.split("\n")
    # chrome, script, style, noscript, form dropped
    for junk in ("不应出现", "首页", "当前位置", "分享到", "版权所有", "请开启脚本", "搜索", "color"):
        assert junk not in text
    # title and date kept in front of the #zoom content
    assert lines[0] == "某区2023年政府信息公开工作年度报告"
    assert lines[1].startswith("发布日期：2024-01-20")
    assert "本报告中所列数据统计期限自2023年1月1日起，至2023年12月31日止。" in lines
    assert "2023年，我区共收到政府信息公开申请21件，全部按期答复。" in lines
    assert lines[-1] == "六、其他需要报告的事项"
    # the table: one line per row, cells by tab, spanned cells once
    assert "一、本年新收政府信息公开申请数量\t21\t0\t0\t0\t0\t0\t21" in lines
    assert "三、本年度办理结果\t（一）予以公开\t5\t0\t0\t0\t0\t0\t5" in lines
    assert "（七）总计\t21\t0\t0\t0\t0\t0\t21" in lines
    assert "\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他" in lines
    (table,) = doc.raw_tables
    assert len(table.rows) == 6
    first = table.rows[0]
    assert (first[0].rowspan, first[0].colspan, first[1].colspan) == (2, 3, 7)
    assert [(c.text, c.rowspan) for c in table.rows[1]] == [("自然人", 2), ("法人或其他组织", 1), ("总计", 2)]
    assert table.rows[1][1].colspan == 5
    assert table.rows[4][0].text == "三、本年度办理结果" and table.rows[4][0].rowspan == 2
    assert len(table.rows[5]) == 8  # the rowspan cell is not repeated
    kinds = [b.kind for b in doc.blocks]
    assert kinds.count("table") == 1
    tb = next(b for b in doc.blocks if b.kind == "table")
    assert (tb.start, tb.end) == (table.start, table.end)


def test_gbk_without_declaration() -> None:
    doc = html_doc(PAGE.format(meta=""), encoding="gbk")
    assert doc.meta.encoding == "gb18030"
    assert "2023年，我区共收到政府信息公开申请21件，全部按期答复。" in doc.text


def test_gb2312_declared_in_http_equiv() -> None:
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    doc = html_doc(PAGE.format(meta=meta), encoding="gb18030")
    assert doc.meta.encoding == "gb18030"
    assert "一、总体情况" in doc.text.split("\n")
    assert doc.warnings == ()


def test_declared_utf8_but_gbk_bytes() -> None:
    doc = html_doc(PAGE.format(meta='<meta charset="utf-8">'), encoding="gbk")
    assert doc.meta.encoding == "gb18030"
    assert "一、总体情况" in doc.text
    assert any("编码" in w for w in doc.warnings)


def test_utf16_html_with_bom() -> None:
    raw = "<html><body><p>政府信息公开</p><p>第二段</p></body></html>".encode("utf-16")
    doc = document_from_bytes(raw, filename="x.htm")
    assert doc.text == "政府信息公开\n第二段"
    assert doc.meta.encoding.startswith("utf-16")


def test_no_container_uses_body_and_block_elements() -> None:
    html = (
        "<html><body><h2>标题</h2><div>第一段<span>内联</span>文字<br>换行后</div>"
        "<ul><li>甲</li><li>乙</li></ul>政府\n信息 公开<p>尾段&nbsp;空格</p></body></html>"
    )
    doc = html_doc(html, filename="x.bin")
    assert doc.text.split("\n") == ["标题", "第一段内联文字", "换行后", "甲", "乙", "政府信息 公开", "尾段 空格"]
    assert all(b.kind == "paragraph" for b in doc.blocks)


def test_article_not_dropped_when_chrome_class_wraps_it() -> None:
    body = "".join(f"<p>第{i}段正文内容，政府信息公开工作。</p>" for i in range(20))
    html = f'<html><body><div class="main-header-wrap"><div class="content">{body}</div></div></body></html>'
    doc = html_doc(html)
    assert "第19段正文内容" in doc.text


def test_aspnet_form_wrapping_page_is_kept() -> None:
    body = "".join(f"<p>第{i}段正文内容，政府信息公开工作。</p>" for i in range(20))
    html = f'<html><body><form id="form1" method="post"><div class="nav">首页</div>{body}</form></body></html>'
    doc = html_doc(html)
    assert "第19段正文内容" in doc.text and "首页" not in doc.text
    small = '<html><body><p>正文在表单外。</p><form><label>检索词</label></form></body></html>'
    assert html_doc(small).text == "正文在表单外。"


def test_hidden_elements_dropped() -> None:
    html = '<html><body><p>可见</p><div style="display: none">隐藏一</div><p hidden>隐藏二</p></body></html>'
    assert html_doc(html).text == "可见"


def test_layout_table_read_as_flow() -> None:
    inner = "<table><tr><td>规章</td><td>3</td></tr><tr><td>行政规范性文件</td><td>5</td></tr></table>"
    html = (
        "<html><body><table><tr><td><p>左侧正文第一段。</p><p>左侧正文第二段。</p>"
        f"{inner}</td></tr></table></body></html>"
    )
    doc = html_doc(html)
    assert doc.text.split("\n") == ["左侧正文第一段。", "左侧正文第二段。", "规章\t3", "行政规范性文件\t5"]
    assert len(doc.raw_tables) == 1


def test_thead_tbody_th_and_caption() -> None:
    html = (
        "<table><caption>表一</caption><thead><tr><th>信息内容</th><th>本年制发件数</th></tr></thead>"
        "<tbody><tr><td>规章</td><td> 3 </td></tr><tr><td>行政规范性\n文件</td><td>5</td></tr></tbody></table>"
    )
    doc = html_doc(html, filename="t.htm")
    assert doc.text == "表一\n信息内容\t本年制发件数\n规章\t3\n行政规范性文件\t5"
    assert [[c.text for c in r] for r in doc.raw_tables[0].rows] == [
        ["信息内容", "本年制发件数"], ["规章", "3"], ["行政规范性文件", "5"]
    ]


def test_bad_spans_are_clamped() -> None:
    html = '<table><tr><td rowspan="abc">a</td><td colspan="-3">b</td><td colspan="99999">c</td></tr><tr><td>d</td><td>e</td></tr></table>'
    doc = html_doc(html, filename="t.html")
    cells = doc.raw_tables[0].rows[0]
    assert [(c.rowspan, c.colspan) for c in cells] == [(1, 1), (1, 1), (1, 1000)]


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><p>未闭合<div>嵌套<table><tr><td>1<td>2</table></p></span></body>",
        "<table><tr><td>a</td>" * 50,
        "<div>" * 3000 + "深层嵌套正文" + "</div>" * 10,
        "<html><body><p>属性<a href='x' title=\"y>坏</a></p>",
        "<html><body>&#0;&#xD800;&amp;&unknown;文字</body></html>",
    ],
)
def test_malformed_html_does_not_crash(html: str) -> None:
    try:
        doc = html_doc(html, filename="bad.html")
    except InputError as exc:
        assert exc.code == "E107"
    else:
        assert doc.text


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>x</title></head><body></body></html>",
        "<html><body><script>alert(1)</script><nav>首页 政务</nav><div class='footer'>版权</div></body></html>",
        "<!DOCTYPE html><html><body>   &nbsp; </body></html>",
    ],
)
def test_no_text_is_e107(html: str) -> None:
    with pytest.raises(InputError) as ei:
        document_from_bytes(html.encode(), filename="a.html")
    assert ei.value.code == "E107"


def test_title_prepended_when_body_lacks_it() -> None:
    html = "<html><head><title>某县2024年政府信息公开工作年度报告 - 某县人民政府</title></head><body><p>一、总体情况</p></body></html>"
    doc = html_doc(html)
    assert doc.text == "某县2024年政府信息公开工作年度报告\n一、总体情况"


_CELL = st.text(st.sampled_from(list("政府信息公开0123456789（）、， \n&<>")), max_size=12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.tuples(_CELL, st.integers(1, 3), st.integers(1, 3)), min_size=1, max_size=5), min_size=1, max_size=6))
def test_random_tables_offsets(rows: list[list[tuple[str, int, int]]]) -> None:
    import html as _html

    body = "".join(
        "<tr>" + "".join(f'<td rowspan="{r}" colspan="{c}">{_html.escape(t)}</td>' for t, r, c in row) + "</tr>"
        for row in rows
    )
    raw = f"<html><body><p>表前</p><table>{body}</table><p>表后</p></body></html>"
    doc = html_doc(raw)
    assert doc.text.startswith("表前\n") and doc.text.endswith("\n表后")
    table_cells = [c for t in doc.raw_tables for r in t.rows for c in r]
    if sum(len(r) for r in rows) > 1:
        assert len(table_cells) == sum(len(r) for r in rows)


@pytest.mark.skipif(not (REAL / "testcity-2025.html").is_file(), reason="../shared corpora absent")
def test_real_testcity_html() -> None:
    doc = read_document(REAL / "testcity-2025.html")
    check_offsets(doc)
    lines = doc.text.split("\n")
    assert lines[0] == "测试市2025年政府信息公开工作年度报告"  # from <title>
    assert "一、本年新收政府信息公开申请数量\t13612\t252\t0\t45\t128\t32\t14069" in lines
    assert "行政许可\t11398889" in lines
    assert len(doc.raw_tables) == 3
    apps = doc.raw_tables[1]
    assert apps.rows[5][0].text == "三、本年度办理结果" and apps.rows[5][0].rowspan == 22


@pytest.mark.parametrize("written, span", [(None, 1), ("", 1), ("abc", 1), (" 3", 3), ("2x", 2), ("0", 1),
                                           ("99999", 1000)])
def test_a_span_attribute_is_read_leniently_and_bounded(written, span):
    from auditor.ingest.html import _span_value

    assert _span_value(written) == span
