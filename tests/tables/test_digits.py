"""Splitting digits that scraping ran together: the pruned search against a brute-force reading."""
from __future__ import annotations

import random
from itertools import combinations

import pytest

from auditor.tables.digits import MAX_READINGS, readings


def brute_force(tokens: list[str], n: int, group: int | None) -> list[list[tuple[int, str]]]:
    """Every way to cut the digits into n cells (cuts at each token boundary, no leading zeros),
    filtered by the group sums: the reference the search must reproduce, in its order."""
    if len(tokens) > n:
        return []
    if any(not t.isdigit() for t in tokens):
        return [[(i, t) for i, t in enumerate(tokens)]] if len(tokens) == n else []
    digits = "".join(tokens)
    owner = [i for i, t in enumerate(tokens) for _ in t]
    bounds = [sum(len(t) for t in tokens[:i + 1]) for i in range(len(tokens))]
    inside = [p for p in range(1, len(digits)) if p not in bounds]  # a cut may fall inside a token
    out = []
    for extra in combinations(inside, n - len(tokens)):
        edges = sorted({0, *bounds, *extra})
        cells = [digits[a:b] for a, b in zip(edges, edges[1:])]
        if any(len(c) > 1 and c[0] == "0" for c in cells):
            continue
        if group is not None and any(int(cells[g + group - 1]) != sum(map(int, cells[g:g + group - 1]))
                                     for g in range(0, n, group)):
            continue
        out.append([(owner[a], c) for a, c in zip(edges, cells)])
    return sorted(out, key=lambda r: [len(c) for _, c in r])


def glued_row(rng: random.Random) -> tuple[list[str], int, int | None]:
    group = rng.choice([None, 3, 4, 7])
    if group is None:
        cells = [str(rng.choice([0, rng.randint(1, 9), rng.randint(10, 500)])) for _ in range(rng.randint(2, 6))]
    else:
        cells = []
        for _ in range(rng.choice([1, 1, 2])):
            parts = [rng.choice([0, rng.randint(1, 9), rng.randint(10, 120)]) for _ in range(group - 1)]
            total = sum(parts) if rng.random() < 0.8 else rng.randint(0, 300)
            cells += [*map(str, parts), str(total)]
    if len("".join(cells)) > 18:  # keeps the brute force small
        return glued_row(rng)
    tokens, cur = [], ""
    for c in cells:
        cur += c
        if rng.random() < 0.4:
            tokens.append(cur)
            cur = ""
    return (tokens + [cur] if cur else tokens), len(cells), group


@pytest.mark.parametrize("seed", range(4))
def test_the_pruned_search_finds_exactly_the_brute_force_readings(seed):
    rng = random.Random(seed)
    for _ in range(400):
        tokens, n, group = glued_row(rng)
        expected = brute_force(tokens, n, group)
        got = list(readings(tokens, n, group))
        if len(expected) > MAX_READINGS:
            assert len(got) == MAX_READINGS + 1
        else:
            assert sorted(got, key=lambda r: [len(c) for _, c in r]) == expected, (tokens, n, group)


def test_a_scraped_row_splits_one_way_by_its_total():
    # 58 + 45 + 546 ... : "58 45 546" glued, total last
    assert list(readings(["5845", "103"], 3, group=3)) == [[(0, "58"), (0, "45"), (1, "103")]]
    assert list(readings(["1234"], 2)) == [[(0, "1"), (0, "234")], [(0, "12"), (0, "34")], [(0, "123"), (0, "4")]]


@pytest.mark.parametrize("n_digits", [60, 80, 121, 5000])
def test_the_search_is_bounded_in_work_and_says_so(n_digits):
    """No input makes the splitter search without end: past its budget it raises, and the reader
    reports the run unreadable (never a proven sum error, the search did not finish)."""
    from auditor.tables.digits import TooManyReadings

    digits = ("1234567890" * (n_digits // 10 + 1))[:n_digits]
    try:
        got = list(readings([digits], 7, group=7))
    except TooManyReadings:
        return
    assert len(got) <= MAX_READINGS + 1  # finished within its budget, and few readings


def test_a_row_too_long_to_split_is_unreadable_not_proven():
    from auditor.tables.reader import read_tables
    from auditor.template import load_template

    text = ("三、收到和处理政府信息公开申请情况\n申请人情况 自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他\n"
            "一、本年新收政府信息公开申请数量 " + "1234567890" * 8 + "\n二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n")
    tables = read_tables(text, load_template("2021"))
    u = next(u for u in tables.unreadable if u.key == "applications.new_received")
    assert u.proven is None and "过长" in u.reason
