"""The rule registry: every check is a generator function registered with ``@rule``."""
from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from .finding import Finding

FAMILY_PREFIX = {"table": "TB", "narrative": "NT", "meta": "MT", "cross_year": "CY"}
# Each check's family default severity, as the findings contract states it. A rule's findings start
# here; the severity stage (severity/guideline.py, the model) moves them, and nothing else sets one.
FAMILY_DEFAULTS = {
    "table.row_sum": "high", "table.column_sum": "high", "table.balance": "high",
    "table.label": "low", "table.missing": "low",
    "narrative.table_mismatch": "high", "narrative.sum": "medium", "narrative.ratio": "medium",
    "narrative.conflict": "medium",
    "meta.period": "low", "meta.year": "medium", "meta.format": "low", "meta.copied": "low",
    "cross_year.carry_over": "medium", "cross_year.delta": "info",
}


@dataclass(frozen=True)
class Rule:
    code: str
    check: str
    default: str
    message: str  # Chinese template with named fields
    func: Callable[..., Iterator[Finding]]
    groups: tuple[str, ...] = ("all",)
    aliases: tuple[str, ...] = ()  # former codes or names it still answers to in --select/--ignore
    options: tuple[str, ...] = ()  # the keys of its check's section in defaults.toml that it reads
    variants: tuple[tuple[str, str], ...] = ()  # (name, Chinese template) for other shapes of the problem

    def template(self, variant: str | None = None) -> str:
        return dict(self.variants)[variant] if variant else self.message

    @property
    def family(self) -> str:
        return self.check.split(".", 1)[0]

    @property
    def description(self) -> str:
        return (self.func.__doc__ or "").strip().splitlines()[0] if self.func.__doc__ else ""

    def to_dict(self) -> dict:
        return {"code": self.code, "check": self.check, "name": self.name,
                "description": self.description, "default_severity": self.default,
                "message_template": self.message, "groups": list(self.groups), "aliases": list(self.aliases),
                "options": [f"{self.check}.{o}" for o in self.options]}

    @property
    def name(self) -> str:
        return self.func.__name__


_RULES: dict[str, Rule] = {}


def rule(*, code: str, check: str, message: str, groups: tuple[str, ...] = (), aliases: tuple[str, ...] = (),
         options: tuple[str, ...] = (), variants: dict[str, str] | None = None):
    """Register a check. Codes are never reused or renumbered: a renamed code stays in ``aliases``.
    ``options`` are the keys of the check's section of ``defaults.toml`` the rule reads. Its findings
    start at the check's family default (``FAMILY_DEFAULTS``); the severity stage decides."""
    default = FAMILY_DEFAULTS[check]

    def deco(func):
        family = check.split(".", 1)[0]
        taken = {c for r in _RULES.values() for c in (r.code, r.name, *r.aliases)}
        for name in (code, func.__name__, *aliases):
            if name in taken:
                raise ValueError(f"rule {code}: {name} is already a rule's code, name or alias")
        _RULES[code] = Rule(code=code, check=check, default=default, message=message, func=func,
                            groups=("all", family, *groups), aliases=tuple(aliases), options=tuple(options),
                            variants=tuple((variants or {}).items()))
        return func

    return deco


def get_rules() -> list[Rule]:
    """Every rule, by code. The family modules are found, not listed: a module of this package named
    after a family (``table``, ``narrative``, ``meta``, ``cross_year``) registers its rules on import."""
    _discover()
    return sorted(_RULES.values(), key=lambda r: r.code)


@lru_cache(maxsize=1)
def _discover() -> tuple[str, ...]:
    import importlib
    import pkgutil
    from pathlib import Path

    found = tuple(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name in FAMILY_PREFIX)
    for name in found:
        importlib.import_module(f"{__package__}.{name}")
    return found


def _hit(r: Rule, pats: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(r.code, p) or fnmatch.fnmatchcase(r.check, p)
               or fnmatch.fnmatchcase(r.name, p) or p in r.groups or p in r.aliases for p in pats)


def patterns(values: list[str] | None) -> list[str]:
    """``--select NT001,TB004`` and ``--select NT001 --select TB004`` alike; every pattern must name
    at least one rule, or the choice fails closed (a misspelt code would otherwise select nothing
    and read as a clean report)."""
    import difflib

    from ..errors import E200

    out = [p.strip() for v in (values or []) for p in v.split(",") if p.strip()]
    rules = get_rules()
    for p in out:
        if not any(_hit(r, [p]) for r in rules):
            names = sorted({r.code for r in rules} | {r.check for r in rules} | {g for r in rules for g in r.groups})
            near = difflib.get_close_matches(p, names, n=3, cutoff=0.5)
            hint = f"，是否想用：{'、'.join(near)}" if near else "；可用 auditor checks 查看全部检查"
            raise E200(pattern=p, hint=hint)
    return out


def select(select: list[str] | None = None, ignore: list[str] | None = None) -> list[Rule]:
    """Rules chosen by code, check name, group or glob (``TB*``, ``narrative.*``); comma lists
    allowed; an unknown pattern is an error (fail closed)."""
    select, ignore = patterns(select), patterns(ignore)
    hit = _hit
    rules = get_rules()
    if select:
        rules = [r for r in rules if hit(r, select)]
    if ignore:
        rules = [r for r in rules if not hit(r, ignore)]
    return rules
