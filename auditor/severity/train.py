"""Train the severity model on a generated corpus (``auditor train``), deterministically.

Each generated report is audited with rule severities; every finding that matches a gold finding
(the harness's matching rule) is labelled with the move from its rule's severity to the gold one
(down, keep, up). Same seed, same predictions.
A held-out split generated with ``TEST_SEED`` (never used while developing) gives the model card's
figures.
"""
from __future__ import annotations

import os
import platform
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..evaluation import SEVERITY_LABELS, EvalResult, assign, score
from .compiled import load_compiled, save_compiled, verify
from .model import build_model, dump_model, load_model, move_label, rate
from .store import COMPILED_SUFFIX, MODEL_FILE, MODEL_NAME, repo_models_dir

TEST_SEED = 271828  # held-out split: used only to write the model card (earlier 730523, 20261127, 61023: each since used in development)
N_TEST = 200
REPORT_LIMIT_S = 10.0


@dataclass(frozen=True)
class Audited:
    """One generated report after the checks, before the severity stage."""

    name: str
    gold: dict
    findings: tuple = ()
    features: tuple = ()
    tables: dict = field(default_factory=dict)
    coverage: dict = field(default_factory=dict)
    error: str | None = None

    def contract(self, findings=None) -> dict:
        if self.error:
            return {"error": self.error}
        return {"findings": [f.to_dict() for f in (self.findings if findings is None else findings)],
                "tables": self.tables, "coverage": self.coverage}


@dataclass(frozen=True)
class TrainResult:
    path: Path
    card: Path | None
    examples: int
    label_counts: dict
    seconds: float
    size_bytes: int
    load_ms: float
    heldout: dict | None
    compiled_diff: float = 0.0


def generate(out_dir: Path, n: int, seed: int) -> list[Path]:
    from ..synth import generate_corpus

    return [Path(p) for p in generate_corpus(out_dir, n, seed, pairs=True)]


class _TooSlow(BaseException):  # not an Exception: no `except Exception` in the pipeline may swallow it
    pass


def _too_slow(signum, frame):
    raise _TooSlow


def audit_generated(path: Path, limit_s: float = REPORT_LIMIT_S) -> Audited:
    """Audit one generated report with rule severities; a report slower than ``limit_s`` (a
    pathological input, normally ~0.1 s) is an error entry, so one report cannot stall training."""
    import json
    import signal
    import threading

    gold = json.loads(Path(str(path) + ".gold.json").read_text(encoding="utf-8"))
    gold.setdefault("report", path.name)
    timed = limit_s > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if timed:
        old = signal.signal(signal.SIGALRM, _too_slow)
        signal.setitimer(signal.ITIMER_REAL, limit_s)
    try:
        return _audit(path, gold)
    except _TooSlow:
        return Audited(path.name, gold, error=f"超过 {limit_s:.0f} 秒未完成")
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def _audit(path: Path, gold: dict) -> Audited:
    from ..ingest import read_document
    from ..pipeline import audit_document
    from .features import finding_features

    try:
        previous = read_document(path.with_name(gold["previous"])) if gold.get("previous") else None
        report = audit_document(read_document(path), previous=previous, severity_model=False)
    except Exception as exc:  # noqa: BLE001 - a report the auditor cannot read teaches nothing
        return Audited(path.name, gold, error=f"{type(exc).__name__}: {exc}")
    return Audited(path.name, gold, tuple(report.findings),
                   tuple(finding_features(f, report.format) for f in report.findings), report.tables, report.coverage)


def audit_all(paths: list[Path], jobs: int | None = None) -> list[Audited]:
    """Audit in report order; with ``jobs`` > 1 in forked workers (results identical to serial)."""
    import multiprocessing as mp

    jobs = min(2, os.cpu_count() or 1) if jobs is None else jobs
    if jobs <= 1 or len(paths) < 16 or "fork" not in mp.get_all_start_methods():
        return [audit_generated(p) for p in paths]
    first = audit_generated(paths[0])  # loads the pipeline before forking, so no worker pays for it
    with mp.get_context("fork").Pool(jobs) as pool:
        return [first] + pool.map(audit_generated, paths[1:], chunksize=8)


def matched(audited: list[Audited]):
    """(features, rule severity, gold severity) of each finding that matches a gold finding."""
    for a in audited:
        if a.error:
            continue
        gold_findings = a.gold.get("findings", [])
        hits = assign([f.to_dict() for f in a.findings], gold_findings)
        for gi, pi in sorted(hits.items(), key=lambda kv: kv[1]):
            sev = gold_findings[gi].get("severity")
            if sev in SEVERITY_LABELS:
                yield a.features[pi], a.findings[pi].severity, sev


