"""Agency-name matching and consecutive-year pairing: same agency across spellings, never across agencies."""
import pytest

from auditor.across.pairing import (PairItem, agency_key, chain_order, org_similarity, pair_previous, same_agency,
                                     year_of)

SAME = [
    ("淄博市张店区行政审批服务局", "张店区行政审批服务局"),
    ("淮安市洪泽区人民政府", "洪泽区人民政府"),
    ("江苏省淮安市人民政府", "淮安市人民政府"),
    ("张店区人民政府（本级）", "张店区人民政府"),
    ("张店区发展和改革局", "张店区发展改革局"),
    ("ＸＸ区 人民政府", "XX区人民政府"),
    ("上海市科学技术委员会", "上海市科学技术委员会"),
]
DIFFERENT = [
    ("张店区行政审批服务局", "淄川区行政审批服务局"),
    ("洪泽区人民政府", "淮安市人民政府"),
    ("淮安市人民政府", "淮安市洪泽区人民政府"),
    ("张店区人民政府", "张店区人民政府办公室"),
    ("张店区公安局交通警察支队第一大队", "张店区公安局交通警察支队第二大队"),
    ("张店区教育局", "张店区教育和体育局"),
    ("北京市西城区人民政府", "北京市东城区人民政府"),
    ("行政审批服务局", "张店区行政审批服务局"),
    ("张店区城市管理局", "淄川区城市管理局"),
]


@pytest.mark.parametrize("a,b", SAME)
def test_same_agency_across_spellings(a, b):
    assert same_agency(a, b) and same_agency(b, a)


@pytest.mark.parametrize("a,b", DIFFERENT)
def test_near_miss_names_are_different_agencies(a, b):
    assert not same_agency(a, b) and not same_agency(b, a)


def test_agency_key_splits_places_from_organisation():
    assert agency_key("淄博市张店区行政审批服务局").places == ("淄博市", "张店区")
    assert agency_key("淄博市张店区行政审批服务局").org == "行政审批服务局"
    assert agency_key("北京市市场监督管理局").org == "市场监督管理局"
    assert agency_key("张店区城市管理局").org == "城市管理局"
    assert agency_key("平潭综合实验区").org == "平潭综合实验区"  # a bare place name is the agency itself
    assert agency_key("") is None and agency_key(None) is None


def test_year_from_report_first_then_file_name():
    assert year_of(2023, "reports/x-2021.txt") == 2023
    assert year_of(None, "reports/2019/张店区-2022.txt") == 2022
    assert year_of(None, "a-2021-2022.txt") is None


def test_pairs_consecutive_years_of_one_agency_only():
    items = [
        PairItem("a21", "张店区行政审批服务局", 2021, "1"),
        PairItem("a22", "淄博市张店区行政审批服务局", 2022, "2"),
        PairItem("a24", "张店区行政审批服务局", 2024, "3"),  # no 2023: no pair
        PairItem("b22", "淄川区行政审批服务局", 2022, "4"),
        PairItem("b23", "淄川区行政审批服务局", 2023, "5"),
        PairItem("h24", "淮安市洪泽区人民政府", 2024, "6"),
        PairItem("c23", "淮安市人民政府", 2023, "7"),
        PairItem("u23", None, 2023, "8"),
        PairItem("u24", None, 2024, "9"),
    ]
    assert pair_previous(items) == {"a22": "a21", "b23": "b22"}


def test_identical_files_do_not_pair_and_duplicates_pick_one():
    items = [PairItem("x.pdf", "张店区人民政府", 2022, "s1"), PairItem("x.html", "张店区人民政府", 2022, "s2"),
             PairItem("y.txt", "张店区人民政府", 2023, "s3"), PairItem("z.txt", "张店区人民政府", 2023, "s3")]
    pairs = pair_previous(items)
    assert pairs == {"y.txt": "x.html", "z.txt": "x.html"}


def test_chain_order_puts_each_report_right_after_the_one_it_follows():
    sources = ["a-2023", "b-2022", "c-2024", "x-2022", "y-2023", "z-2024"]
    # c-2024 follows y-2023, which follows b-2022 (names that sort apart, as renamed files do)
    previous = {"y-2023": "b-2022", "c-2024": "y-2023", "z-2024": "a-2023"}
    assert chain_order(sources, previous) == ["a-2023", "z-2024", "b-2022", "y-2023", "c-2024", "x-2022"]


def test_chain_order_keeps_every_source_once_whatever_previous_says():
    sources = ["a", "b", "c", "d", "e"]
    previous = {"b": "a", "c": "a", "d": "gone", "e": "e", "a": "c"}  # a branch, a stranger, loops
    out = chain_order(sources, previous)
    assert sorted(out) == sources and len(out) == len(sources)
    assert chain_order(sources, {}) == sources
    twins = chain_order(["r-2023", "r-2024.html", "r-2024.pdf"], {"r-2024.html": "r-2023", "r-2024.pdf": "r-2023"})
    assert twins == ["r-2023", "r-2024.html", "r-2024.pdf"]


def _pairs_by_brute_force(items):
    """Every report against every report of the year before: what ``pair_previous`` must find."""
    out = {}
    for item in items:
        best = None
        for cand in items:
            if (item.year and cand.year == item.year - 1 and not (item.sha256 and cand.sha256 == item.sha256)
                    and same_agency(item.agency, cand.agency)):
                rank = (-org_similarity(agency_key(item.agency).org, agency_key(cand.agency).org), cand.source)
                best = rank if best is None or rank < best else best
        if best:
            out[item.source] = best[1]
    return out


def test_screening_last_years_names_in_bulk_pairs_exactly_as_comparing_every_two():
    import random

    rng = random.Random(3)
    places = ["张店区", "淄博市张店区", "淄川区", "淮安市", "淮安市洪泽区", ""]
    orgs = ["发展和改革局", "发展改革局", "第一大队", "第二大队", "人民政府", "人民政府办公室", "教育局", "教育和体育局",
            "自然资源和规划局", "自然资源局", "卫生健康局", "卫生和健康委员会", "城东街道办事处", "城西街道办事处"]
    items = [PairItem(f"r{i:03d}", rng.choice(places) + rng.choice(orgs), rng.choice((2021, 2022, 2023)),
                      sha256=rng.choice(("", f"s{i % 40}"))) for i in range(400)]
    expected = _pairs_by_brute_force(items)
    assert pair_previous(items) == expected and len(expected) > 100
