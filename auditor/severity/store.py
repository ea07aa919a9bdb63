"""Where the severity model file is, and the once-per-process cache (cheap: no scikit-learn import
until a file is actually there to load).

Looked for in order, first hit wins: ``$AUDITOR_SEVERITY_MODEL``; ``auditor/models/`` inside the
installed package (package-data ``models/*``: a wheel build must copy the file there); the
repository's ``models/`` folder (editable installs and the source tree, where ``auditor train`` writes).

The skops file is the model of record. Beside it, ``auditor train`` writes its compilation to numpy
arrays (``severity-v2.npz``, see ``compiled.py``), which predicts identically without importing
scikit-learn; it is used when its recorded SHA-256 matches the skops file. Otherwise, or with
``AUDITOR_SEVERITY_RUNTIME=skops``, the skops file is loaded with its trusted-type list.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

MODEL_NAME = "severity-v2"
MODEL_FILE = f"{MODEL_NAME}.skops"
COMPILED_SUFFIX = ".npz"
META_SUFFIX = ".json"  # beside the model: the families where it beat the guideline, and its CV figures
ENV_VAR = "AUDITOR_SEVERITY_MODEL"
RUNTIME_VAR = "AUDITOR_SEVERITY_RUNTIME"  # "compiled" (default) or "skops"


def candidate_paths() -> list[Path]:
    paths = [Path(os.environ[ENV_VAR])] if os.environ.get(ENV_VAR) else []
    here = Path(__file__).resolve().parent
    return paths + [here.parent / "models" / MODEL_FILE, here.parents[1] / "models" / MODEL_FILE]


def repo_models_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "models"


@dataclass(frozen=True)
class LoadedModel:
    model: object | None  # a fitted sklearn Pipeline, or its CompiledSeverity
    path: Path | None
    warning: str | None
    seconds: float = 0.0
    runtime: str | None = None  # "compiled" or "skops"
    families: tuple[str, ...] = ()  # where the model decides; elsewhere the guideline does


def _families(path: Path) -> tuple[str, ...]:
    import json

    meta = path.with_suffix(META_SUFFIX)
    try:
        return tuple(json.loads(meta.read_text(encoding="utf-8")).get("model_families", ()))
    except (OSError, ValueError):
        return ()


_CACHE: dict[str, LoadedModel] = {}


def _load_compiled(path: Path) -> LoadedModel | None:
    compiled = path.with_suffix(COMPILED_SUFFIX)
    if os.environ.get(RUNTIME_VAR, "compiled") != "compiled" or not compiled.is_file():
        return None
    try:
        from .compiled import load_compiled

        return LoadedModel(load_compiled(compiled, path), path, None, runtime="compiled")
    except Exception:  # noqa: BLE001 - stale or damaged: the skops file still decides
        return None


def _load() -> LoadedModel:
    path = next((p for p in candidate_paths() if p.is_file()), None)
    if path is None:
        return LoadedModel(None, None, f"未找到严重程度模型文件 {MODEL_FILE}，严重程度按指南给出")
    fast = _load_compiled(path)
    if fast is not None:
        return fast
    try:
        from .model import load_model

        return LoadedModel(load_model(path), path, None, runtime="skops")
    except Exception as exc:  # noqa: BLE001 - any failure means: no model, say so
        return LoadedModel(None, path, f"{exc}；严重程度按指南给出")


def get_model() -> LoadedModel:
    """The default model, loaded once per process (a failure is cached too, with its warning)."""
    if "default" not in _CACHE:
        t0 = time.perf_counter()
        loaded = _load()
        _CACHE["default"] = LoadedModel(loaded.model, loaded.path, loaded.warning, time.perf_counter() - t0,
                                        loaded.runtime, _families(loaded.path) if loaded.model is not None else ())
    return _CACHE["default"]


def clear_cache() -> None:
    _CACHE.clear()
