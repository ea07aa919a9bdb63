"""Claim extraction: metrics, qualifiers, structures, on real phrasing and its variants."""
from __future__ import annotations

import pytest
from shared_corpus import SEED, SNIPPETS, need, real_reports

from auditor.pipeline import analyse, audit_path, audit_text
from auditor.ingest import document_from_text


def claims_of(text: str):
    return analyse(document_from_text(text)).claims


def metric_values(text: str) -> list[tuple[str | None, float]]:
    return [(c.metric, c.value) for c in claims_of(text) if c.kind == "count"]


@pytest.mark.parametrize("text, expected", [
    ("2023年，我局共办理政府信息公开申请7件。", [("handled", 7)]),
    ("本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。",
     [("new_received", 70), ("total_processed", 69), ("carried_forward", 1)]),
    ("全年收到政府信息公开申请 34 件，上年结转政府信息公开\n申请 2 件。", [("new_received", 34), ("carried_over", 2)]),
    ("同意公开答复 9 件，部分公开答复 0 件，不予公开答复 2 件，无法提供的 10 件，转下一年度办理答复的有 1 件。",
     [("granted", 9), ("partially_granted", 0), ("denied", 2), ("unable", 10), ("carried_forward", 1)]),
    ("依申请公开12件，予以公开及部分公开的有6件。", [("handled", 12), ("granted_or_partial", 6)]),
    ("政府信息公开行政复议 351 件，其中结果维持 72 件，尚未审结 37 件。", [("review", 351), ("upheld", 72), ("pending", 37)]),
    ("共有行政诉讼案件1件、行政复议案件2件，均已结案。", [("litigation", 1), ("review", 2)]),
    # a decision term right before its case count needs no verb; posts (条) and item lists (项) stay unlinked
    ("2020年，全年许可决定7件。处罚决定143件。本年度行政强制7件。", [("licensing", 7), ("penalty", 143), ("enforcement", 7)]),
    ("取消行政许可3项。全年公开行政强制信息26条。", [(None, 3), (None, 26)]),
    ("许可决定 6\n 万余件。", [("licensing", 60000)]),  # a line break between the figure and 万
    # the subject comes from the section heading and from sentences without figures
    ("（二）依申请公开情况\n坚持依法答复。2023年，我局办结5件。", [("total_processed", 5)]),
    ("（四）平台建设\n受理互动交流事项240件，办结193件。", [(None, 240), (None, 193)]),
    ("（二）依申请公开情况\n坚持依法答复。共受理群众网上来访信件34件，办结34件。", [(None, 34), (None, 34)]),
    ("（二）依申请公开情况\n坚持依法答复。帮助企业解决问题12件。", [(None, 12)]),
])
def test_metric_resolution(text, expected):
    assert metric_values(text) == [(m, float(v)) for m, v in expected]


@pytest.mark.parametrize("text", [
    "受理市长信箱来信7件，全部予以答复。",       # not an information-disclosure application
    "收到留言56条，已全部办理。",
    "共受理群众网上来访信件34件，办结34件。",
    "市政府及市政府办政策性文件 11 件。",         # 政策性文件 is not 规范性文件
    "全年收取政府信息公开信息处理费 3940 元。",   # never reconciled with 行政事业性收费
])
def test_non_table_figures_stay_unlinked(text):
    assert all(not c.candidates for c in claims_of(text))


def test_applicant_qualifier_inherits_the_sentence_metric():
    cs = [c for c in claims_of("2022年，全区收到政府信息公开申请75件，涉及自然人72件、商业企业3件。") if c.kind == "count"]
    assert cs[1].candidates and all(x.endswith("@natural_person") for x in cs[1].candidates)
    assert all(x.endswith("@commercial") for x in cs[2].candidates)


