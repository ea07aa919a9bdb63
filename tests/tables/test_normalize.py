"""Folding with an offset map: the fast path gives what folding character by character gives."""
from __future__ import annotations

import random

import pytest

from auditor.tables.locate import locate, locate_folded
from auditor.tables.normalize import fold, fold_char, fold_with_map
from auditor_lab.generator import generate_report

ALPHABET = "ab 12，、。；“”‘’\t\n\u3000\xa0|申请公开件①⑴㈠ＡＢ１２．（）"  # ⑴ ㈠ fold to three characters


def folded_char_by_char(text: str, start: int, end: int) -> tuple[str, list[int]]:
    chars, offsets = [], []
    for i in range(start, end):
        f = fold_char(text[i])
        chars.append(f)
        offsets += [i] * len(f)
    return "".join(chars), offsets


@pytest.mark.parametrize("seed", range(5))
def test_fold_with_map_is_folding_char_by_char(seed):
    rng = random.Random(seed)
    for _ in range(400):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30)))
        a = rng.randint(0, len(text))
        b = rng.randint(a, len(text))
        assert fold_with_map(text, a, b) == folded_char_by_char(text, a, b)
        assert fold_with_map(text) == folded_char_by_char(text, 0, len(text))


def test_expanding_characters_repeat_their_offset():
    assert fold_with_map("x⑴ 件", 0) == ("x(1)件", [0, 1, 1, 1, 3])
    assert fold("“申请”，") == "申请."


@pytest.mark.parametrize("seed", range(8))
def test_region_folds_are_slices_of_the_whole(seed):
    text = generate_report(seed, layout=("lines", "rows", "glued", "tabs")[seed % 4])[0]
    regions, whole = locate_folded(text)
    assert regions == locate(text) and regions
    for r in regions.values():
        assert whole.span(r.start, r.end) == fold_with_map(text, r.start, r.end)
