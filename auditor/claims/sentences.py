"""Narrative sentences and clauses of the normalized text, with a whitespace-free view.

Scraped and PDF text breaks lines inside sentences; a sentence therefore ends at 。！？
or at a line that starts a heading, never at a bare line break. Matching happens on the
whitespace-free ``compact`` form; ``offsets`` maps each compact character back.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

_END = regex.compile(r"[。！？!?]|\n\s*\n|\n(?=\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[.．、](?!\d)|第[一二三四五六七八九十]+[条章]))")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    compact: str
    offsets: tuple[int, ...]  # compact index -> text offset
    paragraph: int  # index of the paragraph (blank-line or heading separated block)

    def to_text(self, a: int, b: int) -> tuple[int, int]:
        """Text span of compact[a:b]."""
        return self.offsets[a], self.offsets[b - 1] + 1

    def compact_index(self, offset: int) -> int:
        """First compact index at or after a text offset."""
        lo, hi = 0, len(self.offsets)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.offsets[mid] < offset:
                lo = mid + 1
            else:
                hi = mid
        return lo


def split_sentences(text: str, exclude: list[tuple[int, int]] = ()) -> list[Sentence]:
    """Sentences outside the excluded spans (the statutory tables)."""
    out: list[Sentence] = []
    zones = sorted(exclude)
    pieces: list[tuple[int, int]] = []
    pos = 0
    for a, b in zones:
        if a > pos:
            pieces.append((pos, a))
        pos = max(pos, b)
    if pos < len(text):
        pieces.append((pos, len(text)))
    para = 0
    for a, b in pieces:
        start = a
        for m in _END.finditer(text, a, b):
            end = m.end() if m.group().strip() else m.start()
            _add(out, text, start, end, para)
            if "\n" in m.group():
                para += 1
            start = m.end()
        _add(out, text, start, b, para)
        para += 1
    return out


def _add(out: list[Sentence], text: str, start: int, end: int, para: int) -> None:
    seg = text[start:end]
    keep = [i for i, ch in enumerate(seg) if not ch.isspace()]
    if keep:
        out.append(Sentence(start + keep[0], start + keep[-1] + 1, "".join(seg[i] for i in keep),
                            tuple(start + i for i in keep), para))
