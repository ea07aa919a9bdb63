"""The error catalog (auditor/errors.py) is the one place that writes a code or a message:
no code literal elsewhere in the package, every catalogued code and message raised somewhere
(or reserved), every template filled by its raise sites, and docs/errors.md current."""
import ast
import re
import string
from pathlib import Path

import pytest

from auditor import errors
from auditor.docs import errors_markdown
from auditor.errors import CATALOG, ApiError, AuditorError, ConfigError, InputError, ModelError

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "auditor"
CODE = re.compile(r"E\d{3}")
BUILDERS = {"api", "message"}  # E422.api("no_file"), E400.message("detail", …)


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path != PACKAGE / "errors.py":
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _entry_name(node) -> str | None:
    """``E103`` for the expressions ``E103`` and ``errors.E103``."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
    return name if name and CODE.fullmatch(name) else None


def _uses():
    """(code, variant) for every call that builds a catalogued error, in the whole package."""
    for _, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func, args = node.func, list(node.args)
            code = _entry_name(func)
            if code is None and isinstance(func, ast.Attribute) and func.attr in BUILDERS:
                code = _entry_name(func.value)
            if code is None and isinstance(func, ast.Attribute) and func.attr == "of" and args:
                code, args = _entry_name(args[0]), args[1:]  # Failure.of(errors.E901, …)
            if code is None:
                continue
            variant = args[0].value if args and isinstance(args[0], ast.Constant) else None
            yield code, variant, {k.arg for k in node.keywords if k.arg} - {"headers"}


def test_no_error_code_is_written_outside_the_catalog():
    found = [f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
             for path, tree in _modules() for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value)]
    assert not found, "use the catalog in auditor/errors.py:\n" + "\n".join(found)


def test_every_catalogued_code_is_raised_somewhere_or_reserved():
    named = {_entry_name(node) for _, tree in _modules() for node in ast.walk(tree)} - {None}
    unused = [c.code for c in CATALOG.values() if c.raised_by == "auditor" and c.code not in named]
    assert not unused, f"catalogued but never raised (mark raised_by or remove): {unused}"
    assert all(c.raised_by == "auditor" or c.code not in named for c in CATALOG.values() if not c.messages)


def test_every_message_of_the_catalog_is_used_and_every_use_names_a_message():
    used = set()
    for code, variant, fields in _uses():
        entry = CATALOG[code]
        if variant is None and entry.raised_by == "auditor" and len(entry.messages) == 1:
            variant = entry.variants[0]
        if variant is None:
            continue  # E500 by name only, or a code compared with ``.code``
        assert variant in entry.messages, f"{code} has no message {variant!r}"
        needed = {f for _, f, _, _ in string.Formatter().parse(entry.messages[variant]) if f}
        assert fields == needed, f"{code} {variant!r}: fields {sorted(fields)}, template needs {sorted(needed)}"
        used.add((code, variant))
    unused = [(c.code, v) for c in CATALOG.values() if c.raised_by == "auditor" for v in c.variants
              if (c.code, v) not in used and v != "generic"]
    assert not unused, f"messages never used: {unused}"


@pytest.mark.parametrize("entry", list(CATALOG.values()), ids=list(CATALOG))
def test_an_entry_builds_its_typed_error_with_its_code_and_a_chinese_message(entry):
    assert CODE.fullmatch(entry.code) and entry.kind in errors.KINDS
    assert re.search(r"[\u4e00-\u9fff]", entry.summary)
    for variant, template in entry.messages.items():
        fields = {f: 1 for _, f, _, _ in string.Formatter().parse(template) if f}
        message = entry.message(variant, **fields)
        assert re.search(r"[\u4e00-\u9fff]", message)
        if entry.cls is not None:
            exc = entry(variant, **fields)
            assert isinstance(exc, entry.cls) and isinstance(exc, AuditorError)
            assert exc.code == entry.code and exc.message == message and str(exc) == f"[{entry.code}] {message}"
        if entry.http is not None:
            err = entry.api(variant, **fields)
            assert isinstance(err, ApiError) and (err.status, err.code, err.message) == (entry.http, entry.code, message)


def test_the_hierarchy_and_the_statuses():
    assert issubclass(InputError, AuditorError) and issubclass(ConfigError, AuditorError)
    assert issubclass(ModelError, AuditorError) and issubclass(errors.DeadlineExceeded, AuditorError)
    for entry in CATALOG.values():
        if entry.cls is not None and entry.cls is not errors.DeadlineExceeded:
            assert entry.exit == 2, entry.code  # ``auditor audit``: the report could not be audited
            assert entry.cls.code == entry.code or entry.cls.code in CATALOG
    assert errors.E103.http == 413 and errors.E413.http == 413
    assert {c.exit for c in CATALOG.values() if c.code >= "E900" and c.cls is None} == {3}
    assert errors.E103("file", size=3, limit=2).message == "文件过大（3 字节，上限 2 字节），拒绝处理。"
    with pytest.raises(TypeError):
        errors.E103()  # several messages: the raise site names one


def test_errors_doc_is_current():
    doc = ROOT / "docs" / "errors.md"
    assert doc.read_text(encoding="utf-8") == errors_markdown(), "run: python -m auditor.docs"
