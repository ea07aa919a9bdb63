"""The severity model: estimator conventions, skops round trip, fallback to the guideline, where it decides, the shipped model."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import skops.io as sio
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from auditor.checks.finding import CellEvidence, Finding, TextEvidence
from auditor.errors import ModelError
from auditor.severity import store
from auditor.severity.features import finding_features
from auditor.severity.model import TRUSTED_TYPES, SeverityClassifier, build_model, dump_model, load_model
from auditor.severity.rules import assign_severity
from auditor.severity.store import LoadedModel

CTX = SimpleNamespace(facts=SimpleNamespace(format="2021"))


def finding(code="TB001", check="table.row_sum", severity="high", stated=7, expected=6, row="new_received",
            column="total", quote="本年新收 5 1 0 0 0 0 7"):
    return Finding(code=code, check=check, severity=severity, message="…", stated=stated, expected=expected,
                   evidence=(TextEvidence(0, len(quote), quote), CellEvidence("applications", row, column, stated)),
                   facts={"table": "applications", "row": row, "column": column})


def toy_data():
    """Headline totals high, sub-items medium, labels low, rounding-only ratios low, glued cells info."""
    X, y = [], []
    for i in range(8):
        X.append(finding_features(finding(stated=10 + i, expected=3 + i)))
        y.append("high")
        X.append(finding_features(finding(row="denied.third_party", column="natural_person", stated=2 + i, expected=1)))
        y.append("medium")
        X.append(finding_features(finding(code="TB004", check="table.label", severity="low", stated=None, expected=None)))
        y.append("low")
        X.append(finding_features(finding(code="NT003", check="narrative.ratio", severity="medium", stated=33.3,
                                          expected=33.33, quote="占比33.3%")))
        y.append("low")
        glued = finding(code="TB005", check="table.missing", severity="low", stated=None, expected=None)
        X.append(finding_features(glued.with_(facts={**glued.facts, "kind": "glued"})))
        y.append("info")
    return X, y


@parametrize_with_checks([SeverityClassifier(n_estimators=5, random_state=0)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_constructor_stores_arguments_and_fit_validates_them():
    clf = SeverityClassifier(n_estimators=7, cv=4, method="isotonic")
    assert clf.get_params()["n_estimators"] == 7 and clf.get_params()["cv"] == 4
    with pytest.raises(ValueError, match="method"):
        SeverityClassifier(method="magic").fit(np.eye(4), [0, 1, 0, 1])


def test_rare_class_still_fits_with_probabilities():
    X = np.array([[0.0], [0.1], [0.2], [1.0], [1.1], [5.0]])
    clf = SeverityClassifier(n_estimators=5).fit(X, ["a", "a", "a", "b", "b", "c"])  # "c" has one example
    assert not clf.calibrated_
    assert np.allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    clf2 = SeverityClassifier(n_estimators=5).fit(X[:5], ["a", "a", "a", "b", "b"])
    assert clf2.calibrated_


def test_skops_round_trip_trusts_only_the_listed_types(tmp_path):
    X, y = toy_data()
    model = build_model(random_state=1).fit(X, y)
    path = dump_model(model, tmp_path / "m.skops")
    assert set(sio.get_untrusted_types(file=path)) <= set(TRUSTED_TYPES)
    again = load_model(path)
    assert np.array_equal(again.predict_proba(X), model.predict_proba(X))
    assert list(again.classes_) == list(model.classes_)


def test_load_refuses_untrusted_types(tmp_path):
    X, y = toy_data()
    model = build_model().fit(X, y)
    model.steps.insert(0, ("evil", FunctionTransformer(func=print)))
    sio.dump(model, tmp_path / "evil.skops")
    with pytest.raises(ModelError):
        load_model(tmp_path / "evil.skops")


def test_missing_model_keeps_rule_severities_with_chinese_warning(monkeypatch, tmp_path):
    monkeypatch.setattr(store, "candidate_paths", lambda: [tmp_path / "absent.skops"])
    store.clear_cache()
    try:
        fs = [finding(), finding(code="TB004", check="table.label", severity="low")]
        out, name, warnings = assign_severity(fs, CTX)
    finally:
        store.clear_cache()
    assert [f.severity for f in out] == ["high", "low"] and name is None
    assert len(warnings) == 1 and "严重程度模型" in warnings[0]


def test_broken_model_file_keeps_rule_severities(monkeypatch, tmp_path):
    bad = tmp_path / "severity-v2.skops"
    bad.write_bytes(b"not a zip")
    monkeypatch.setattr(store, "candidate_paths", lambda: [bad])
    store.clear_cache()
    try:
        out, name, warnings = assign_severity([finding()], CTX)
    finally:
        store.clear_cache()
    assert out[0].severity == "high" and out[0].severity_score is None and name is None
    assert "无法加载" in warnings[0]


class SaysInfo:
    """A stand-in model that is sure every finding is only worth a look."""

    classes_ = np.array(["high", "info", "low", "medium"])

    def predict_proba(self, X):
        return np.tile([0.1, 0.7, 0.1, 0.1], (len(X), 1))


def test_the_model_decides_only_in_the_families_it_earned(monkeypatch):
    monkeypatch.setattr(store, "get_model", lambda: LoadedModel(SaysInfo(), None, None, families=("table",)))
    fs = [finding(), finding(code="NT003", check="narrative.ratio", severity="medium", quote="占比33.3%")]
    out, name, warnings = assign_severity(fs, CTX)
    assert name == store.MODEL_NAME and warnings == []
    assert [f.severity for f in out] == ["info", "medium"]  # table: the model's; narrative: the guideline's
    assert out[0].severity_score == 0.7 and out[1].severity_score is None


def test_without_a_model_the_guideline_decides_from_the_facts(monkeypatch, tmp_path):
    monkeypatch.setattr(store, "candidate_paths", lambda: [tmp_path / "absent.skops"])
    store.clear_cache()
    try:
        glued = finding(code="TB005", check="table.missing", severity="low", stated=None, expected=None)
        sub = finding(code="NT001", check="narrative.table_mismatch")
        out, _, _ = assign_severity([glued.with_(facts={**glued.facts, "kind": "glued"}),
                                     sub.with_(facts={**sub.facts, "headline": False})], CTX)
    finally:
        store.clear_cache()
    assert [f.severity for f in out] == ["info", "medium"]


def test_a_model_that_cannot_predict_keeps_rule_severities(monkeypatch):
    broken = SaysInfo()
    broken.predict_proba = lambda X: (_ for _ in ()).throw(ValueError("bad input"))
    monkeypatch.setattr(store, "get_model", lambda: LoadedModel(broken, None, None, families=("table",)))
    out, name, warnings = assign_severity([finding()], CTX)
    assert out[0].severity == "high" and name is None and "预测出错" in warnings[0]


def test_model_learns_the_toy_distinctions():
    X, y = toy_data()
    model = build_model(random_state=0).fit(X, y)
    assert list(model.predict(X)) == y


def test_features_flag_rounding_headline_and_approximation():
    ratio = finding_features(finding(code="NT003", check="narrative.ratio", severity="medium", stated=33.3,
                                     expected=33.33, quote="约占33.3%"))
    assert ratio["rounding_only"] == 1.0 and ratio["approx"] == 1.0 and ratio["cue_percent"] == 1.0
    wrong = finding_features(finding(stated=33.3, expected=34.4))
    assert wrong["rounding_only"] == 0.0
    head = finding_features(finding())
    sub = finding_features(finding(row="denied.third_party", column="commercial"))
    assert (head["row_level"], head["column_level"]) == ("headline", "total")
    assert (sub["row_level"], sub["column_level"]) == ("item", "part")
    assert finding_features(finding(stated="二〇二二", expected=None))["has_values"] == 0.0
    sub_claim = Finding(code="NT001", check="narrative.table_mismatch", severity="high", message="…", stated=3,
                        expected=2, facts={"headline": False, "approx": None, "expr": "appeals:review.upheld"})
    feats = finding_features(sub_claim, "2021")
    assert feats["fact_headline"] == 0.0 and "fact_approx" not in feats
    assert (feats["table"], feats["row_level"], feats["column_level"]) == ("appeals", "headline", "part")


def test_model_file_is_found_through_the_environment_and_loaded_once(monkeypatch, tmp_path):
    X, y = toy_data()
    path = dump_model(build_model().fit(X, y), tmp_path / "custom.skops")
    path.with_suffix(".json").write_text(json.dumps({"model_families": ["table"]}), encoding="utf-8")
    monkeypatch.setenv(store.ENV_VAR, str(path))
    store.clear_cache()
    try:
        first = store.get_model()
        assert first.path == path and first.warning is None and first is store.get_model()
        out, name, warnings = assign_severity([finding()], CTX)
    finally:
        store.clear_cache()
    assert name == store.MODEL_NAME and warnings == [] and 0.0 <= out[0].severity_score <= 1.0


SHARED_REAL = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "real"
MODELS = Path(__file__).resolve().parents[2] / "models"


def test_the_shipped_model_learned_something():
    """Not a constant model: three classes or more, and on the grouped cross-validation of real
    examples it differs from the family defaults and is right more often than they are."""
    model = load_model(MODELS / "severity-v2.skops")
    assert len(model.classes_) >= 3
    X, _ = toy_data()
    assert len(set(model.predict(X))) >= 3
    meta = json.loads((MODELS / "severity-v2.json").read_text(encoding="utf-8"))
    cv = meta["cv"]["families"]["all"]
    assert cv["model_differs_from_default"] > 0
    assert cv["model"]["accuracy"] > cv["family_default"]["accuracy"]
    assert meta["examples"]["real"] and cv["model"]["n"] == sum(meta["examples"]["real"].values())


@pytest.mark.skipif(not SHARED_REAL.is_dir(), reason="the real corpora are only beside the checkout in CI")
def test_auditor_train_rebuilds_the_shipped_files_byte_for_byte(tmp_path):
    from auditor_lab.training import train_model

    from auditor_lab.training import _versions

    meta = json.loads((MODELS / "severity-v2.json").read_text(encoding="utf-8"))
    result = train_model(out=tmp_path / "severity-v2.skops", seed=meta["seed"], n=meta["generated_reports"])
    assert result.examples == meta["examples"]
    if meta["libraries"] == _versions():
        for suffix in (".skops", ".npz", ".json", ".md"):
            assert (tmp_path / f"severity-v2{suffix}").read_bytes() == (MODELS / f"severity-v2{suffix}").read_bytes(), suffix
    else:  # other library versions may serialise the same forest differently: the figures must still agree
        again = json.loads((tmp_path / "severity-v2.json").read_text(encoding="utf-8"))
        for key in ("examples", "model_families", "cv"):
            assert again[key] == meta[key], key
