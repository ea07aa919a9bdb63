"""meta.copied: near-duplicate narrative paragraphs across a batch (auditor.across.similarity + the MT004 rule)."""
import random

from auditor.pipeline import audit_text
from auditor.across.copy_index import find_copies, similar_sets
from auditor.across.similarity import THRESHOLD, CopyMatch, corpus_doc, paragraphs
from reportkit import PHRASES, Spec, paragraph, report_text

COPIED = ("依托政务服务便民热线和政务公开专区，为企业群众提供一号答一站式政策咨询服务5万余次，"
          "持续完善政府网站和政务新媒体信息发布、办事服务、解读回应、政民互动等功能建设。")


def _doc(source, agency, year, *extra, seed=0):
    spec = Spec(agency, year, seed=seed, extra_paragraphs=extra)
    return corpus_doc(source, report_text(spec), sha256=source, agency=agency, year=year), spec


def test_own_last_year_is_low_other_agency_is_medium_and_later_years_are_not_sources():
    a22, _ = _doc("a22", "张店区行政审批服务局", 2022, COPIED)
    a23, _ = _doc("a23", "张店区行政审批服务局", 2023, COPIED.replace("5万", "6万"))
    b23, _ = _doc("b23", "淄川区行政审批服务局", 2023, COPIED)
    res = find_copies([a22, a23, b23])
    (m,) = res["a23"].matches
    assert m.same_agency and m.other_source == "a22" and m.similarity == 1.0  # digits are folded
    (m,) = res["b23"].matches
    assert not m.same_agency and m.other_source in ("a22", "a23")
    assert res["a22"].matches == ()  # its own 2023 text and 淄川区's 2023 text are both later
    assert 0 < res["a23"].share < 1


def test_first_report_of_a_text_has_no_later_source():
    a22, _ = _doc("a22", "张店区行政审批服务局", 2022, COPIED)
    b23, _ = _doc("b23", "淄川区行政审批服务局", 2023, COPIED)
    res = find_copies([a22, b23])
    assert res["a22"].matches == () and res["a22"].share == 0
    assert [m.other_source for m in res["b23"].matches] == ["a22"]


def test_distinct_reports_share_nothing_even_with_statutory_sentences():
    docs = [_doc(f"r{i}", f"{name}行政审批服务局", 2023)[0] for i, name in enumerate(("张店区", "淄川区", "博山区"))]
    assert all(r.matches == () and r.share == 0 for r in find_copies(docs).values())
    text = report_text(Spec("张店区行政审批服务局", 2023))
    assert not any("统计期限" in text[p.start:p.end] and len(p.shingles) > 30 for p in paragraphs(text))


