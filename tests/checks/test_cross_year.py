"""cross_year rules: 上年结转 against last year's 结转下年度, and the 现行有效件数 roll-forward."""
from auditor.pipeline import audit_text
from reportkit import Spec, report_text
from shared_corpus import REAL, need

AGENCY = "张店区行政审批服务局"


def _audit(this: Spec, last: Spec | None):
    return audit_text(report_text(this), filename="this.txt", previous=report_text(last) if last else None,
                      severity_model=False)  # the rules' own severities


def _codes(report, code):
    return [f for f in report.findings if f.code == code]


def test_carry_over_mismatch_one_finding_per_column():
    last = Spec(AGENCY, 2022, carried_forward=(3, 1, 0, 0, 0, 0))
    this = Spec(AGENCY, 2023, carried_over=(2, 1, 0, 0, 0, 0))
    rep = _audit(this, last)
    found = {f.evidence[1].column: f for f in _codes(rep, "CY001")}
    assert set(found) == {"natural_person", "total"}
    f = found["natural_person"]
    assert (f.stated, f.expected, f.severity, f.check) == (2, 3, "medium", "cross_year.carry_over")
    assert found["total"].stated == 3 and found["total"].expected == 4
    text_ev, this_cell, last_cell = f.evidence
    assert rep.text[text_ev.start:text_ev.end] == text_ev.quote and text_ev.quote.startswith("二、上年结转")
    assert (this_cell.row, this_cell.value, this_cell.source) == ("carried_over", 2, None)
    assert (last_cell.row, last_cell.value, last_cell.source) == ("carried_forward", 3, "<previous>")
    assert last_cell.start is None  # last year's offsets would index the wrong text
    assert "自然人" in f.message and "2022年度报告" in f.message
    assert f.to_dict()["evidence"][2] == {"kind": "cell", "table": "applications", "row": "carried_forward",
                                          "column": "natural_person", "value": 3, "source": "<previous>"}


def test_carry_over_consistent_or_alone_is_silent():
    last = Spec(AGENCY, 2022, carried_forward=(3, 1, 0, 0, 0, 0))
    assert not _codes(_audit(Spec(AGENCY, 2023, carried_over=(3, 1, 0, 0, 0, 0)), last), "CY001")
    assert not _codes(_audit(Spec(AGENCY, 2023, carried_over=(2, 0, 0, 0, 0, 0)), None), "CY001")


def test_years_not_consecutive_are_not_compared():
    last = Spec(AGENCY, 2021, carried_forward=(3, 0, 0, 0, 0, 0), active_normative=(0, 0, 50))
    rep = _audit(Spec(AGENCY, 2023, carried_over=(0, 0, 0, 0, 0, 0)), last)
    assert not _codes(rep, "CY001") and not _codes(rep, "CY003")


def test_in_force_roll_forward():
    last = Spec(AGENCY, 2022, active_rules=(0, 0, 4), active_normative=(3, 0, 10))
    drift = _audit(Spec(AGENCY, 2023, active_rules=(1, 0, 5), active_normative=(2, 1, 12)), last)
    (f,) = _codes(drift, "CY003")
    assert (f.stated, f.expected, f.severity) == (12, 11, "low")
    assert "行政规范性文件" in f.message and f.evidence[-1].source == "<previous>"
    assert f.evidence[0].quote.startswith("行政规范性文件")
    fine = _audit(Spec(AGENCY, 2023, active_rules=(1, 0, 5), active_normative=(2, 1, 11)), last)
    assert not _codes(fine, "CY003")


def test_real_consecutive_reports_agree_and_2019_format_is_skipped():
    from auditor.pipeline import audit_path

    need(REAL / "pingtan-2020.txt")
    rep = audit_path(REAL / "pingtan-2021.txt", previous=REAL / "pingtan-2020.txt")  # 2020 is 2019-format
    assert not [f for f in rep.findings if f.check == "cross_year.carry_over"]
    rep = audit_path(REAL / "pingtan-2022.txt", previous=REAL / "pingtan-2021.txt")
    assert not _codes(rep, "CY001")


