"""Narrative sentences and clauses of the normalized text, with a whitespace-free view.

Scraped and PDF text breaks lines inside sentences; a sentence therefore ends at 。！？
or at a line that starts a heading, never at a bare line break. Matching happens on the
whitespace-free ``compact`` form; ``offsets`` maps each compact character back.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import chain

import regex

_END = regex.compile(r"[。！？!?]|\n\s*\n|\n(?=\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[.．、](?!\d)|第[一二三四五六七八九十]+[条章]))")

# A sentence longer than this (a text with no 。 in it) is cut at its last clause break before
# the limit: every stage looks at a claim's whole sentence, so an endless one made the work
# quadratic in the text. Real sentences stay far below it (the longest in the corpora: 1,310).
MAX_SENTENCE_CHARS = 2000
# What ends a clause inside a sentence: the one set the claims stage reads clauses by.
CLAUSE_BREAKS = frozenset("，,；;：:、。（()）")
# where an endless sentence may be cut: a clause break that is no bracket or full stop, or a line end
_CUT = "".join(sorted((CLAUSE_BREAKS - set("。（()）")) | {"\n"}))
_CLAUSE_END = regex.compile(f"[{_CUT}](?=[^{_CUT}]*$)")

_NON_SPACE = re.compile(r"\S+")
_SPACE = re.compile(r"\s")


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
        return bisect_left(self.offsets, offset)


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
    while end - start > MAX_SENTENCE_CHARS:
        cut = _cut(text, start, start + MAX_SENTENCE_CHARS)
        _add_one(out, text, start, cut, para)
        start = cut
    _add_one(out, text, start, end, para)


def _cut(text: str, start: int, limit: int) -> int:
    """Where an overlong sentence is cut: after its last clause break in the second half of the
    window, else before the digit run the limit falls in (a figure is never split)."""
    m = _CLAUSE_END.search(text, start + (limit - start) // 2, limit)
    if m:
        return m.end()
    cut = limit
    while cut > start + 1 and text[cut - 1].isdigit() and text[cut].isdigit():
        cut -= 1
    return cut if cut > start + 1 else limit


def _add_one(out: list[Sentence], text: str, start: int, end: int, para: int) -> None:
    raw = text[start:end]
    piece = raw.strip()  # str.strip() removes exactly the str.isspace() characters, as \s does
    if piece and not _SPACE.search(piece):  # most sentences: one run, no break inside
        a = start + len(raw) - len(raw.lstrip())
        out.append(Sentence(a, a + len(piece), piece, tuple(range(a, a + len(piece))), para))
        return
    runs = [m.span() for m in _NON_SPACE.finditer(text, start, end)]  # \S is exactly not str.isspace()
    if runs:
        out.append(Sentence(runs[0][0], runs[-1][1], "".join(text[a:b] for a, b in runs),
                            tuple(chain.from_iterable(range(a, b) for a, b in runs)), para))
