"""Label comparison form: width, punctuation, quotes and whitespace folded, with an offset map."""
from __future__ import annotations

import unicodedata

_DROP = set(" \t\n\r\u3000\xa0|“”‘’\"'「」『』")
_PUNCT = {"、": ".", "，": ".", ",": ".", "．": ".", "；": ".", ";": ".", "。": "."}


def fold_char(ch: str) -> str:
    if ch in _DROP:
        return ""
    ch = _PUNCT.get(ch, ch)
    out = unicodedata.normalize("NFKC", ch)
    return "".join(_PUNCT.get(c, c) for c in out if c not in _DROP)


class _FoldTable(dict):
    """str.translate table filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        value = fold_char(chr(code))
        self[code] = value
        return value


_TABLE = _FoldTable()


def fold(text: str) -> str:
    return text.translate(_TABLE)


def fold_with_map(text: str, start: int = 0, end: int | None = None) -> tuple[str, list[int]]:
    """The folded text of text[start:end] and, per folded char, its offset in ``text``."""
    end = len(text) if end is None else end
    table = _TABLE
    chars: list[str] = []
    offsets: list[int] = []
    for i in range(start, end):
        f = table[ord(text[i])]
        if f:
            chars.append(f)
            offsets.extend([i] * len(f))
    return "".join(chars), offsets