def labelled(audited: list[Audited]) -> tuple[list[dict], list[str]]:
    """Features and move labels (gold severity against the rule's): the training set."""
    X, y = [], []
    for feats, rule_sev, gold_sev in matched(audited):
        X.append(feats)
        y.append(move_label(rule_sev, gold_sev))
    return X, y


def heldout_figures(model, audited: list[Audited]) -> dict:
    rules = score((a.contract(), a.gold) for a in audited)
    learned = score((a.contract(rate(model, list(a.findings), list(a.features))), a.gold) for a in audited)
    return {"reports": len(audited), "rules": rules, "model": learned}


def default_out() -> Path:
    """The repository's models/ folder in a source tree or editable install, else ./models."""
    repo = repo_models_dir()
    return (repo if repo.parent.joinpath("pyproject.toml").is_file() else Path("models")) / MODEL_FILE


def train_model(out: str | Path | None = None, seed: int = 20211, n: int = 600, *, test_seed: int = TEST_SEED,
                n_test: int = N_TEST, card: bool = True, jobs: int | None = None) -> TrainResult:
    """Generate ``n`` reports from ``seed``, fit, write the skops file and (with ``card``) the model card
    with figures on ``n_test`` held-out reports from ``test_seed``."""
    t0 = time.perf_counter()
    out = Path(out) if out else default_out()
    with tempfile.TemporaryDirectory(prefix="auditor-train-") as tmp:
        audited = audit_all(generate(Path(tmp), n, seed), jobs)
    X, y = labelled(audited)
    if not y:
        raise ValueError("生成语料中没有与标注匹配的问题，无法训练")
    model = build_model(random_state=seed).fit(X, y)
    dump_model(model, out)
    seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    reloaded = load_model(out)
    load_ms = (time.perf_counter() - t1) * 1000
    compiled_path = save_compiled(reloaded, out, out.with_suffix(COMPILED_SUFFIX))
    compiled_diff = verify(reloaded, load_compiled(compiled_path, out), X)
    heldout = None
    if n_test:
        with tempfile.TemporaryDirectory(prefix="auditor-test-") as tmp:
            heldout = {**heldout_figures(model, audit_all(generate(Path(tmp), n_test, test_seed), jobs)),
                       "seed": test_seed}
    result = TrainResult(out, None, len(y), dict(sorted(Counter(y).items())), seconds, out.stat().st_size,
                         load_ms, heldout, compiled_diff)
    if card:
        result = replace(result, card=out.with_suffix(".md"))
        result.card.write_text(model_card(result, seed=seed, n=n, audited=audited, model=model,
                                          total=time.perf_counter() - t0), encoding="utf-8")
    print(f"{out}: {len(y)} 个训练样本，训练 {seconds:.1f} 秒，共 {time.perf_counter() - t0:.1f} 秒，"
          f"{result.size_bytes / 1024:.0f} KiB，加载 {load_ms:.0f} 毫秒；"
          f"{compiled_path.name} 与模型在训练样本上的最大概率差 {compiled_diff:.1g}")
    return result


# ---------------------------------------------------------------- model card

def _families(r: EvalResult) -> dict:
    fams: dict = {}
    for check, c in r.per_check.items():
        fam = check.split(".", 1)[0]
        fams[fam] = fams.get(fam, type(c)()) + c
    return dict(sorted(fams.items()))


def _versions() -> str:
    import numpy
    import scipy
    import sklearn
    import skops

    return (f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}, skops {skops.__version__}, "
            f"numpy {numpy.__version__}, scipy {scipy.__version__}")


