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


def fold(text: str) -> str:
    return "".join(fold_char(ch) for ch in text)


def fold_with_map(text: str, start: int = 0, end: int | None = None) -> tuple[str, list[int]]:
    """The folded text of text[start:end] and, per folded char, its offset in ``text``."""
    end = len(text) if end is None else end
    chars: list[str] = []
    offsets: list[int] = []
    for i in range(start, end):
        for c in fold_char(text[i]):
            chars.append(c)
            offsets.append(i)
    return "".join(chars), offsets
