"""Term tagging for the claims stage, and the spaCy pipeline it reproduces; each built once per process.

``spacy.blank("zh")`` with a jieba segmenter whose dictionary is the project's compact domain
dictionary (every lexicon term and a few domain words, from ``patterns/metrics.yaml``) instead
of jieba's 20 MB general dictionary: the claim windows only need the domain words whole, and
loading it costs milliseconds instead of a second. An ``entity_ruler`` tags the lexicon's terms
(METRIC, APPLICANT) with the metric key as the entity id. Explicit config, no downloads.

The audit runs it over the clauses around the counts only, through ``WindowTagger``. Importing
spaCy costs about a second of cold start; the product requires the spaCy pipeline (DEVELOPERS.md,
issue 3), so the cost is paid once per process and measured in eval/bench.py.
"""
from __future__ import annotations

import io
import logging
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from .. import deadline
from .lexicon import load_lexicon

TERM_FREQ = 100000  # domain words outweigh any path through unknown single characters
WORD_FREQ = 20000


def domain_dictionary() -> bytes:
    """The jieba dictionary (``word freq`` lines) generated from the lexicon."""
    lex = load_lexicon()
    lines: dict[str, int] = {}
    for m in lex.metrics:
        for t in m.term_list:
            lines[t] = TERM_FREQ
    for terms in lex.applicant_terms.values():
        for t in terms:
            lines.setdefault(t, TERM_FREQ)
    for w in lex.words:
        lines.setdefault(w, WORD_FREQ)
    return "".join(f"{w} {f}\n" for w, f in lines.items()).encode("utf-8")


_JIEBA_LOCK = threading.Lock()


def _import_jieba():
    """``import jieba`` without the pkg_resources that its ``_compat`` module imports (0.1–0.2 s of
    cold start) only to locate jieba's general dictionary, which the auditor never loads: without
    it, jieba opens its files by path. ``jieba._compat`` is loaded first with an ``__import__`` of
    its own that refuses pkg_resources; the rest of the process sees no difference (no entry of
    ``sys.modules`` is patched, no import lock is held, a later ``import pkg_resources`` works)."""
    with _JIEBA_LOCK:
        if "jieba" not in sys.modules and "jieba._compat" not in sys.modules:
            _load_jieba_compat()
        import jieba

        if not hasattr(jieba, "_compat") and "jieba._compat" in sys.modules:
            jieba._compat = sys.modules["jieba._compat"]  # as the import system binds a submodule it loads
        return jieba


def _load_jieba_compat() -> None:
    import builtins
    import importlib.util
    from pathlib import Path

    package = importlib.util.find_spec("jieba")
    if package is None or not package.submodule_search_locations:
        return  # no jieba: ``import jieba`` says so
    path = Path(next(iter(package.submodule_search_locations))) / "_compat.py"
    spec = importlib.util.spec_from_file_location("jieba._compat", path)
    if spec is None or spec.loader is None or not path.is_file():
        return  # another layout: import jieba as it is
    real_import = builtins.__import__

    def without_pkg_resources(name, globals=None, locals=None, fromlist=(), level=0):
        if name == "pkg_resources" and level == 0:
            raise ImportError("auditor: jieba does not need pkg_resources to open its files")
        return real_import(name, globals, locals, fromlist, level)

    module = importlib.util.module_from_spec(spec)
    module.__builtins__ = {**vars(builtins), "__import__": without_pkg_resources}
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[spec.name]
        raise


def _jieba_tokenizer(dictionary: bytes):
    """A jieba tokenizer whose only dictionary is ``dictionary`` (``word freq`` lines)."""
    jieba = _import_jieba()
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    buf = io.BytesIO(dictionary)
    buf.name = "auditor-domain.dict"
    tk.FREQ, tk.total = tk.gen_pfdict(buf)
    tk.initialized = True  # never load the general dictionary
    return tk


