"""Generators of hostile texts and files (issue 17), shared by the property tests, which run them
small, and by ``eval/fuzz.py``, which runs them at full size and counts time and memory.

Each generator takes a ``random.Random`` and a size in characters and returns a text of about
that size. They aim at the places where a naive algorithm is superlinear: long runs of digits
read as table cells, sentences with no end, many figures of one noun, a statutory table repeated.
"""
from __future__ import annotations

import random
from collections.abc import Callable

WORDS = ("主动公开", "政府信息", "申请", "件", "条", "个", "共", "其中", "予以公开", "本年", "网站", "发布",
         "信息", "受理", "办理", "政务新媒体", "公开专栏", "全部", "均", "截至目前", "累计", "分别为", "占",
         "%", "上年结转", "结转下年度", "行政复议", "行政诉讼", "维持", "纠正", "年", "2023", "2024")
PUNCT = ("，", "。", "；", "、", "：", "\n", "\n\n", "\t", " ")
LABELS = ("（一）予以公开", "（二）部分公开", "（三）不予公开", "1.属于国家秘密", "四、结转下年度继续办理",
          "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "自然人", "商业企业",
          "行政许可", "行政处罚", "行政强制", "行政事业性收费", "规章", "规范性文件", "结果维持", "总计")


def dense_mixed(rng: random.Random, size: int) -> str:
    """Figures, nouns and punctuation in equal measure: a claim every few characters."""
    out, n = [], 0
    while n < size:
        piece = str(rng.randint(0, 5000)) if rng.random() < 0.45 else rng.choice(WORDS + PUNCT)
        out.append(piece)
        n += len(piece)
    return "".join(out)


def endless_sentence(rng: random.Random, size: int) -> str:
    """Figures and nouns with commas only: one sentence of the whole text."""
    out, n = [], 0
    while n < size:
        piece = rng.choice(("主动公开政府信息", "发布信息", "公开专栏", "网站", "受理申请")) + str(rng.randint(1, 999)) \
            + rng.choice("件条个") + "，"
        out.append(piece)
        n += len(piece)
    return "".join(out)


def digit_runs(rng: random.Random, size: int) -> str:
    """Statutory labels followed by run-together digits of any length (a table whose cell
    separators were lost), the case the digit splitter reads."""
    out, n = [], 0
    while n < size:
        run = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 120)))
        piece = rng.choice(LABELS) + rng.choice(("", " ", "\t")) + run + "\n"
        out.append(piece)
        n += len(piece)
    return "".join(out)


def repeated_template(rng: random.Random, size: int, seed_text: str = "") -> str:
    """A whole report repeated until the size is reached, a digit changed here and there."""
    base = seed_text or dense_mixed(rng, 2000)
    text = (base + "\n") * (size // max(1, len(base)) + 1)
    chars = list(text[:size])
    for _ in range(max(1, size // 500)):
        k = rng.randrange(len(chars))
        if chars[k].isdigit():
            chars[k] = rng.choice("0123456789")
    return "".join(chars)


def unicode_noise(rng: random.Random, size: int) -> str:
    """Arbitrary code points (controls, combining marks, private use, fullwidth digits, CJK)."""
    ranges = ((0x0, 0x7F), (0x300, 0x36F), (0x4E00, 0x4FFF), (0xFF10, 0xFF19), (0xE000, 0xE0FF),
              (0x2000, 0x206F), (0x3000, 0x303F))
    out = []
    for _ in range(size):
        a, b = rng.choice(ranges)
        out.append(chr(rng.randint(a, b)))
    return "".join(out)


GENERATORS: dict[str, Callable[[random.Random, int], str]] = {
    "dense_mixed": dense_mixed,
    "endless_sentence": endless_sentence,
    "digit_runs": digit_runs,
    "repeated_template": repeated_template,
    "unicode_noise": unicode_noise,
}
