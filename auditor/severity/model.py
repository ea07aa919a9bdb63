"""The severity model: feature dicts -> calibrated probabilities of the four severities
(high, medium, low, info), learned from findings on real reports labeled by their gold.

``build_model()`` is a scikit-learn Pipeline (DictVectorizer one-hot + ``SeverityClassifier``,
a random forest wrapped in CalibratedClassifierCV). Files are skops archives, loaded with an
explicit list of trusted types, never with pickle or joblib, and once per process.

Where the file is looked for and the once-per-process cache: ``store.py`` (no scikit-learn import).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction import DictVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

try:
    from sklearn.utils.validation import validate_data
except ImportError:  # scikit-learn < 1.6
    def validate_data(estimator, X, y="no_validation", reset=True, **kw):
        return estimator._validate_data(X, y, reset=reset, **kw)

from .moves import LEVELS, rate  # noqa: F401 - re-exported: the model's API

# Everything a severity-v2 file may contain beyond skops' defaults (checked by a test).
TRUSTED_TYPES = [
    "auditor.severity.model.SeverityClassifier",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._forest.RandomForestClassifier",
    "sklearn.feature_extraction._dict_vectorizer.DictVectorizer",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.pipeline.Pipeline",
    "sklearn.tree._classes.DecisionTreeClassifier",
    "sklearn.tree._tree.Tree",
    "builtins.float",
    "builtins.int",
    "builtins.str",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
]


class SeverityClassifier(ClassifierMixin, BaseEstimator):
    """A small random forest with calibrated probabilities, robust to rare classes.

    Every split may use every feature (``max_features=None``): the data are nearly noise-free and a
    move is rare, so a split should take the feature that explains it (the rule's ``headline``
    fact), not whichever feature a random subset happens to offer.

    Calibration uses stratified folds: as many as the rarest class allows (at most ``cv``), and
    none when a class has a single example, so that a tiny or lopsided corpus still fits.
    """

    def __init__(self, n_estimators: int = 25, max_depth: int | None = 8, min_samples_leaf: int = 3,
                 max_features: float | str | None = None, cv: int = 3, method: str = "sigmoid",
                 random_state: int = 0):
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.cv = cv
        self.method = method
        self.random_state = random_state

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        if self.method not in ("sigmoid", "isotonic"):
            raise ValueError(f"method must be 'sigmoid' or 'isotonic', got {self.method!r}")
        if self.cv < 2:
            raise ValueError(f"cv must be at least 2, got {self.cv}")
        self.classes_, counts = np.unique(y, return_counts=True)
        forest = RandomForestClassifier(n_estimators=self.n_estimators, max_depth=self.max_depth,
                                        min_samples_leaf=self.min_samples_leaf, max_features=self.max_features,
                                        random_state=self.random_state,
                                        n_jobs=1)
        folds = int(min(self.cv, counts.min()))
        if len(self.classes_) > 1 and folds >= 2:
            splitter = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
            self.estimator_ = CalibratedClassifierCV(forest, method=self.method, cv=splitter, ensemble=False)
        else:
            self.estimator_ = forest
        self.estimator_.fit(X, y)
        self.calibrated_ = self.estimator_ is not forest
        return self

    def predict_proba(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.estimator_.predict_proba(X)

    def predict(self, X):
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def build_model(random_state: int = 0, **params) -> Pipeline:
    return Pipeline([("features", DictVectorizer(sparse=False, sort=True)),
                     ("classify", SeverityClassifier(random_state=random_state, **params))])


# ---------------------------------------------------------------- files

def dump_model(model: Pipeline, path: str | Path) -> Path:
    import zipfile

    import skops.io as sio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(model, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    from .compiled import without_timestamps

    return without_timestamps(path)


def load_model(path: str | Path) -> Pipeline:
    """Load a skops file, trusting only ``TRUSTED_TYPES``; raises ModelError on anything else."""
    import skops.io as sio

    from .. import errors

    try:
        model = sio.load(Path(path), trusted=TRUSTED_TYPES)
    except Exception as exc:  # noqa: BLE001 - every failure is the same to the caller: no model
        raise errors.E301(path=path, error=f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(model, Pipeline) or not set(model.classes_) <= set(LEVELS):
        raise errors.E302(path=path)
    return model
