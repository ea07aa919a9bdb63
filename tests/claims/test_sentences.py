"""Sentences: the whitespace-free view and its map back to the text."""
from __future__ import annotations

import pytest

from auditor.claims.sentences import split_sentences
from auditor_lab.generator import generate_report


def test_compact_view_and_offsets():
    text = "  本年度 新收申请\n12件，办结\u300010件。\n\n（二）其他"
    sentences = split_sentences(text)
    assert [s.compact for s in sentences] == ["本年度新收申请12件，办结10件。", "（二）其他"]
    s = sentences[0]
    assert (s.start, s.end) == (text.index("本"), text.index("。") + 1)
    assert s.to_text(s.compact.index("12"), s.compact.index("12") + 2) == (text.index("12"), text.index("12") + 2)
    assert s.compact_index(text.index("新")) == 3 and s.compact_index(text.index("新") - 1) == 3


@pytest.mark.parametrize("seed", range(6))
def test_offsets_map_every_compact_character(seed):
    text = generate_report(seed, layout=("lines", "rows", "glued", "tabs")[seed % 4])[0]
    for s in split_sentences(text):
        assert s.compact == "".join(text[o] for o in s.offsets)
        assert not any(ch.isspace() for ch in s.compact)
        assert list(s.offsets) == sorted(set(s.offsets)) and (s.start, s.end) == (s.offsets[0], s.offsets[-1] + 1)
        gaps = [o for o in range(s.start, s.end) if o not in set(s.offsets)]
        assert all(text[o].isspace() for o in gaps)
        for k, o in enumerate(s.offsets):
            assert s.compact_index(o) == k
