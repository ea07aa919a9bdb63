"""Find the regions of the normalized text that hold tables 二, 三 and 四."""
from __future__ import annotations

import bisect
from dataclasses import dataclass

import regex

from .normalize import fold_whole


@dataclass(frozen=True)
class Region:
    table: str
    start: int
    end: int


_APPEALS_END = regex.compile(
    r"\n\s*(?:五|六)\s*[、.．]|(?:五|六)\s*[、.．]\s*(?:政府信息公开工作)?存在|存在的主要问题|存在问题|主要问题|其他需要报告")
_DIGIT = regex.compile(r"\d")
_HEAD_TAIL = regex.compile(r"[四三五][、.．]?[^\n。\d]{0,24}$")


class _Folded:
    """The whole text folded once; searches answer in text offsets."""

    def __init__(self, text: str):
        self.folded, self.offsets = fold_whole(text)
        self.n = len(text)

    def span(self, start: int, end: int) -> tuple[str, list[int]]:
        """``fold_with_map(text, start, end)``, sliced from the whole (folding is per character)."""
        lo, hi = self._fi(start), self._fi(end)
        return self.folded[lo:hi], self.offsets[lo:hi]

    def _fi(self, offset: int) -> int:
        return bisect.bisect_left(self.offsets, offset)

    def find_all(self, needle: str, start: int = 0, end: int | None = None) -> list[int]:
        lo, hi = self._fi(start), self._fi(self.n if end is None else end)
        out, pos = [], self.folded.find(needle, lo, hi)
        while pos >= 0 and pos + len(needle) <= hi:
            out.append(self.offsets[pos])
            pos = self.folded.find(needle, pos + 1, hi)
        return out


def locate(text: str) -> dict[str, Region]:
    """Regions by table key; a table that cannot be found is absent."""
    return locate_folded(text)[0]


def locate_folded(text: str) -> tuple[dict[str, Region], _Folded]:
    """``locate`` and the folded text it searched (for the readers of the regions)."""
    n = len(text)
    f = _Folded(text)
    regions: dict[str, Region] = {}
    app_start = None
    for pos in f.find_all("本年新收"):
        # the applications table is where 本年新收 is followed by 上年结转 as a row label
        if f.find_all("上年结转", pos, min(n, pos + 400)):
            head = f.find_all("收到和处理政府信息公开申请", max(0, pos - 600), pos)
            app_start = head[-1] if head else max(0, pos - 300)
            break
    act_start = None
    for pos in f.find_all("第二十条", 0, app_start if app_start is not None else n):
        act_start = pos
        break
    if act_start is not None:
        head = f.find_all("主动公开政府信息情况", max(0, act_start - 200), act_start)
        act_start = head[-1] if head else act_start
    after_app = app_start if app_start is not None else (act_start or 0)
    appeals_start = None
    for pos in f.find_all("行政复议", after_app):
        # the 表四 header: 行政复议 … 行政诉讼 … 结果维持 (narrative mentions lack the column heads)
        heads = f.find_all("维持", pos, min(n, pos + 300))
        if f.find_all("行政诉讼", pos, min(n, pos + 120)) and heads and not _DIGIT.search(text, pos, heads[0]):
            appeals_start = pos
            break
    if appeals_start is not None:
        # its heading (四、因政府信息公开…), never reaching back over figures of 表三
        m = _HEAD_TAIL.search(text[max(0, appeals_start - 30):appeals_start])
        if m:
            appeals_start = max(0, appeals_start - 30) + m.start()
    if act_start is not None:
        regions["active"] = Region("active", act_start, app_start or appeals_start or min(n, act_start + 3000))
    if app_start is not None:
        regions["applications"] = Region("applications", app_start, appeals_start or n)
    if appeals_start is not None:
        stop = _APPEALS_END.search(text, appeals_start + 10)
        regions["appeals"] = Region("appeals", appeals_start, stop.start() if stop else min(n, appeals_start + 2500))
    return regions, f