def test_below_threshold_is_not_a_copy():
    rng = random.Random(5)
    words = list(COPIED)
    for i in rng.sample(range(len(words)), len(words) // 4):
        words[i] = "变"
    a22, _ = _doc("a22", "张店区行政审批服务局", 2022, COPIED)
    b23, _ = _doc("b23", "淄川区行政审批服务局", 2023, "".join(words))
    assert find_copies([a22, b23])["b23"].matches == ()
    assert THRESHOLD == 0.8


def test_text_most_of_a_large_batch_shares_is_boilerplate():
    shared = "，".join(PHRASES[:12]) + "。"
    places = ["张店区", "淄川区", "博山区", "临淄区", "周村区", "桓台县", "高青县", "沂源县", "历下区", "市中区", "槐荫区", "天桥区"]
    docs = [_doc(f"r{i}", f"{p}人民政府", 2023, shared)[0] for i, p in enumerate(places)]
    assert all(r.matches == () for r in find_copies(docs).values())
    pair = find_copies(docs[:2])  # two reports: too few to call anything common
    assert pair["r1"].matches and pair["r0"].matches


def test_unknown_agency_is_never_matched():
    a22, _ = _doc("a22", "张店区行政审批服务局", 2022, COPIED)
    u23 = corpus_doc("u23", "\n".join([paragraph(random.Random(1)), COPIED]), sha256="u", agency=None, year=2023)
    assert find_copies([a22, u23])["u23"].matches == ()


def test_rule_turns_matches_into_findings_and_is_silent_alone():
    spec = Spec("淄川区行政审批服务局", 2023, extra_paragraphs=(COPIED,))
    text = report_text(spec)
    start = text.index(COPIED) - 3  # the paragraph begins with its numbering （五）
    end = text.index(COPIED) + len(COPIED)
    match = CopyMatch(start, end, 0.876, "in/a.txt", COPIED[:80], "张店区行政审批服务局", 2023, False)
    rep = audit_text(text, filename="b.txt")
    assert not [f for f in rep.findings if f.code == "MT004"]
    from auditor.ingest import document_from_text
    from auditor.pipeline import audit_document

    rep = audit_document(document_from_text(text, source="b.txt"), config={"copies": (match,)}, severity_model=False)
    (f,) = [f for f in rep.findings if f.code == "MT004"]
    assert (f.severity, f.stated, f.check) == ("medium", 0.88, "meta.copied")
    d = f.to_dict()
    assert d["evidence"][0]["quote"] == text[start:end]
    assert d["evidence"][1] == {"kind": "source", "source": "in/a.txt", "quote": COPIED[:80]}
    assert "in/a.txt" in f.message and "张店区行政审批服务局" in f.message
    own = CopyMatch(start, end, 1.0, "in/z.txt", "x", "淄川区行政审批服务局", 2022, True)
    rep = audit_document(document_from_text(text, source="b.txt"), config={"copies": (own,)}, severity_model=False)
    (f,) = [f for f in rep.findings if f.code == "MT004"]
    assert f.severity == "low" and "本单位2022年度报告" in f.message


def test_findings_pointing_at_other_reports_render_in_every_format():
    from auditor.ingest import document_from_text
    from auditor.pipeline import audit_document
    from auditor.render import FORMATS, render
    from reportkit import copies_in

    this = report_text(Spec("张店区行政审批服务局", 2023, carried_over=(1, 0, 0, 0, 0, 0), active_normative=(2, 1, 12)))
    last = report_text(Spec("张店区行政审批服务局", 2022, carried_forward=(2, 0, 0, 0, 0, 0)))
    copies = copies_in(this, [{"quote": "（一）", "similarity": 0.9, "other_source": "x.txt",
                               "other_agency": "淄川区行政审批服务局", "other_year": 2023}])
    rep = audit_document(document_from_text(this, source="a.txt"), previous=document_from_text(last, source="p.txt"),
                         config={"copies": copies})
    assert {"MT004", "CY001", "CY003"} <= {f.code for f in rep.findings}
    for fmt in FORMATS:
        assert render(rep, fmt)


def test_a_paragraph_in_more_reports_than_the_cap_is_shared_wording(monkeypatch):
    import auditor.across.similarity as similarity

    places = ["张店区", "淄川区", "博山区", "临淄区", "周村区", "桓台县"]
    docs = [_doc(f"r{i}", f"{p}行政审批服务局", 2023, COPIED)[0] for i, p in enumerate(places)]
    docs += [_doc(f"x{i}", f"{p}人民政府办公室", 2023, seed=i)[0] for i, p in enumerate(places * 3)]  # no COPIED
    assert all(find_copies(docs)[f"r{i}"].matches for i in range(len(places)))  # 6 of 24 reports: copies
    monkeypatch.setattr(similarity, "MAX_SHARING_REPORTS", len(places) - 1)
    assert all(not find_copies(docs)[f"r{i}"].matches for i in range(len(places)))


def _reference_similar_sets(sets):
    """The candidate search written plainly: every pair of every small bucket of every band."""
    import numpy as np

    import auditor.across.similarity as similarity

    seeds = similarity._mix(np.arange(1, similarity.NUM_HASHES + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    rows = similarity.NUM_HASHES // similarity.BANDS
    buckets = {}
    for i, sh in enumerate(sets):
        sig = similarity._mix(sh[None, :] ^ seeds[:, None]).min(axis=1)
        for b in range(similarity.BANDS):
            buckets.setdefault((b, sig[b * rows:(b + 1) * rows].tobytes()), []).append(i)
    found = {}
    for members in buckets.values():
        if len(members) <= similarity.MAX_SHARING_REPORTS:
            for x, i in enumerate(members):
                for j in members[x + 1:]:
                    a, b = set(sets[i].tolist()), set(sets[j].tolist())
                    sim = len(a & b) / len(a | b)
                    if sim >= similarity.THRESHOLD:
                        found[(i, j)] = sim
    return sorted((i, j, s) for (i, j), s in found.items())


def test_vectorised_candidate_search_matches_the_plain_one(monkeypatch):
    import numpy as np

    import auditor.across.similarity as similarity

    rng = np.random.default_rng(7)
    base = [rng.choice(2**40, size=int(rng.integers(16, 300)), replace=False).astype(np.uint64) for _ in range(40)]
    sets = []
    for b in base:  # each base with variants at every distance, some past the threshold, some not
        for drop in (0, 1, 3, 8, len(b) // 6, len(b) // 3):
            keep = np.sort(rng.permutation(b)[:len(b) - drop]) if drop else b
            sets.append(np.unique(np.concatenate([keep, rng.integers(2**41, 2**42, size=drop % 4, dtype=np.uint64)])))
    sets += [base[0]] * 3 + [base[1][:-1]] * 2  # identical sets are distinct entries too
    monkeypatch.setattr(similarity, "_SIGNATURE_CHUNK", 100)  # chunks of several sets, and sets larger than one
    monkeypatch.setattr(similarity, "MAX_SHARING_REPORTS", 5)  # some buckets are too full to compare
    got = similar_sets(sets)
    assert got == _reference_similar_sets(sets)
    assert any(s == 1.0 for *_, s in got) and any(s < 1.0 for *_, s in got)
    monkeypatch.setattr(similarity, "MAX_SHARING_REPORTS", 50)
    assert len(similar_sets(sets)) > len(got)


def test_among_equal_matches_the_earliest_paragraph_is_chosen_whatever_the_order_of_the_reports():
    twice = corpus_doc("b22", f"{COPIED}\n{COPIED.replace('5万', '7万')}\n", sha256="b22", agency="淄川区行政审批服务局",
                       year=2022)
    a23 = corpus_doc("a23", COPIED, sha256="a23", agency="张店区行政审批服务局", year=2023)
    first, second = twice.paragraphs  # equal once digits are folded
    assert "5万" in first.excerpt and "7万" in second.excerpt and first.start < second.start
    for docs in ([twice, a23], [a23, twice]):
        (m,) = find_copies(docs)["a23"].matches
        assert (m.other_source, m.similarity, m.other_quote) == ("b22", 1.0, first.excerpt)
