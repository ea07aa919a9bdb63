"""The metric lexicon (patterns/metrics.yaml), compiled once per process."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex
import yaml


@dataclass(frozen=True)
class Metric:
    key: str
    topic: str
    term_list: tuple[str, ...]
    candidates: tuple[str, ...]
    requires: regex.Pattern | None = None
    requires_topic: str | None = None
    forbids: regex.Pattern | None = None
    order: int = 0
    bare_units: frozenset[str] = frozenset()  # units in which "term + count" alone (许可决定7件) needs no verb


@dataclass(frozen=True)
class Lexicon:
    metrics: tuple[Metric, ...]
    applicant_terms: dict[str, tuple[str, ...]]
    topics: dict[str, regex.Pattern]
    words: tuple[str, ...]
    table_units: frozenset[str] = frozenset()
    proposal_outcome: regex.Pattern | None = None  # a class of 建议提案 outcome and its figure, one group a class

    def metric(self, key: str) -> Metric:
        return next(m for m in self.metrics if m.key == key)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    data = yaml.safe_load(resources.files(__package__).joinpath("patterns/metrics.yaml").read_text(encoding="utf-8"))
    metrics = tuple(
        Metric(key=m["key"], topic=m["topic"], term_list=tuple(m["terms"]), candidates=tuple(m["candidates"]),
               requires=regex.compile(m["requires"]) if m.get("requires") else None,
               requires_topic=m.get("requires_topic"),
               forbids=regex.compile(m["forbids"]) if m.get("forbids") else None, order=i,
               bare_units=frozenset(m.get("bare_units", ())))
        for i, m in enumerate(data["metrics"]))
    applicants = {k: tuple(v) for k, v in data["applicants"].items()}
    topics = {k: regex.compile(v) for k, v in data["topics"].items()}
    classes = data.get("proposal_outcomes", {})
    outcome = regex.compile("|".join(f"(?P<{k}>{v})(?:的|为)?\\d" for k, v in classes.items())) if classes else None
    return Lexicon(metrics, applicants, topics, tuple(data.get("words", ())), frozenset(data.get("table_units", ())),
                   outcome)


def _compiled(value):
    if isinstance(value, dict):
        return {k: _compiled(v) for k, v in value.items()}
    return regex.compile(value)


@lru_cache(maxsize=None)
def load_patterns(name: str) -> dict:
    """``patterns/<name>.yaml``, every string compiled as a ``regex`` pattern (maps of them too);
    ``.pattern`` gives a word list's text back."""
    data = yaml.safe_load(resources.files(__package__).joinpath(f"patterns/{name}.yaml").read_text(encoding="utf-8"))
    return {k: _compiled(v) for k, v in data.items()}
