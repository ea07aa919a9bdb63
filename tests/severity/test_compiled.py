"""The numpy compilation of the severity pipeline predicts what the pipeline predicts."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from auditor.severity import store
from auditor.severity.compiled import load_compiled, save_compiled, verify
from auditor.severity.features import finding_features
from auditor.severity.model import build_model, dump_model, load_model

from .test_model import finding, toy_data


def assert_same(a, b):
    """Equal up to the last bit of SciPy's expit against numpy's 1/(1+exp)."""
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def fitted(tmp_path, **params):
    X, y = toy_data()
    model = build_model(random_state=3, **params).fit(X, y)
    path = dump_model(model, tmp_path / "m.skops")
    return load_model(path), path, X


def unseen_rows():
    rows = [finding_features(finding(stated=s, expected=e, row=r, column=c))
            for s, e in ((4, 1), (100, 99), (7, 70)) for r in ("new_received", "granted", "denied.other")
            for c in ("total", "commercial")]
    rows.append({"check": "table.label", "never_seen_feature": 3.0})  # unknown keys are ignored, as DictVectorizer does
    return rows


@pytest.mark.parametrize("params", [{}, {"cv": 2, "n_estimators": 7, "max_depth": None}])
def test_compiled_probabilities_equal_the_pipeline(tmp_path, params):
    model, path, X = fitted(tmp_path, **params)
    compiled = load_compiled(save_compiled(model, path, tmp_path / "m.npz"), path)
    rows = X + unseen_rows()
    assert_same(model.predict_proba(rows), compiled.predict_proba(rows))
    assert list(compiled.classes_) == list(model.classes_)
    assert verify(model, compiled, rows) <= 1e-12


def test_uncalibrated_two_class_forest_compiles(tmp_path):
    X, y = toy_data()
    y = ["high" if label == "high" else "medium" for label in y]
    model = build_model(random_state=0, cv=2).fit(X[:3], y[:3])  # a single "high": no calibration folds
    path = dump_model(model, tmp_path / "m.skops")
    model = load_model(path)
    assert not model.named_steps["classify"].calibrated_
    compiled = load_compiled(save_compiled(model, path, tmp_path / "m.npz"), path)
    assert_same(model.predict_proba(X), compiled.predict_proba(X))


def test_a_stale_compilation_is_refused_and_the_store_falls_back_to_skops(tmp_path, monkeypatch):
    model, path, X = fitted(tmp_path)
    save_compiled(model, path, path.with_suffix(".npz"))
    other = build_model(random_state=4).fit(*toy_data())
    dump_model(other, path)  # the skops file changed after compiling
    with pytest.raises(ValueError, match="compiled from another"):
        load_compiled(path.with_suffix(".npz"), path)
    monkeypatch.setenv(store.ENV_VAR, str(path))
    store.clear_cache()
    try:
        loaded = store.get_model()
    finally:
        store.clear_cache()
    assert loaded.runtime == "skops" and loaded.warning is None


def test_the_store_prefers_a_matching_compilation_unless_told_otherwise(tmp_path, monkeypatch):
    model, path, X = fitted(tmp_path)
    save_compiled(model, path, path.with_suffix(".npz"))
    monkeypatch.setenv(store.ENV_VAR, str(path))
    runtimes = []
    for runtime in ("compiled", "skops"):
        monkeypatch.setenv(store.RUNTIME_VAR, runtime)
        store.clear_cache()
        try:
            runtimes.append(store.get_model())
        finally:
            store.clear_cache()
    assert [r.runtime for r in runtimes] == ["compiled", "skops"]
    assert_same(runtimes[0].model.predict_proba(X), runtimes[1].model.predict_proba(X))


def test_the_archive_holds_no_pickled_objects(tmp_path):
    model, path, _ = fitted(tmp_path)
    npz = save_compiled(model, path, tmp_path / "m.npz")
    with np.load(npz, allow_pickle=False) as z:  # an object array would raise here
        assert all(not z[name].dtype.hasobject for name in z.files)


def test_the_shipped_compilation_matches_the_shipped_model():
    path = next((p for p in store.candidate_paths() if p.is_file()), None)
    if path is None or not path.with_suffix(".npz").is_file():
        pytest.skip("no shipped severity model")
    compiled = load_compiled(path.with_suffix(".npz"), path)  # raises when stale: retrain or recompile
    model = load_model(path)
    X, _ = toy_data()
    assert verify(model, compiled, X + unseen_rows()) <= 1e-12


def test_predicting_with_the_compilation_imports_no_scikit_learn():
    code = ("import sys; from auditor.pipeline import audit_path; from auditor.severity import store;"
            "r = audit_path(sys.argv[1]); m = store.get_model();"
            "print(m.runtime, any(k.split('.')[0] in ('sklearn', 'scipy', 'skops') for k in sys.modules))")
    sample = store.repo_models_dir().parent / "auditor" / "data" / "sample_report.txt"
    if store.get_model().runtime != "compiled" or not sample.is_file():
        pytest.skip("no compiled severity model shipped")
    out = subprocess.run([sys.executable, "-c", code, str(sample)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["compiled", "False"]
