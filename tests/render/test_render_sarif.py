"""SARIF 2.1.0 output: schema validity, regions, stable fingerprints, baselines."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from auditor.render.baseline import apply_baseline, load_baseline
from auditor.checks import get_rules
from auditor.checks.finding import CellEvidence, Finding, TextEvidence
from auditor.errors import InputError
from auditor.render.json import render_json
from auditor.render.sarif import LineIndex, render_sarif
from auditor.report import Report

jsonschema = pytest.importorskip("jsonschema")
MINI = Path(__file__).parent / "data" / "mini_2021.txt"
REAL = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "real" / "000_02434a0845e90c92.txt"
KEY = "auditorFinding/v1"
MOVED = "（本稿在开头增加了一段说明文字，\n用于检验移动文本后指纹不变。）\n\n"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(resources.files("auditor.render").joinpath("assets/sarif-schema-2.1.0.json")
                        .read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json") and schema["properties"]["version"]["enum"] == ["2.1.0"]
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def audit(text: str, name: str = "mini.txt"):
    from auditor.pipeline import audit_text

    return audit_text(text, filename=name)


@pytest.fixture(scope="module")
def mini_text() -> str:
    return MINI.read_text(encoding="utf-8")


def synthetic_report() -> Report:
    text = "第一行\n第二行：予以公开7件\n表格\t5"
    ev = (TextEvidence(8, 14, text[8:14]),
          CellEvidence(table="applications", row="granted", column="total", value=5, start=18, end=19))
    findings = [
        Finding(code="NT001", check="narrative.table_mismatch", severity="high", message="正文与表格不符", stated=7,
                expected=5, evidence=ev, id="F1", severity_score=0.9),
        Finding(code="TB004", check="table.label", severity="low", message="标签有误", evidence=(ev[0],),
                replacement="予以公开5件", id="F2"),
        Finding(code="MT003", check="meta.format", severity="info", message="无位置", id="F3"),
    ]
    return Report(source="C:\\报告 目录\\a b.txt", sha256="ab" * 32, input_kind="text", text=text,
                  findings=findings, errors=[{"code": "XX001", "error": "规则出错"}], warnings=["提示"],
                  tool_version="test")


def results(report, **kw) -> list[dict]:
    return json.loads(render_sarif(report, **kw))["runs"][0]["results"]


def test_synthetic_log_is_valid_and_precise(validator):
    report = synthetic_report()
    log = json.loads(render_sarif(report))
    validator.validate(log)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    first, second, third = run["results"]
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["charOffset"], region["charLength"]) == (8, 6)
    assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (2, 5, 2, 11)
    assert region["snippet"]["text"] == "予以公开7件"
    cell = first["relatedLocations"][0]["physicalLocation"]["region"]
    assert (cell["startLine"], cell["startColumn"], cell["charOffset"], cell["snippet"]["text"]) == (3, 4, 18, "5")
    assert [r["level"] for r in (first, second, third)] == ["error", "note", "note"]
    assert second["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "予以公开5件"
    assert "region" not in third["locations"][0]["physicalLocation"]
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "file:///C:/%E6%8A%A5%E5%91%8A%20%E7%9B%AE%E5%BD%95/a%20b.txt"
    assert run["invocations"][0]["executionSuccessful"] is False


@pytest.mark.parametrize("source,uri", [
    ("javascript:alert(1).txt", "javascript%3Aalert(1).txt"),
    ("C:\\reports\\a.txt", "file:///C:/reports/a.txt"),
    ("/srv/报告.txt", "file:///srv/%E6%8A%A5%E5%91%8A.txt"),
    ("sub/a:b.txt", "sub/a%3Ab.txt"),
])
def test_a_source_name_never_becomes_another_scheme(source, uri):
    """Issue 17, point 9: a file named javascript:alert(1).txt was written as a javascript: URI."""
    from urllib.parse import urlsplit

    from auditor.render.sarif import artifact_uri

    assert artifact_uri(source) == uri
    assert urlsplit(uri).scheme in ("", "file")


def test_artifact_length_is_the_files_bytes(validator, tmp_path, mini_text):
    """SARIF's artifact.length counts bytes of the file, not characters of the text."""
    from auditor.pipeline import audit_path

    path = tmp_path / "mini.txt"
    path.write_text(mini_text, encoding="utf-8")
    log = json.loads(render_sarif(audit_path(path)))
    validator.validate(log)
    assert log["runs"][0]["artifacts"][0]["length"] == path.stat().st_size != len(mini_text)


