"""The fitted severity pipeline compiled to plain numpy arrays, for prediction without scikit-learn.

Importing scikit-learn, SciPy and skops costs 1.5–2.5 s of a one-report run while the prediction
itself is a few dozen tree lookups. So ``auditor train`` writes, next to ``severity-v2.skops`` (the
model of record), ``severity-v2.npz``: the DictVectorizer vocabulary, the forest's node arrays and
the sigmoid calibrators, plus the SHA-256 of the skops file it came from. ``CompiledSeverity``
reproduces ``Pipeline.predict_proba`` step by step (float32 features into the trees as scikit-learn
does, trees summed in order, one-vs-rest sigmoids normalised); ``verify`` checks the two agree on
given feature rows, and the store uses the arrays only when their recorded hash matches the skops
file beside them. The archive holds numeric and fixed-width string arrays only and is read with
``allow_pickle=False``.
"""
from __future__ import annotations

import hashlib
import json
from numbers import Number
from pathlib import Path

import numpy as np

FORMAT = "auditor-severity-compiled/1"


def sha256_of(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class CompiledSeverity:
    """``predict_proba(list of feature dicts)`` and ``classes_``, as the fitted pipeline has them."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict):
        self.meta = meta
        self.classes_ = np.array(meta["classes"])
        self.separator = meta["separator"]
        self.vocabulary = {str(name): i for i, name in enumerate(arrays["feature_names"])}
        self.roots = arrays["roots"]
        self.left, self.right = arrays["left"], arrays["right"]
        self.feature = np.where(arrays["feature"] < 0, 0, arrays["feature"])  # leaves: any valid column
        self.threshold = arrays["threshold"]
        value = arrays["value"]
        norm = value.sum(axis=1, keepdims=True)
        norm[norm == 0.0] = 1.0
        self.leaf_proba = value / norm
        self.depth = int(meta["max_depth"])
        self.forest_classes = arrays["forest_class_index"]  # column of each forest class in classes_
        self.sigmoid = arrays["sigmoid"] if "sigmoid" in arrays else None  # (a, b) per forest class

    # ----------------------------------------------------------------- the pipeline's steps
    def vectorize(self, rows: list[dict]) -> np.ndarray:
        """DictVectorizer(sparse=False).transform: strings one-hot as name=value, numbers as they are."""
        x = np.zeros((len(rows), len(self.vocabulary)))
        for i, row in enumerate(rows):
            for key, value in row.items():
                if isinstance(value, str):
                    key, value = f"{key}{self.separator}{value}", 1.0
                elif not isinstance(value, Number):
                    raise TypeError(f"feature {key!r} has a {type(value).__name__} value")
                j = self.vocabulary.get(key)
                if j is not None:
                    x[i, j] = value
        return x

    def forest_proba(self, x: np.ndarray) -> np.ndarray:
        x32 = x.astype(np.float32)  # the trees compare float32 features with float64 thresholds
        rows = np.arange(len(x))[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        for _ in range(self.depth):
            leaf = self.left[node] < 0
            if leaf.all():
                break
            go_left = x32[rows, self.feature[node]] <= self.threshold[node]
            node = np.where(leaf, node, np.where(go_left, self.left[node], self.right[node]))
        total = np.zeros((len(x), self.leaf_proba.shape[1]))
        for t in range(len(self.roots)):  # in tree order, as the forest accumulates them
            total += self.leaf_proba[node[:, t]]
        return total / len(self.roots)

    def predict_proba(self, rows: list[dict]) -> np.ndarray:
        forest = self.forest_proba(self.vectorize(rows))
        if self.sigmoid is None:
            return forest
        n_classes = len(self.classes_)
        proba = np.zeros((len(forest), n_classes))
        columns = forest[:, 1:] if n_classes == 2 else forest
        for k, (a, b) in enumerate(self.sigmoid):
            index = self.forest_classes[k] + (1 if n_classes == 2 else 0)
            proba[:, index] = 1.0 / (1.0 + np.exp(a * columns[:, k] + b))
        if n_classes == 2:
            proba[:, 0] = 1.0 - proba[:, 1]
        else:
            denominator = proba.sum(axis=1)[:, None]
            proba = np.divide(proba, denominator, out=np.full_like(proba, 1 / n_classes), where=denominator != 0)
        proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba


# --------------------------------------------------------------------- compile, save, load

def compile_pipeline(pipeline) -> tuple[dict[str, np.ndarray], dict]:
    """Arrays and metadata of a fitted ``Pipeline(DictVectorizer, SeverityClassifier)``."""
    vectorizer, classifier = pipeline.named_steps["features"], pipeline.named_steps["classify"]
    estimator = classifier.estimator_
    if classifier.calibrated_:
        (calibrated,) = estimator.calibrated_classifiers_  # ensemble=False: one, fitted on all data
        if calibrated.method != "sigmoid":
            raise ValueError(f"only sigmoid calibration compiles, not {calibrated.method!r}")
        forest = calibrated.estimator
        sigmoid = np.array([[c.a_, c.b_] for c in calibrated.calibrators], dtype=np.float64)
        encoded = {label: i for i, label in enumerate(calibrated.classes)}
    else:
        forest, sigmoid = estimator, None
        encoded = {label: i for i, label in enumerate(classifier.classes_)}
    trees = [e.tree_ for e in forest.estimators_]
    offsets = np.cumsum([0] + [t.node_count for t in trees])

    def stacked(attr: str, shift: bool = False) -> np.ndarray:
        parts = []
        for t, off in zip(trees, offsets):
            a = getattr(t, attr)
            parts.append(np.where(a >= 0, a + off, a) if shift else a)
        return np.concatenate(parts)

    arrays = {
        "feature_names": np.array(vectorizer.feature_names_, dtype=str),
        "roots": offsets[:-1].astype(np.int64),
        "left": stacked("children_left", shift=True).astype(np.int64),
        "right": stacked("children_right", shift=True).astype(np.int64),
        "feature": stacked("feature").astype(np.int64),
        "threshold": stacked("threshold").astype(np.float64),
        "value": np.concatenate([t.value[:, 0, :forest.n_classes_] for t in trees]).astype(np.float64),
        "forest_class_index": np.array([encoded[c] for c in forest.classes_], dtype=np.int64),
    }
    if sigmoid is not None:
        arrays["sigmoid"] = sigmoid
    meta = {"format": FORMAT, "classes": [str(c) for c in classifier.classes_], "separator": vectorizer.separator,
            "max_depth": max(int(t.max_depth) for t in trees) + 1}
    return arrays, meta


def without_timestamps(path: str | Path) -> Path:
    """Rewrite a zip archive (skops, npz) with every entry dated 1980-01-01, in the same order and
    compression: the same model gives the same bytes whenever it is written."""
    import io
    import zipfile

    import re

    path = Path(path)
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    # skops names its arrays by the id() of the Python object: renamed in order, and the schema with them
    renamed = {info.filename: f"{k:05d}.npy" for k, (info, _) in enumerate(entries)
               if re.fullmatch(r"\d{6,}\.npy", info.filename)}
    if renamed:
        fixed_entries = []
        for info, data in entries:
            if info.filename == "schema.json":
                ids: dict[str, int] = {}  # object ids that tie shared references: numbered in order instead
                text = re.sub(r'"(\d{6,}\.npy)"', lambda m: f'"{renamed.get(m.group(1), m.group(1))}"', data.decode("utf-8"))
                text = re.sub(r'"__id__": (\d+)', lambda m: f'"__id__": {ids.setdefault(m.group(1), len(ids) + 1)}', text)
                data = text.encode("utf-8")
            info.filename = renamed.get(info.filename, info.filename)
            fixed_entries.append((info, data))
        entries = fixed_entries
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16
            out.writestr(fixed, data, compresslevel=9 if info.compress_type == zipfile.ZIP_DEFLATED else None)
    path.write_bytes(buf.getvalue())
    return path


def save_compiled(pipeline, skops_path: str | Path, out: str | Path) -> Path:
    arrays, meta = compile_pipeline(pipeline)
    meta["source"] = Path(skops_path).name
    meta["source_sha256"] = sha256_of(skops_path)
    out = Path(out)
    with out.open("wb") as fh:
        np.savez_compressed(fh, meta=np.array(json.dumps(meta, sort_keys=True)), **arrays)
    return without_timestamps(out)


def load_compiled(path: str | Path, skops_path: str | Path | None = None) -> CompiledSeverity:
    """Read the arrays (never pickled objects); with ``skops_path``, refuse a stale compilation."""
    with np.load(Path(path), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays.pop("meta")))
    if meta.get("format") != FORMAT:
        raise ValueError(f"unknown compiled severity format {meta.get('format')!r}")
    if skops_path is not None and meta.get("source_sha256") != sha256_of(skops_path):
        raise ValueError(f"{Path(path).name} was compiled from another {Path(skops_path).name}")
    return CompiledSeverity(arrays, meta)


def verify(pipeline, compiled: CompiledSeverity, rows: list[dict], tol: float = 1e-9) -> float:
    """Largest absolute difference between the two on ``rows``; raises if it exceeds ``tol``."""
    if not rows:
        return 0.0
    if list(compiled.classes_) != [str(c) for c in pipeline.classes_]:
        raise ValueError("compiled classes differ from the pipeline's")
    diff = float(np.abs(pipeline.predict_proba(rows) - compiled.predict_proba(rows)).max())
    if diff > tol:
        raise ValueError(f"compiled severity model differs from the pipeline by {diff:.3g}")
    return diff