def test_last_years_analysis_is_reused_and_changes_nothing(monkeypatch):
    import auditor.pipeline as pipeline
    from auditor.ingest import document_from_text

    last = document_from_text(report_text(Spec(AGENCY, 2022, carried_forward=(3, 1, 0, 0, 0, 0))), source="a-2022.txt")
    this = document_from_text(report_text(Spec(AGENCY, 2023, carried_over=(2, 1, 0, 0, 0, 0))), source="a-2023.txt")
    alone = pipeline.audit_document(this, previous=last).to_dict()

    analysed = []
    real = pipeline.analyse
    monkeypatch.setattr(pipeline, "analyse", lambda doc, config=None, **kw: analysed.append(doc.meta.source) or real(doc, config, **kw))
    analyses = pipeline.Analyses(size=2)
    pipeline.audit_document(last, analyses=analyses)
    reused = pipeline.audit_document(this, previous=last, analyses=analyses).to_dict()
    assert analysed == ["a-2022.txt", "a-2023.txt"]  # last year's analysed once, for its own audit
    assert {k: v for k, v in reused.items() if k != "timing_ms"} == {k: v for k, v in alone.items() if k != "timing_ms"}
    assert any(f["code"] == "CY001" for f in reused["findings"])

    pipeline.audit_document(this, analyses=analyses)
    assert analysed[-1] == "a-2023.txt"  # a document's own analysis is never taken from the cache
    renamed = document_from_text(last.text, source="b-2022.txt")
    rep = pipeline.audit_document(this, previous=renamed, analyses=analyses)
    assert analysed[-1] == "a-2023.txt"  # same text: reused, and reported under its own name
    assert {f.evidence[2].source for f in rep.findings if f.code == "CY001"} == {"b-2022.txt"}
    other = pipeline.Analyses(size=1)
    pipeline.audit_document(last, analyses=other)
    pipeline.audit_document(this, analyses=other)  # pushes last year's out
    pipeline.audit_document(this, previous=last, analyses=other)
    assert analysed[-2:] == ["a-2023.txt", "a-2022.txt"]


def test_analyses_kept_are_bounded_by_count_and_characters():
    from auditor.pipeline import Analyses

    kept = Analyses(size=3, max_chars=10)
    for text in ("aaaa", "bbbb", "cc"):
        kept.remember(text, text)
    assert [kept.recall(t) for t in ("aaaa", "bbbb", "cc")] == ["aaaa", "bbbb", "cc"]
    kept.remember("dddd", "dddd")  # 14 characters: the oldest goes
    assert kept.recall("aaaa") is None and kept.recall("dddd") == "dddd"
    kept.remember("x" * 11, "big")  # larger than the budget: never kept, nothing pushed out
    assert kept.recall("x" * 11) is None and kept.recall("bbbb") == "bbbb"
    kept.remember("bbbb", "again")  # now the newest
    kept.remember("e", "e")  # 11 characters: cc, now the oldest, goes
    assert kept.recall("cc") is None and kept.recall("dddd") == "dddd"
    kept.remember("f", "f")  # four analyses: bbbb goes, the least recently used (dddd was just recalled)
    assert kept.recall("bbbb") is None and [kept.recall(t) for t in ("dddd", "e", "f")] == ["dddd", "e", "f"]


def test_a_report_followed_by_more_reports_than_are_kept_stays_while_they_come():
    """Each follower recalls it (then remembers itself): it stays the most recently used, where a
    cache ordered by remembering alone dropped it after ``size`` followers and analysed it again."""
    from auditor.pipeline import Analyses

    kept = Analyses(size=3)
    kept.remember("last year", "analysis")
    for i in range(10):
        kept.remember(f"follower {i}", i)
        assert kept.recall("last year") == "analysis", i