class DomainJiebaTokenizer:
    """jieba (domain dictionary, no HMM) producing spaCy Docs. Its settings, the dictionary and
    whether jieba guesses unknown words (HMM), round-trip through ``to_bytes``/``from_bytes`` and
    ``to_disk``/``from_disk``, so ``nlp.to_disk`` and ``spacy.load`` give the same segmenter."""

    def __init__(self, vocab, dictionary: bytes | None = None, hmm: bool = False):
        from spacy.tokens import Doc

        self.vocab = vocab
        self._doc = Doc
        self.dictionary = domain_dictionary() if dictionary is None else bytes(dictionary)
        self.hmm = hmm
        self._jieba = _jieba_tokenizer(self.dictionary)

    def __call__(self, text: str):
        words = [w for w in self._jieba.cut(text, HMM=self.hmm) if w]
        spaces = [False] * len(words)
        return self._doc(self.vocab, words=words, spaces=spaces)

    def pipe(self, texts, batch_size: int = 1000):
        for t in texts:
            yield self(t)

    def to_bytes(self, **_) -> bytes:
        import srsly

        return srsly.msgpack_dumps({"dictionary": self.dictionary, "hmm": self.hmm})

    def from_bytes(self, data: bytes, **_) -> DomainJiebaTokenizer:
        import srsly

        settings = srsly.msgpack_loads(data)
        self.dictionary, self.hmm = bytes(settings["dictionary"]), bool(settings["hmm"])
        self._jieba = _jieba_tokenizer(self.dictionary)
        return self

    def to_disk(self, path, **_) -> None:
        from pathlib import Path

        Path(path).write_bytes(self.to_bytes())

    def from_disk(self, path, **_) -> DomainJiebaTokenizer:
        from pathlib import Path

        return self.from_bytes(Path(path).read_bytes())


def _register() -> None:
    import spacy

    if "auditor.domain_jieba.v1" not in spacy.registry.tokenizers:
        @spacy.registry.tokenizers("auditor.domain_jieba.v1")
        def create_domain_jieba():
            def make(nlp):
                return DomainJiebaTokenizer(nlp.vocab)

            return make


@lru_cache(maxsize=1)
def get_nlp():
    """The pipeline: blank zh + domain jieba + entity_ruler with the lexicon's terms."""
    import spacy

    _register()
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "auditor.domain_jieba.v1"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH", "validate": False})
    ruler.add_patterns(ruler_patterns())
    return nlp


def ruler_patterns() -> list[dict]:
    """The entity ruler's phrase patterns: every lexicon term, with its metric or applicant key as id."""
    lex = load_lexicon()
    patterns = [{"label": "METRIC", "pattern": t, "id": m.key} for m in lex.metrics for t in m.term_list]
    patterns += [{"label": "APPLICANT", "pattern": t, "id": key}
                 for key, terms in lex.applicant_terms.items() for t in terms]
    return patterns


class Ent(NamedTuple):
    """One tagged term of a window: label (METRIC, APPLICANT), entity id (the key) and its span."""
    label_: str
    ent_id_: str
    start_char: int
    end_char: int


_DIGIT_SHAPE = str.maketrans("123456789" + "１２３４５６７８９", "0" * 9 + "０" * 9)


class WindowTagger:
    """The pipeline's entities for many clause windows at once.

    The ruler matches whole lexicon terms, so a window holding none of them has no entity and
    spaCy sees only the others, in one batch. Each distinct window *shape* is tagged once per
    process (a bounded LRU), since reports repeat their template clauses with other figures: the
    shape writes every digit as 0 (０ for full-width ones). That changes no entity: no lexicon
    term or dictionary word holds a digit (tests/claims/test_nlp.py), and jieba, with HMM off,
    cuts a digit the same whatever its value, so the tokens and entity offsets are the same.
    """

    def __init__(self, nlp, terms, max_cached: int = 8192):
        self._nlp = nlp
        self._any_term = re.compile("|".join(map(re.escape, sorted(terms, key=len, reverse=True))))
        self._cache: OrderedDict[str, tuple[Ent, ...]] = OrderedDict()
        self._max_cached = max_cached

    def __call__(self, windows: Sequence[str]) -> list[tuple[Ent, ...]]:
        out: list[tuple[Ent, ...]] = [()] * len(windows)
        todo: dict[str, list[int]] = {}
        for i, w in enumerate(windows):
            if not self._any_term.search(w):
                continue
            shape = w.translate(_DIGIT_SHAPE)
            hit = self._cache.get(shape)
            if hit is None:
                todo.setdefault(shape, []).append(i)
            else:
                self._cache.move_to_end(shape)
                out[i] = hit
        for w, doc in zip(todo, self._nlp.pipe(todo)):
            deadline.check()
            ents = tuple(Ent(e.label_, e.ent_id_, e.start_char, e.end_char) for e in doc.ents)
            self._remember(w, ents)
            for i in todo[w]:
                out[i] = ents
        return out

    def clear(self) -> None:
        """Forget the tagged windows (eval/bench.py: each round audits the reports as unseen)."""
        self._cache.clear()

    def _remember(self, window: str, ents: tuple[Ent, ...]) -> None:
        self._cache[window] = ents
        if len(self._cache) > self._max_cached:
            self._cache.popitem(last=False)


@lru_cache(maxsize=1)
def get_tagger() -> WindowTagger:
    return WindowTagger(get_nlp(), [p["pattern"] for p in ruler_patterns()])
