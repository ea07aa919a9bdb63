"""Label comparison form: width, punctuation, quotes and whitespace folded, with an offset map."""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import compress

_DROP = set(" \t\n\r\u3000\xa0|“”‘’\"'「」『』")
_PUNCT = {"、": ".", "，": ".", ",": ".", "．": ".", "；": ".", ";": ".", "。": "."}


def fold_char(ch: str) -> str:
    if ch in _DROP:
        return ""
    ch = _PUNCT.get(ch, ch)
    out = unicodedata.normalize("NFKC", ch)
    return "".join(_PUNCT.get(c, c) for c in out if c not in _DROP)


class _FoldTable(dict):
    """str.translate table filled on first sight of each character; also fills ``_KEEP`` and
    ``_EXPANDS`` (characters that fold to several, e.g. NFKC "⑴" -> "(1)")."""

    def __missing__(self, code: int) -> str:
        value = fold_char(chr(code))
        _KEEP[code] = "\x01" if value else "\x00"  # before self[code]: a code in _TABLE is in _KEEP
        if len(value) > 1:
            _EXPANDS.add(chr(code))
        self[code] = value
        return value


_TABLE = _FoldTable()
_KEEP: dict[int, str] = {}  # code -> "\x01" when the character survives folding, else "\x00"
_EXPANDS: set[str] = set()


def fold(text: str) -> str:
    return text.translate(_TABLE)


@lru_cache(maxsize=2)
def fold_whole(text: str) -> tuple[str, list[int]]:
    """``fold_with_map(text)``, once per report text (the format check and the locator both need it).
    The offsets list is shared: read it, never change it."""
    return fold_with_map(text)


def fold_with_map(text: str, start: int = 0, end: int | None = None) -> tuple[str, list[int]]:
    """The folded text of text[start:end] and, per folded char, its offset in ``text``."""
    end = len(text) if end is None else end
    part = text[start:end]
    folded = part.translate(_TABLE)  # fills _KEEP and _EXPANDS for every character of part
    if _EXPANDS.isdisjoint(part):
        # one folded character per surviving one: the offsets are those of the survivors
        return folded, list(compress(range(start, start + len(part)), part.translate(_KEEP).encode("latin-1")))
    table = _TABLE
    chars: list[str] = []
    offsets: list[int] = []
    for i in range(start, end):
        f = table[ord(text[i])]
        if f:
            chars.append(f)
            offsets.extend([i] * len(f))
    return "".join(chars), offsets