@pytest.mark.parametrize("comma", ["，", ","])
def test_breakdown_structure_both_punctuation_widths(comma):
    text = f"共发布解读类信息16条{comma}其中政策类文件解读12条{comma}会议解读4条。"
    cs = claims_of(text)
    total = next(c for c in cs if c.role == "total")
    assert total.value == 16 and [[cs[i].value for i in parts] for parts, _ in total.extra["breakdowns"]] == [[12, 4]]


def test_outcome_list_compares_with_the_sentence_total():
    text = ("共收到代表建议2条，其中区级人大代表建议2条（我局主办2件），办理结果为：已解决采纳1件、正在解决0件、"
            "列入计划拟解决0件、留作参考0件。")
    report = audit_text(text)
    sums = [f for f in report.findings if f.check == "narrative.sum"]
    assert len(sums) == 1 and (sums[0].stated, sums[0].expected) == (2, 1)


def test_partial_list_below_total_is_not_an_error_but_above_is():
    ok = audit_text("局官方网站发布信息400余条，其中行政处罚决定68条、责令改正74条。")
    assert not [f for f in ok.findings if f.check == "narrative.sum"]
    bad = audit_text("全年主动公开政务信息382条，包括政府网站35条，媒体发布信息80条，微信公众号2443条。")
    sums = [f for f in bad.findings if f.check == "narrative.sum"]
    assert len(sums) == 1 and (sums[0].stated, sums[0].expected) == (382, 2558)


def test_delta_is_not_a_total():
    report = audit_text("2023年，我局共办理政府信息公开申请7件，与去年相比数量增加6件，其中7件全部为自然人申请。")
    assert not [f for f in report.findings if f.check == "narrative.sum"]
    assert [f.severity for f in report.findings if f.check == "cross_year.delta"] == ["info"]


def test_pdf_spacing_and_line_breaks():
    text = "2023 年全区受理政府信息公开申请 21\n件，均在法定期限答复。"
    cs = [c for c in claims_of(text) if c.kind == "count"]
    assert [(c.metric, c.value) for c in cs] == [("new_received", 21.0)]
    assert text[cs[0].start:cs[0].end] == cs[0].quote


def test_seed_consistent_claims_produce_no_finding():
    need(SEED)
    report = audit_path(SEED)
    quotes = " ".join(ev.quote for f in report.findings for ev in f.evidence if ev.kind == "text")
    for consistent in ("解读类信息16条", "政协提案3件", "7件全部为自然人", "没有行政复议和行政诉讼", "答复7件"):
        assert consistent not in quotes, consistent
    linked = {c["quote"]: c["verdict"] for c in report.claims if c.get("linked")}
    assert linked.get("答复7件") == "consistent" and linked.get("予以公开7件") == "contradicted"


@pytest.mark.parametrize("text", ["提供政策咨询服务5万余次。", "收集企业诉求和建议20余条。"])
def test_approximate_claims_are_intervals(text):
    c = [c for c in claims_of(text) if c.kind == "count"][0]
    assert c.approx == "余" and c.low < c.high and c.holds(c.low) and c.holds(c.high)


def test_approximate_claim_holding_the_value_never_mismatches():
    text = ("受理政府信息公开申请20余件。\n三、收到和处理政府信息公开申请情况\n"
            "一、本年新收政府信息公开申请数量 23 0 0 0 0 0 23\n二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n")
    report = audit_text(text)
    assert not [f for f in report.findings if f.check == "narrative.table_mismatch"]


def _all_inputs():
    paths = real_reports()
    if SNIPPETS.exists():
        paths += sorted(p for p in SNIPPETS.glob("*.txt"))
    return paths or [SEED]


@pytest.mark.parametrize("path", _all_inputs(), ids=lambda p: p.name)
def test_every_quote_is_the_text_at_its_offsets(path):
    need(path)
    report = audit_path(path)
    for f in report.findings:
        for ev in f.evidence:
            if ev.kind == "text":
                assert report.text[ev.start:ev.end] == ev.quote
    for c in report.claims:
        assert report.text[c["start"]:c["end"]] == c["quote"]
