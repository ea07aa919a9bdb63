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
    terms: regex.Pattern
    candidates: tuple[str, ...]
    requires: regex.Pattern | None = None
    requires_topic: str | None = None


@dataclass(frozen=True)
class Lexicon:
    metrics: tuple[Metric, ...]
    applicants: dict[str, regex.Pattern]
    topics: dict[str, regex.Pattern]


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    data = yaml.safe_load(resources.files(__package__).joinpath("patterns/metrics.yaml").read_text(encoding="utf-8"))
    metrics = tuple(
        Metric(key=m["key"], topic=m["topic"], terms=regex.compile(m["terms"]), candidates=tuple(m["candidates"]),
               requires=regex.compile(m["requires"]) if m.get("requires") else None,
               requires_topic=m.get("requires_topic"))
        for m in data["metrics"])
    applicants = {k: regex.compile(v) for k, v in data["applicants"].items()}
    topics = {k: regex.compile(v) for k, v in data["topics"].items()}
    return Lexicon(metrics, applicants, topics)