def model_card(result: TrainResult, *, seed: int, n: int, audited: list[Audited], model, total: float) -> str:
    gold_by_check: dict = {}
    moves_by_check: dict = {}
    for feats, rule_sev, gold_sev in matched(audited):
        gold_by_check.setdefault(feats["check"], Counter())[gold_sev] += 1
        moves_by_check.setdefault(feats["check"], Counter())[move_label(rule_sev, gold_sev)] += 1
    clf = model.named_steps["classify"]
    lines = [
        f"# {MODEL_NAME}: severity model card", "",
        "Predicts whether a finding's severity should move one level down, stay, or move one level up from the "
        "severity its rule gave it, with a calibrated probability (`severity_score`). Predicting the move rather "
        "than the level enforces the contract's one-level rule and keeps the rule's severity wherever training "
        "showed no reason to move.", "",
        "## Data", "",
        f"- Training corpus: `auditor.synth.generate_corpus(dir, n={n}, seed={seed}, pairs=True)`, audited with rule "
        f"severities; {sum(1 for a in audited if a.error)} of {len(audited)} reports failed to audit.",
        f"- Examples: the {result.examples} predicted findings that match a gold finding; label = gold severity "
        f"against the rule's ({', '.join(f'{k} {v}' for k, v in result.label_counts.items())}). "
        "Unmatched predictions are not used.", "",
        "| check | gold " + " | gold ".join(SEVERITY_LABELS) + " | down | keep | up |", "|---" * 8 + "|"]
    for check in sorted(gold_by_check):
        g, m = gold_by_check[check], moves_by_check[check]
        lines.append(f"| {check} | " + " | ".join(str(g.get(x, 0)) for x in SEVERITY_LABELS) + " | "
                     + " | ".join(str(m.get(x, 0)) for x in ("down", "keep", "up")) + " |")
    lines += ["", "## Model", "",
              f"- `Pipeline(DictVectorizer(sparse=False), SeverityClassifier({', '.join(f'{k}={v!r}' for k, v in clf.get_params().items())}))`: "
              "a random forest, sigmoid-calibrated on stratified folds (CalibratedClassifierCV, ensemble=False).",
              f"- Features ({len(model.named_steps['features'].feature_names_)} after one-hot; `auditor/severity/features.py`): "
              "code, check, family, rule severity, report format, table, row level (headline/category/item), "
              "column level (total/part), number of cells and quotes, the rule's recorded facts (kind, headline, "
              "rounding_only, exhaustive, verifiable, similarity, label score…), "
              "absolute/relative/log discrepancy between stated and expected, zero flags, rounding-only flag, "
              "approximation cue (约、近、余…), text cues (其中/共/较上年/%/全部).",
              f"- File: `{MODEL_FILE}`, {result.size_bytes / 1024:.0f} KiB, skops format, loaded with an explicit trusted-type list "
              f"in {result.load_ms:.0f} ms (after imports); training took {result.seconds:.1f} s "
              f"(generation, audit in {min(2, os.cpu_count() or 1)} processes, fit, write), {total:.0f} s with the held-out figures.",
              f"- Runtime: `{MODEL_NAME}{COMPILED_SUFFIX}`, the same forest and calibrators compiled to numpy arrays "
              "(`auditor/severity/compiled.py`, read with `allow_pickle=False`, tied to the skops file by its SHA-256), "
              f"predicts without importing scikit-learn; largest probability difference from the pipeline on the "
              f"training examples {result.compiled_diff:.1g}. `AUDITOR_SEVERITY_RUNTIME=skops` uses the skops file instead.",
              f"- Libraries: {_versions()}.", ""]
    h = result.heldout
    if h:
        rules, learned = h["rules"], h["model"]
        lines += ["## Held-out figures", "",
                  f"Generated split of {h['reports']} reports with seed {h['seed']} (never used in development); "
                  "detection does not depend on the model except that `info` findings never count as false positives.", "",
                  "| family | tp | fp | fn | precision | recall | F1 |", "|---|---|---|---|---|---|---|"]
        for fam, c in _families(learned).items():
            lines.append(f"| {fam} | {c.tp} | {c.fp} | {c.fn} | {c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} |")
        o = learned.overall
        lines.append(f"| **all** | {o.tp} | {o.fp} | {o.fn} | {o.precision:.3f} | {o.recall:.3f} | {o.f1:.3f} |")
        lines += ["", "| severity over matched findings | rule severities | model (±1 level) |", "|---|---|---|",
                  f"| accuracy | {rules.severity_accuracy:.3f} | {learned.severity_accuracy:.3f} |",
                  f"| macro-F1 | {rules.severity_macro_f1:.3f} | {learned.severity_macro_f1:.3f} |", "",
                  "Confusion (model; rows gold, columns predicted):", "",
                  "| gold \\ pred | " + " | ".join(SEVERITY_LABELS) + " |", "|---" * (len(SEVERITY_LABELS) + 1) + "|"]
        for label, row in zip(SEVERITY_LABELS, learned.severity_confusion):
            lines.append(f"| {label} | " + " | ".join(map(str, row)) + " |")
    lines += ["", "## Limits", "",
              "- Trained only on generated reports: its severities follow the generator's gold, which follows "
              "`models/severity-guideline.md`; real reports may show cues the generator does not.",
              "- Retrain with `auditor train` after any change to the checks, features or generator."]
    return "\n".join(lines) + "\n"
