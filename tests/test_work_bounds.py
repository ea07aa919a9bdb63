"""No input of N characters costs more than a small multiple of N log N (issue 17, points 2 and 6).

Work is counted, not timed: the Python calls (and calls into C) an audit makes, as seen by
``sys.setprofile``, which do not move with the load of the machine. Each test doubles the input
and bounds the growth of the count. The wall time and memory of 200 kB inputs are measured by
``eval/fuzz.py``, not here.
"""
from __future__ import annotations

import random
import sys

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from auditor.checks import narrative
from auditor.claims.sentences import MAX_SENTENCE_CHARS, split_sentences
from auditor.pipeline import audit_text

from fuzzkit import GENERATORS, PUNCT, WORDS

DOUBLING = 2.6  # N log N from 20k to 40k characters is 2.14; a quadratic stage gives 4


def _work(text: str) -> int:
    """Calls made by the second audit of the text: the first also adds its new words to the NLP
    vocabulary, once for the process, which would make whichever input runs first look dearer."""
    _calls(text)
    return _calls(text)


def _calls(text: str) -> int:
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += 1

    sys.setprofile(count)
    try:
        audit_text(text)
    finally:
        sys.setprofile(None)
    return calls


@pytest.fixture(scope="module", autouse=True)
def _warm():
    audit_text("本年共收到申请1件，其中予以公开2件。")  # imports, models and the NLP pipeline are not the input's work


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_doubling_the_input_at_most_doubles_the_work_and_a_little(name):
    """An endless sentence of figures of one noun once cost 56 s at 200 kB (every figure compared
    with every other, each comparison slicing the whole sentence)."""
    small, large = (GENERATORS[name](random.Random(3), n) for n in (20_000, 40_000))
    assert _work(large) <= DOUBLING * _work(small)


_pieces = st.lists(st.one_of(st.sampled_from(WORDS + PUNCT), st.integers(0, 99_999).map(str)),
                   min_size=1, max_size=60)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_pieces)
def test_any_text_repeated_costs_work_in_proportion(pieces):
    """Repetition is the worst case for the comparisons of one quantity stated twice: every copy
    states the same figures of the same nouns."""
    unit = "".join(pieces)
    assume(unit.strip())  # an empty text is refused (E101) before any work
    small = (unit * (8_000 // len(unit) + 1))[:8_000]
    large = (unit * (16_000 // len(unit) + 1))[:16_000]
    assert _work(large) <= DOUBLING * _work(small) + 50_000


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=st.sampled_from("共计申请件条，；、：\n 0123456789"), max_size=9_000))
def test_no_sentence_is_longer_than_the_limit(text):
    assert all(s.end - s.start <= MAX_SENTENCE_CHARS for s in split_sentences(text))
    assert "".join(s.compact for s in split_sentences(text)) == "".join(text.split())


def test_each_figure_is_compared_with_a_bounded_number_of_earlier_ones(monkeypatch):
    compared = 0
    proof = narrative._subject_proof

    def counting(*args):
        nonlocal compared
        compared += 1
        return proof(*args)

    monkeypatch.setattr(narrative, "_subject_proof", counting)
    text = GENERATORS["endless_sentence"](random.Random(5), 30_000)
    report = audit_text(text)
    figures = text.count("，")
    assert compared <= narrative.MAX_PARTNERS * figures
    nt004 = [f for f in report.findings if f.code == "NT004"]
    assert nt004, "the figures of one noun with different values are still reported"
    seconds = [(f.evidence[1].start, f.evidence[1].end) for f in nt004]
    assert len(seconds) == len(set(seconds)), "each figure is reported once, against its first contradiction"
