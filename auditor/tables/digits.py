"""Split digit strings that scraping ran together (行政规范性文件5845546 = 58|45|546).

Only a split forced by the template's arithmetic is accepted: the caller takes a reading only
when exactly one passes. Cells are read left to right; within a ``group`` the last cell must
equal the sum of the others (表三 rows: 6 columns and 总计; 表四: three groups of 4 and 总计),
so the total's digits are known when its turn comes and the search is pruned at once.
"""
from __future__ import annotations

from collections.abc import Iterator

MAX_READINGS = 50
# The search is bounded in work, not only in results: a run of 60 digits read as 7 cells has
# millions of cuts when no sum prunes them. Past these bounds the run is unreadable, never guessed,
# and never a proven sum error (the search did not finish).
MAX_DIGITS = 120
MAX_STEPS = 20_000


class TooManyReadings(Exception):
    """The digits are too many, or their cuts too many, to search: the run is unreadable."""


def _cells(tokens: list[str]) -> tuple[str, list[int]]:
    """The digits run together, and the positions where a whitespace cut must fall."""
    return "".join(tokens), [sum(len(t) for t in tokens[:i + 1]) for i in range(len(tokens))]


def readings(tokens: list[str], n: int, group: int | None = None) -> Iterator[list[tuple[int, str]]]:
    """Ways to read ``tokens`` as ``n`` cells (no leading zeros, cuts at every token boundary).

    ``group``: cells per group whose last cell is the sum of the others (None: no constraint).
    Yields lists of (token index, cell digits). Decimal or signed tokens are never cut.
    """
    if len(tokens) > n:
        return
    if any(not t.isdigit() for t in tokens):
        if len(tokens) == n:
            yield [(i, t) for i, t in enumerate(tokens)]
        return
    digits, bounds = _cells(tokens)
    if len(digits) > MAX_DIGITS:
        raise TooManyReadings(len(digits))
    owner = [i for i, t in enumerate(tokens) for _ in t]
    must_cut = set(bounds)
    steps = [0]

    def rec(pos: int, k: int, group_sum: int, out: list[tuple[int, str]]):
        steps[0] += 1
        if steps[0] > MAX_STEPS:
            raise TooManyReadings(steps[0])
        if k == n:
            if pos == len(digits):
                yield list(out)
            return
        remaining_cells = n - k
        if len(digits) - pos < remaining_cells:
            return
        last_in_group = group is not None and (k + 1) % group == 0
        if last_in_group:
            want = str(group_sum)
            end = pos + len(want)
            if digits.startswith(want, pos) and not any(pos < b < end for b in must_cut):
                out.append((owner[pos], want))
                yield from rec(end, k + 1, 0, out)
                out.pop()
            return
        max_len = 1 if digits[pos] == "0" else len(digits) - pos - (remaining_cells - 1)
        # after this cell come the group's other parts, its total (as long as the sum so far at
        # least) and the later cells, a digit each at least: a longer cell only needs more room
        parts_left = (group - 1 - k % group - 1) if group is not None else 0
        later = remaining_cells - 1 - (parts_left + 1 if group is not None else 0)
        for length in range(1, max_len + 1):
            end = pos + length
            if any(pos < b < end for b in must_cut):
                break  # a cell never spans whitespace
            value = group_sum + int(digits[pos:end])
            if group is not None and len(digits) - end < parts_left + len(str(value)) + later:
                break
            if group is not None and not later and value > int(digits[end + parts_left:]):
                break  # the last group's total is a suffix of what the other parts leave
            out.append((owner[pos], digits[pos:end]))
            yield from rec(end, k + 1, value, out)
            out.pop()

    found = 0
    for r in rec(0, 0, 0, []):
        yield r
        found += 1
        if found > MAX_READINGS:
            return
