"""The relations the claims stage reads for the rules: shares, rates, outcome words, wordings, years."""
from __future__ import annotations

from auditor.ingest import document_from_text
from auditor.pipeline import analyse


def _ctx(text: str):
    return analyse(document_from_text(text))


def test_a_share_links_a_count_and_its_percent():
    ctx = _ctx("本年度共收到申请40件，其中当面提交10件，占25%。")
    (share,) = ctx.relations.shares
    assert (ctx.claims[share.count].value, ctx.claims[share.percent].value) == (10, 25)
    assert share.quote == "其中当面提交10件，占25%"


def test_a_rate_links_its_base_count_and_percent():
    ctx = _ctx("全年受理群众来信161件，办结160件，办结率99.4%。")
    (rate,) = ctx.relations.rates
    assert [ctx.claims[i].value for i in (rate.base, rate.count, rate.percent)] == [161, 160, 99.4]


def test_outcome_words_say_what_they_conclude_and_of_what():
    ctx = _ctx("本年度未发生行政复议案件。行政诉讼案件均获法院维持。")
    kinds = {(o.kind, o.review, o.litigation) for o in ctx.relations.outcomes}
    assert ("none", True, False) in kinds
    assert any(k == "upheld" for k, _, _ in kinds)


def test_a_negated_outcome_is_no_conclusion_about_the_cases():
    ctx = _ctx("本年度未发生因政府信息公开被行政复议纠错的情况。")
    assert not [o for o in ctx.relations.outcomes if o.kind == "none"]


def test_wording_reads_all_n_scope_and_parts():
    ctx = _ctx("全部13个政务新媒体均已备案。本级累计公开信息1770条，其中本年度公开202条。")
    by_value = {c.value: w for c, w in zip(ctx.claims, ctx.relations.wordings)}
    assert by_value[13].says_all
    assert "本级" in by_value[1770].scope and by_value[1770].whole
    assert by_value[1770].opener_end == 3  # ，其中: its parts follow
    assert by_value[202] is None  # a part is compared as part of its total, not by its own words


def test_every_count_gets_its_scope_and_only_untabled_counts_a_wording():
    ctx = _ctx("全市共收到申请40件，其中本级受理30件，占75%。办理政务公开信箱来信12件。")
    kinds = [(c.kind, c.role, bool(c.candidates), s is not None, w is not None)
             for c, s, w in zip(ctx.claims, ctx.relations.scopes, ctx.relations.wordings)]
    assert all(s == (kind == "count" and role in ("plain", "total")) for kind, role, _, s, _ in kinds), kinds
    assert all(not w or (not linked and s) for _, _, linked, s, w in kinds), kinds
    assert any(w for *_, w in kinds), kinds


def test_wordings_align_with_claims():
    ctx = _ctx("主动公开政府信息442条，政府信息公开专栏发布信息447条。")
    assert len(ctx.relations.wordings) == len(ctx.claims)
    heads = [w for w in ctx.relations.wordings if w.published_info]
    assert len(heads) == 2 and any(w.channel for w in heads) and any(w.total_word for w in heads)


def test_years_the_report_states_about_itself():
    text = ("某局2023年政府信息公开工作年度报告\n2022年，我局共收到政府信息公开申请7件。\n"
            "2024年，我局将继续推进公开工作。\n现编制完成2022年度政府信息公开工作年度报告。\n"
            "某局\n2023年1月20日")
    facts = _ctx(text).facts
    openings = {o.year: o for o in facts.year_openings}
    assert openings[2022].activity and not openings[2022].plan
    assert openings[2024].plan
    assert [(d.year, d.month, d.day) for d in facts.signature_dates] == [(2023, 1, 20)]
    (named,) = facts.self_named
    assert named.year == 2022 and named.now and not named.in_title_marks