def test_rules_come_from_the_registry(validator):
    log = json.loads(render_sarif(synthetic_report()))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    registry = get_rules()
    assert [r["id"] for r in rules] == [r.code for r in registry]
    levels = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
    for out, rule in zip(rules, registry):
        assert out["name"] == rule.check and out["shortDescription"]["text"]
        assert out["defaultConfiguration"]["level"] == levels[rule.default]
    for res in log["runs"][0]["results"]:
        if "ruleIndex" in res:
            assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


def test_line_index_matches_a_naive_count():
    text = "a\nbc\n\n第四行\n"
    index = LineIndex(text)
    for offset in range(len(text) + 1):
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        assert index.position(offset) == (line, column)


def test_pipeline_output_is_valid(validator, mini_text):
    reports = [audit(mini_text)]
    if REAL.exists():
        reports.append(audit(REAL.read_text(encoding="utf-8"), REAL.name))
    for report in reports:
        log = json.loads(render_sarif(report))
        validator.validate(log)
        assert len(log["runs"][0]["results"]) == len(report.findings)
        for res, finding in zip(log["runs"][0]["results"], report.findings):
            region = res["locations"][0]["physicalLocation"].get("region")
            if finding.main_span and region:
                assert report.text[region["charOffset"]:region["charOffset"] + region["charLength"]] == \
                    region["snippet"]["text"]


def test_fingerprints_survive_reruns_and_moved_text(mini_text):
    first, again = results(audit(mini_text)), results(audit(mini_text))
    moved = results(audit(MOVED + mini_text))
    assert first
    prints = [r["partialFingerprints"][KEY] for r in first]
    assert prints == [r["partialFingerprints"][KEY] for r in again]
    assert sorted(prints) == sorted(r["partialFingerprints"][KEY] for r in moved)
    shift, lines = len(MOVED), MOVED.count("\n")
    by_print = {r["partialFingerprints"][KEY]: r for r in moved}
    for r in first:  # the same finding, now further down: offsets and lines moved, fingerprint did not
        old = r["locations"][0]["physicalLocation"].get("region")
        new = by_print[r["partialFingerprints"][KEY]]["locations"][0]["physicalLocation"].get("region")
        if old:
            assert new["charOffset"] == old["charOffset"] + shift and new["startLine"] == old["startLine"] + lines


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_baseline_hides_accepted_findings(tmp_path, mini_text, fmt):
    draft1 = audit(mini_text)
    baseline = tmp_path / f"draft1.{fmt}"
    baseline.write_text(render_json(draft1) if fmt == "json" else render_sarif(draft1), encoding="utf-8")
    draft2 = audit(MOVED + mini_text)
    assert draft2.findings
    assert results(draft2, baseline=baseline) == []
    assert apply_baseline(draft2, baseline).findings == []
    assert any("基线" in w for w in apply_baseline(draft2, baseline).warnings)


def test_baseline_keeps_new_findings(tmp_path):
    report = synthetic_report()
    partial = json.loads(render_json(report))
    partial["findings"] = partial["findings"][:1]
    del partial["findings"][0]["fingerprint"]  # older outputs: the recipe is recomputed from the fields
    path = tmp_path / "old.json"
    path.write_text(json.dumps(partial, ensure_ascii=False), encoding="utf-8")
    assert sum(load_baseline(path).values()) == 1
    kept = results(report, baseline=path)
    assert [r["properties"]["findingId"] for r in kept] == ["F2", "F3"]
    assert {r["baselineState"] for r in kept} == {"new"}


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"a": 1}', None])
def test_bad_baseline_is_an_input_error(tmp_path, content):
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_baseline(path)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)
