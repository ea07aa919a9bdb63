"""Split digit strings that scraping ran together (行政规范性文件5845546 = 58|45|546).

Only a split forced by the template's arithmetic is accepted; the caller decides what
"forced" means by passing a predicate and taking the split only when exactly one passes.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

MAX_SPLITS = 20000


def _compositions(digits: str, parts: int) -> Iterator[list[str]]:
    """Every way to cut ``digits`` into ``parts`` numbers without leading zeros."""
    if parts == 1:
        if digits and (digits == "0" or digits[0] != "0"):
            yield [digits]
        return
    if not digits:
        return
    limit = 1 if digits[0] == "0" else len(digits) - parts + 1
    for i in range(1, limit + 1):
        for rest in _compositions(digits[i:], parts - 1):
            yield [digits[:i], *rest]


def splits(tokens: list[str], n: int) -> Iterator[list[tuple[int, str]]]:
    """Ways to read ``tokens`` (whitespace-separated digit strings) as ``n`` cells.

    Yields lists of (token index, cell digits). Decimal tokens are never cut.
    """
    if len(tokens) > n:
        return

    def rec(i: int, remaining: int) -> Iterator[list[tuple[int, str]]]:
        if i == len(tokens):
            if remaining == 0:
                yield []
            return
        tok = tokens[i]
        left_after = len(tokens) - i - 1
        whole = not tok.isdigit()  # decimals and signed figures are never cut
        max_parts = 1 if whole else min(len(tok), remaining - left_after)
        for k in range(1, max_parts + 1):
            for comp in (_compositions(tok, k) if not whole else iter([[tok]])):
                for rest in rec(i + 1, remaining - k):
                    yield [(i, c) for c in comp] + rest

    count = 0
    for sol in rec(0, n):
        count += 1
        if count > MAX_SPLITS:
            return
        yield sol


def unique_split(tokens: list[str], n: int, ok: Callable[[list[float]], bool]) -> tuple[list[list[tuple[int, str]]], bool]:
    """All splits passing ``ok``; the bool says whether the search was complete."""
    found = []
    count = 0
    for sol in splits(tokens, n):
        count += 1
        if ok([float(c) for _, c in sol]):
            found.append(sol)
            if len(found) > 50:
                break
    return found, count <= MAX_SPLITS
