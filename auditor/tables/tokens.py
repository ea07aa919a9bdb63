"""Cut a table region of the normalized text into label text and runs of numeric cells.

Three layouts reach us as text and all become the same token stream:
one cell per line (scraped pages), a row per line with cells separated by spaces
(PDF text), and rows of tab- or pipe-separated cells (HTML/DOCX renderings, markdown).
"""
from __future__ import annotations

from typing import NamedTuple

import regex

_NULL_MARKS = {"", "—", "--", "-", "/", "／", "—-", "——", "\\", "无"}
# a number standing alone: not glued to a following "." + CJK (that is an item prefix "4.保护")
_NUM = regex.compile(r"(?<![\d.])\d+(?:\.\d+)?")
# a blank cell written as a dash between other cells of a row ("4 1 0 — 0")
# a signed figure (2019 本年增/减: "-11", "+5") only where a sign stands alone before digits
_NUM_OR_DASH = regex.compile(r"(?:(?<=\s|^|\t)[-−+])?(?<![\d.])\d+(?:\.\d+)?|(?<=\s|^)(?P<dash>[—/／\-]{1,2})(?=\s|$)")
_PREFIX_AFTER = regex.compile(r"\s*[.．、]\s*\p{Han}")
_DASH_LINE = regex.compile(r"^\s*[—\-/／]{1,2}\s*$")
_PLAIN_NUMBER_LINE = regex.compile(r"[ \t\u3000\xa0]*(\d+(?:\.\d+)?)[ \t\u3000\xa0]*")
# The commonest lines of all (one cell per line): lone figures, no tab (a tab makes a line a row
# of cells), blank lines between them; a stretch of them is read in one match.
_LONE_FIGURES = regex.compile(r"(?:[ \u3000\xa0]*\d+(?:\.\d+)?[ \u3000\xa0]*(?:\n[ \t\u3000\xa0\r]*)*(?:\n|$))+")
_FIGURE = regex.compile(r"\d+(?:\.\d+)?")
_MD_RULE = regex.compile(r"^\s*\|?\s*:?-{3,}")
_IS_NUM = regex.compile(r"[-−+]?[\d,，]+(?:\.\d+)?")


# Tokens are named tuples, not frozen dataclasses: a report has hundreds, and a tuple is
# built several times faster while reading the same.
class NumTok(NamedTuple):
    start: int
    end: int
    raw: str

    @property
    def is_null(self) -> bool:
        return self.raw.strip() in _NULL_MARKS


class Run(NamedTuple):
    """Consecutive numeric tokens of one table row (as far as the layout tells)."""

    toks: tuple[NumTok, ...]

    @property
    def start(self) -> int:
        return self.toks[0].start

    @property
    def end(self) -> int:
        return self.toks[-1].end


class TextTok(NamedTuple):
    start: int
    end: int


Item = Run | TextTok


def _cells_of_line(text: str, ls: int, le: int) -> list[tuple[int, int]]:
    """Cell spans of a tab/pipe separated line (outer pipes dropped, inner whitespace trimmed)."""
    line = text[ls:le]
    sep = "\t" if "\t" in line else "|"
    spans, pos = [], 0
    parts = line.split(sep)
    if sep == "|":
        if parts and not parts[0].strip():
            pos += len(parts[0]) + 1
            parts = parts[1:]
        if parts and not parts[-1].strip():
            parts = parts[:-1]
    for part in parts:
        s, e = ls + pos, ls + pos + len(part)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        spans.append((s, e))
        pos += len(part) + 1
    return spans


def _free_line(text: str, ls: int, le: int) -> list[TextTok | NumTok]:
    plain = _PLAIN_NUMBER_LINE.fullmatch(text, ls, le)
    if plain is not None and not _PREFIX_AFTER.match(text, plain.end(1)):
        return [NumTok(plain.start(1), plain.end(1), plain.group(1))]  # the common line: one figure
    out: list[TextTok | NumTok] = []
    if _DASH_LINE.match(text[ls:le]):
        s = ls + len(text[ls:le]) - len(text[ls:le].lstrip())
        return [NumTok(s, s + len(text[ls:le].strip()), text[ls:le].strip())]
    pos = ls
    for m in _NUM_OR_DASH.finditer(text, ls, le):
        s, e = m.span()
        if m.group("dash"):
            if s > pos and text[pos:s].strip():
                out.append(TextTok(pos, s))
            out.append(NumTok(s, e, m.group()))
            pos = e
            continue
        if _PREFIX_AFTER.match(text, e):
            # "00000004.保护…": the last digit is the next item's number, the rest are cells
            if e - s > 1:
                e -= 1
            else:
                continue
        if s > pos and text[pos:s].strip():
            out.append(TextTok(pos, s))
        out.append(NumTok(s, e, text[s:e]))
        pos = e
    if pos < le and text[pos:le].strip():
        out.append(TextTok(pos, le))
    return out


def tokenize(text: str, start: int, end: int) -> list[Item]:
    """Tokens of text[start:end], numbers grouped into runs."""
    items: list[Item] = []
    pending: list[NumTok] = []  # single-number lines accumulate (one cell per line layout)

    def flush() -> None:
        if pending:
            items.append(Run(tuple(pending)))
            pending.clear()

    ls = start
    while ls < end:
        lone = _LONE_FIGURES.match(text, ls, end)
        if lone is not None:
            stop = lone.end()
            figures = [NumTok(*m.span(), m.group()) for m in _FIGURE.finditer(text, ls, stop)]
            if _PREFIX_AFTER.match(text, figures[-1].end):
                # the last may be the next item's number ("4" then "、保护…"): its line is read below
                stop = max(ls, text.rfind("\n", ls, figures.pop().start) + 1)
            if stop > ls:
                pending += figures  # as _free_line reads each of their lines
                ls = stop
                continue
        le = text.find("\n", ls, end)
        le = end if le < 0 else le
        line = text[ls:le]
        if not line.strip() or _MD_RULE.match(line):
            ls = le + 1
            continue
        if "\t" in line or line.lstrip().startswith("|"):
            toks: list[TextTok | NumTok] = []
            cells = _cells_of_line(text, ls, le)
            # empty cells are blanks only in a row that holds figures (not in header rows)
            has_figures = any(text[s:e].strip() and (text[s:e].strip() in _NULL_MARKS or _IS_NUM.fullmatch(text[s:e]))
                              for s, e in cells)
            for s, e in cells:
                cell = text[s:e]
                if not cell.strip() and not has_figures:
                    continue
                if cell.strip() in _NULL_MARKS or _IS_NUM.fullmatch(cell):
                    toks.append(NumTok(s, e, cell))
                else:
                    toks.extend(_free_line(text, s, e))
        else:
            toks = _free_line(text, ls, le)
        nums = [t for t in toks if isinstance(t, NumTok)]
        if len(toks) == 1 and nums:
            pending.append(nums[0])
        else:
            flush()
            group: list[NumTok] = []
            for t in toks:
                if isinstance(t, NumTok):
                    group.append(t)
                else:
                    if group:
                        items.append(Run(tuple(group)))
                        group = []
                    items.append(t)
            if group:
                if toks and isinstance(toks[-1], NumTok) and len(group) == 1 and len(nums) == 1 and not isinstance(toks[0], NumTok):
                    pending.extend(group)  # "label 5" then more single-number lines below
                else:
                    items.append(Run(tuple(group)))
        ls = le + 1
    flush()
    return items
