"""The house style, enforced: a rule reads typed data and never parses text; one module per family,
found by the registry; every code, name and alias unique; every option a rule reads declared."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from auditor.checks import get_rules
from auditor.checks.registry import FAMILY_PREFIX, _discover
from auditor.config import declarations

CHECKS = Path(__file__).resolve().parents[2] / "auditor" / "checks"
MODULES = sorted(CHECKS.glob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_rule_module_imports_a_pattern_library(path):
    for node in ast.walk(_tree(path)):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        assert not any(n.split(".")[0] in ("re", "regex") for n in names), \
            f"{path.name}:{node.lineno} imports a pattern library: reading text is the claims stage's"


@pytest.mark.parametrize("path", [p for p in MODULES if p.name != "context.py"], ids=lambda p: p.name)
def test_no_rule_module_touches_the_text(path):
    """Only ``CheckContext`` quotes the text (``text_ev``, ``row_ev``): no ``.text`` anywhere else."""
    hits = [n.lineno for n in ast.walk(_tree(path)) if isinstance(n, ast.Attribute) and n.attr == "text"]
    assert not hits, f"{path.name} reads .text at lines {hits}"


def test_the_guard_sees_a_rule_that_slices_the_text(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import regex\n\ndef r(ctx):\n    return ctx.text[0:4]\n", encoding="utf-8")
    with pytest.raises(AssertionError):
        test_no_rule_module_imports_a_pattern_library(bad)
    with pytest.raises(AssertionError):
        test_no_rule_module_touches_the_text(bad)


def test_one_module_per_family_found_by_the_registry():
    assert sorted(_discover()) == sorted(FAMILY_PREFIX)
    for r in get_rules():
        assert r.func.__module__ == f"auditor.checks.{r.family}", f"{r.code} lives in {r.func.__module__}"
        assert r.code.startswith(FAMILY_PREFIX[r.family]), r.code


def test_codes_names_and_aliases_are_unique():
    seen: list[str] = [n for r in get_rules() for n in (r.code, r.name, *r.aliases)]
    assert len(seen) == len(set(seen))


def _options_read(rule) -> set[str]:
    """``option(ctx.config, "narrative.ratio", "allow_truncation")`` calls in the rule's module
    functions that the rule's own source or its helpers make (approximated by the module)."""
    import inspect

    src = inspect.getsource(inspect.getmodule(rule.func))
    found = set()
    for node in ast.walk(ast.parse(src)):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "option" and len(node.args) == 3
                and all(isinstance(a, ast.Constant) for a in node.args[1:])):
            found.add(f"{node.args[1].value}.{node.args[2].value}")
    return {o for o in found if o.rsplit(".", 1)[0] == rule.check}


def test_every_option_is_declared_on_its_rule_and_in_the_defaults():
    decl = declarations()
    rules = get_rules()
    declared = {f"{r.check}.{o}" for r in rules for o in r.options}
    for r in rules:
        for o in r.options:
            assert o in decl.get(r.check, {}), f"{r.code} declares {o}, which defaults.toml does not"
    read = set().union(*(_options_read(r) for r in rules))
    assert read <= declared, f"read but declared on no rule: {read - declared}"
    checks = {r.check for r in rules}
    in_defaults = {f"{section}.{key}" for section, keys in decl.items() if section in checks for key in keys}
    assert in_defaults == declared, in_defaults ^ declared


def test_an_alias_selects_its_rule(monkeypatch):
    from dataclasses import replace

    from auditor.checks import registry

    nt3 = registry._RULES["NT003"]
    monkeypatch.setitem(registry._RULES, "NT003", replace(nt3, aliases=("NT903",)))
    assert [r.code for r in registry.select(["NT903"])] == ["NT003"]
