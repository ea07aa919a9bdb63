"""The claims stage's spaCy pipeline: blank zh, jieba with the compact domain dictionary, an entity
ruler for the lexicon's terms; built once per process."""
from __future__ import annotations

import pytest

from auditor.claims.lexicon import load_lexicon
from auditor.claims.nlp import domain_dictionary, get_nlp


def tags(text: str) -> list[tuple[str, str, int, int]]:
    return [(e.label_, e.ent_id_, e.start_char, e.end_char) for e in get_nlp()(text).ents]


@pytest.mark.parametrize("text, expected", [
    ("予以公开、部分公开5件", [("METRIC", "granted_or_partial", 0, 9)]),  # a three-word term beats its parts
    ("法人或其他组织申请予以公开3件", [("APPLICANT", "legal_all", 0, 7), ("METRIC", "granted", 9, 13)]),
    ("部分公开公民个人", [("METRIC", "partially_granted", 0, 4), ("APPLICANT", "natural_person", 4, 8)]),
    ("不予公开答复2件", [("METRIC", "denied", 0, 4), ("METRIC", "total_processed", 4, 6)]),
    ("组织业务培训3次", []),
    ("", []),
])
def test_tags(text, expected):
    assert tags(text) == expected


def test_pipeline_is_a_blank_zh_with_the_domain_segmenter_built_once():
    nlp = get_nlp()
    assert nlp.lang == "zh" and nlp.pipe_names == ["entity_ruler"]
    assert get_nlp() is nlp
    assert [t.text for t in nlp("转下一年度办理答复的有1件")][:3] == ["转下一年度", "办理", "答复"]


def test_every_lexicon_term_is_a_dictionary_word_and_tags_alone():
    lex = load_lexicon()
    words = {line.split(" ")[0] for line in domain_dictionary().decode("utf-8").splitlines()}
    for m in lex.metrics:
        for term in m.term_list:
            assert term in words
            assert (tags(term) or [("", "")])[0][:2] == ("METRIC", m.key), term


def test_window_tagger_agrees_with_the_pipeline_and_skips_term_free_windows():
    from auditor.claims.nlp import get_tagger

    windows = ["法人或其他组织申请予以公开3件", "组织业务培训3次", "", "不予公开答复2件", "组织业务培训3次",
               "法人或其他组织申请予以公开3件"]
    tagged = get_tagger()(windows)
    assert [[tuple(e) for e in found] for found in tagged] == [tags(w) for w in windows]
    assert tagged[0] is tagged[5] is get_tagger()([windows[0]])[0]  # each distinct window is tagged once


def test_no_term_or_dictionary_word_holds_a_digit():
    """The tagger's cache shares one entry between windows that differ only in their digits; that
    is sound only while no term the segmenter or the ruler knows holds a digit."""
    words = [line.split(" ")[0] for line in domain_dictionary().decode("utf-8").splitlines()]
    assert words and not [w for w in words if any(c.isdigit() for c in w)]


@pytest.mark.parametrize("window, other", [
    ("本年度新收政府信息公开申请12件，其中予以公开7件", "本年度新收政府信息公开申请30件，其中予以公开4件"),
    ("不予公开答复2件，部分公开1件", "不予公开答复9件，部分公开0件"),
    ("法人或其他组织申请予以公开３件", "法人或其他组织申请予以公开８件"),  # full-width digits
    ("行政复议1件，行政诉讼2.5%", "行政复议7件，行政诉讼9.3%"),
])
def test_windows_differing_only_in_digits_share_one_tagging_that_the_pipeline_confirms(window, other):
    from auditor.claims.nlp import get_tagger

    tagger = get_tagger()
    tagger.clear()
    first, second = tagger([window, other])
    assert first is second  # one pipeline run for both
    assert [tuple(e) for e in first] == tags(window) and [tuple(e) for e in second] == tags(other)


def test_windows_of_other_digit_lengths_are_tagged_on_their_own():
    from auditor.claims.nlp import get_tagger

    tagger = get_tagger()
    tagger.clear()
    window, longer = "不予公开答复2件，部分公开1件", "不予公开答复12件，部分公开1件"
    first, second = tagger([window, longer])
    assert first is not second
    assert [tuple(e) for e in first] == tags(window) and [tuple(e) for e in second] == tags(longer)


def test_the_segmenter_settings_round_trip_through_bytes_and_disk(tmp_path):
    """to_bytes/from_bytes (and to_disk/from_disk) carry the dictionary and the HMM switch: a
    segmenter built from another dictionary segments as the pipeline's once it has read them."""
    from auditor.claims.nlp import DomainJiebaTokenizer

    tokenizer = get_nlp().tokenizer
    text = "本年度法人或其他组织申请予以公开3件，转下一年度办理答复的有1件"
    other = DomainJiebaTokenizer(get_nlp().vocab, dictionary="公开 5\n".encode(), hmm=True)
    assert [t.text for t in other(text)] != [t.text for t in tokenizer(text)]
    data = tokenizer.to_bytes()
    assert other.from_bytes(data) is other and other.to_bytes() == data
    assert (other.dictionary, other.hmm) == (domain_dictionary(), False)
    assert [t.text for t in other(text)] == [t.text for t in tokenizer(text)]

    fresh = DomainJiebaTokenizer(get_nlp().vocab, dictionary=b"", hmm=True)
    tokenizer.to_disk(tmp_path / "tokenizer")
    assert fresh.from_disk(tmp_path / "tokenizer").to_bytes() == data


def test_the_whole_pipeline_saved_and_loaded_tags_as_before(tmp_path):
    import spacy

    nlp = get_nlp()
    nlp.to_disk(tmp_path / "nlp")
    loaded = spacy.load(tmp_path / "nlp")
    text = "法人或其他组织申请予以公开3件，不予公开答复2件"
    assert loaded.tokenizer.to_bytes() == nlp.tokenizer.to_bytes()
    assert [(e.label_, e.ent_id_, e.start_char, e.end_char) for e in loaded(text).ents] == tags(text)


def test_jieba_is_imported_without_pkg_resources_and_nothing_else_changes():
    """jieba's ``_compat`` alone is refused pkg_resources (0.1-0.2 s of cold start it only needs to
    find the general dictionary the auditor never loads): no None left in sys.modules, no import
    lock held, and pkg_resources stays importable for anyone else."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    code = (
        "import sys, _imp\n"
        "from auditor.claims.nlp import _import_jieba, get_nlp\n"
        "jieba = _import_jieba()\n"
        "assert 'pkg_resources' not in sys.modules\n"
        "assert not [k for k, v in sys.modules.items() if v is None]\n"
        "assert not _imp.lock_held()\n"
        "assert 'pkg_resources' not in jieba._compat.get_module_res.__code__.co_names\n"
        "assert [t.text for t in get_nlp()('转下一年度办理答复的有1件')][:3] == ['转下一年度', '办理', '答复']\n"
        "try:\n"
        "    import pkg_resources  # noqa: F401\n"
        "except ImportError as exc:\n"
        "    assert 'auditor' not in str(exc), exc  # absent from the environment is fine; refused is not\n"
        "print('ok')\n"
    )
    run = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=False,
                         timeout=120, env=env, cwd=root)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr
