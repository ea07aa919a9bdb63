"""The severity model: estimator conventions, skops round trip, fallback, the one-level rule, determinism."""
from __future__ import annotations

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
from auditor.severity.model import (TRUSTED_TYPES, SeverityClassifier, build_model, constrained, dump_model, load_model,
                                    move_label)
from auditor.severity.rules import assign_severity
from auditor.severity.store import LoadedModel

CTX = SimpleNamespace(facts=SimpleNamespace(format="2021"))


def finding(code="TB001", check="table.row_sum", severity="high", stated=7, expected=6, row="new_received",
            column="total", quote="本年新收 5 1 0 0 0 0 7"):
    return Finding(code=code, check=check, severity=severity, message="…", stated=stated, expected=expected,
                   evidence=(TextEvidence(0, len(quote), quote), CellEvidence("applications", row, column, stated)),
                   facts={"table": "applications", "row": row, "column": column})


def toy_data():
    """Headline totals keep high, sub-items move down to medium, labels keep low, rounding-only ratios move down."""
    X, y = [], []
    for i in range(8):
        X.append(finding_features(finding(stated=10 + i, expected=3 + i)))
        y.append("keep")
        X.append(finding_features(finding(row="denied.third_party", column="natural_person", stated=2 + i, expected=1)))
        y.append("down")
        X.append(finding_features(finding(code="TB004", check="table.label", severity="low", stated=None, expected=None)))
        y.append("keep")
        X.append(finding_features(finding(code="NT003", check="narrative.ratio", severity="medium", stated=33.3,
                                          expected=33.33, quote="占比33.3%")))
        y.append("down")
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
    bad = tmp_path / "severity-v1.skops"
    bad.write_bytes(b"not a zip")
    monkeypatch.setattr(store, "candidate_paths", lambda: [bad])
    store.clear_cache()
    try:
        out, name, warnings = assign_severity([finding()], CTX)
    finally:
        store.clear_cache()
    assert out[0].severity == "high" and out[0].severity_score is None and name is None
    assert "无法加载" in warnings[0]


def test_moves_are_labelled_relative_to_the_rule_and_clipped():
    assert [move_label("high", g) for g in ("high", "medium", "low", "info")] == ["keep", "down", "down", "down"]
    assert move_label("info", "low") == "up" and move_label("low", "low") == "keep"


def test_constrained_moves_at_most_one_level_and_stays_on_the_scale():
    classes = np.array(["down", "keep", "up"])
    assert constrained([0.7, 0.2, 0.1], classes, "high") == ("medium", 0.7)
    assert constrained([0.7, 0.2, 0.1], classes, "info") == ("info", 0.2)  # no level below info
    assert constrained([0.1, 0.2, 0.7], classes, "high") == ("high", 0.2)  # none above high
    assert constrained([0.4, 0.4, 0.2], classes, "low") == ("low", 0.4)  # a tie keeps the rule's
    assert constrained([0.7, 0.2, 0.1], classes, "low") == ("low", 0.2)  # never into info
    assert constrained([0.1, 0.2, 0.7], classes, "info") == ("info", 0.2)  # never out of info
    assert constrained([1.0], np.array(["keep"]), "medium") == ("medium", 1.0)


class SaysDown:
    """A stand-in model that is sure every finding should drop a level."""

    classes_ = np.array(["down", "keep", "up"])

    def predict_proba(self, X):
        return np.tile([0.7, 0.2, 0.1], (len(X), 1))


def test_assign_severity_never_moves_more_than_one_level(monkeypatch):
    monkeypatch.setattr(store, "get_model", lambda: LoadedModel(SaysDown(), None, None))
    fs = [finding(severity=s) for s in ("high", "medium", "low", "info")]
    out, name, warnings = assign_severity(fs, CTX)
    assert name == store.MODEL_NAME and warnings == []
    # low does not drop to info: "not provable" is the rule's judgement, never the model's
    assert [f.severity for f in out] == ["medium", "low", "low", "info"]
    assert [f.severity_score for f in out] == [0.7, 0.7, 0.2, 0.2]


def test_a_model_that_cannot_predict_keeps_rule_severities(monkeypatch):
    broken = SaysDown()
    broken.predict_proba = lambda X: (_ for _ in ()).throw(ValueError("bad input"))
    monkeypatch.setattr(store, "get_model", lambda: LoadedModel(broken, None, None))
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
    monkeypatch.setenv(store.ENV_VAR, str(path))
    store.clear_cache()
    try:
        first = store.get_model()
        assert first.path == path and first.warning is None and first is store.get_model()
        out, name, warnings = assign_severity([finding()], CTX)
    finally:
        store.clear_cache()
    assert name == store.MODEL_NAME and warnings == [] and 0.0 <= out[0].severity_score <= 1.0


def test_training_on_a_tiny_corpus_is_deterministic(tmp_path):
    pytest.importorskip("auditor.synth")
    from auditor.severity.train import train_model

    runs = [train_model(out=tmp_path / f"{k}.skops", seed=11, n=8, n_test=0, card=False) for k in "ab"]
    assert runs[0].examples == runs[1].examples > 0
    a, b = (load_model(r.path) for r in runs)
    X, _ = toy_data()
    assert list(a.classes_) == list(b.classes_)
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
