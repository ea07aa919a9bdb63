"""Train the severity model (``auditor train``) on findings of real reports labeled by their gold.

Examples: every candidate finding the rules raise on the real corpora (``../shared/corpora/real``
with its gold, ``../shared/corpora/wild`` with the project's gold in ``eval/gold/wild``), labeled with
the gold severity of the finding it matches, or ``info`` ("not an error") when it matches none;
a candidate that only matches a ``may_flag`` entry is left out. Generated reports add examples at an
explicit share (their gold follows the same guideline, so they teach the common cases, and their
glued layouts give "not an error" examples too).

Evaluation that cannot flatter it: cross-validation grouped by agency (no agency in both train and
test), scored on real examples only, against the family defaults and the hand-written guideline.
The model decides only in the families where it did at least as well as the guideline there;
elsewhere the guideline stands. Same seed and corpora, same files byte for byte.
"""
from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from auditor.severity.compiled import load_compiled, save_compiled, verify
from auditor.severity.model import build_model, dump_model, load_model
from auditor.severity.store import COMPILED_SUFFIX, META_SUFFIX, MODEL_FILE, MODEL_NAME, repo_models_dir

from .evaluation import SEVERITY_LABELS, corpus_reports, matches

GENERATED_SHARE = 2  # at most this many generated examples per real one (every k-th, in report order)
N_GENERATED = 300
CV_FOLDS = 5


@dataclass(frozen=True)
class Example:
    features: dict
    label: str  # gold severity, or "info" for a candidate that is not an error
    family_default: str
    guideline: str
    check: str
    group: str  # the agency: folds never split one
    source: str  # "real" or "generated"

    @property
    def family(self) -> str:
        return self.check.split(".", 1)[0]


def default_corpora() -> list[tuple[str, Path, Path | None]]:
    """(name, reports, gold folder or None for gold beside the reports) of the real corpora."""
    repo = repo_models_dir().parent
    shared = repo.parent / "shared" / "corpora"
    return [("real", shared / "real", None), ("wild", shared / "wild", repo / "eval" / "gold" / "wild")]


def _agency(gold: dict, report: Path) -> str:
    name = report.name.split(".")[0]
    stem = name.split("-")[0].split("_")[0]
    return str(gold.get("agency") or stem)


def examples_from(reports: Path, gold_dir: Path | None, source: str) -> list[Example]:
    from auditor.ingest import read_document
    from auditor.pipeline import audit_document
    from auditor.severity.features import finding_features
    from auditor.severity.guideline import DEFAULTS, guideline_severity

    out: list[Example] = []
    for report, gpath in corpus_reports(reports, gold_dir):
        gold = json.loads(gpath.read_text(encoding="utf-8"))
        previous = reports / gold["previous"] if gold.get("previous") else None
        try:
            audited = audit_document(read_document(report), previous=read_document(previous) if previous else None,
                                     severity_model=False)
        except Exception:  # noqa: BLE001 - a report the auditor cannot read teaches nothing
            continue
        findings = [f.with_(severity=DEFAULTS[f.check]) for f in audited.findings]
        preds = [f.to_dict() for f in findings]
        golds = gold.get("findings", [])
        label_of: dict[int, str] = {}
        for g in golds:  # greedy, in gold order, as the harness matches
            pi = next((i for i, p in enumerate(preds) if i not in label_of and matches(p, g)), None)
            if pi is not None:
                label_of[pi] = g.get("severity", "info")
        group = _agency(gold, report)
        for i, f in enumerate(findings):
            if i not in label_of and any(matches(preds[i], m) for m in gold.get("may_flag", [])):
                continue  # allowed either way: no label
            out.append(Example(finding_features(f, audited.format), label_of.get(i, "info"), DEFAULTS[f.check],
                               guideline_severity(f), f.check, group, source))
    return out


def generated_examples(n: int, seed: int) -> list[Example]:
    from .generator import generate_corpus

    with tempfile.TemporaryDirectory(prefix="auditor-train-") as tmp:
        generate_corpus(Path(tmp), n, seed, pairs=True)
        return examples_from(Path(tmp), None, "generated")


def _fit(examples: list[Example], seed: int):
    return build_model(random_state=seed).fit([e.features for e in examples], [e.label for e in examples])


def _share(generated: list[Example], n_real: int) -> list[Example]:
    """Every k-th generated example, so that they number at most GENERATED_SHARE per real one."""
    cap = GENERATED_SHARE * n_real
    if len(generated) <= cap:
        return generated
    step = len(generated) / cap
    return [generated[int(i * step)] for i in range(cap)]


# ------------------------------------------------------------------------------ evaluation

def _figures(pairs: list[tuple[str, str]]) -> dict:
    """accuracy, macro-F1 over the labels present, and the findings' precision/recall by the
    harness's rule (an ``info`` neither finds an error nor counts as a false one)."""
    n = len(pairs)
    acc = sum(a == b for a, b in pairs) / n if n else 0.0
    f1s = []
    for lab in SEVERITY_LABELS:
        tp = sum(1 for g, p in pairs if g == lab and p == lab)
        gold_n, pred_n = sum(g == lab for g, _ in pairs), sum(p == lab for _, p in pairs)
        if gold_n or pred_n:
            f1s.append(2 * tp / (gold_n + pred_n))
    tp = sum(1 for g, p in pairs if g != "info" and p != "info")
    fp = sum(1 for g, p in pairs if g == "info" and p != "info")
    fn = sum(1 for g, p in pairs if g != "info" and p == "info")
    return {"n": n, "accuracy": round(acc, 4), "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
            "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0}


def grouped_cv(real: list[Example], generated: list[Example], seed: int) -> dict:
    """Predictions for every real example from a model that never saw its agency."""
    from sklearn.model_selection import GroupKFold

    groups = [e.group for e in real]
    folds = min(CV_FOLDS, len(set(groups)))
    predicted: list[str | None] = [None] * len(real)
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(real, groups=groups):
        model = _fit([real[i] for i in train_idx] + generated, seed)
        for i, p in zip(test_idx, model.predict([real[i].features for i in test_idx])):
            predicted[i] = str(p)
    rows: dict = {}
    for fam in sorted({e.family for e in real}) + ["all"]:
        idx = [i for i, e in enumerate(real) if fam in ("all", e.family)]
        rows[fam] = {
            "family_default": _figures([(real[i].label, real[i].family_default) for i in idx]),
            "guideline": _figures([(real[i].label, real[i].guideline) for i in idx]),
            "model": _figures([(real[i].label, predicted[i]) for i in idx]),
            "model_differs_from_default": sum(predicted[i] != real[i].family_default for i in idx),
            "model_differs_from_guideline": sum(predicted[i] != real[i].guideline for i in idx),
        }
    return {"folds": folds, "groups": len(set(groups)), "families": rows}


def model_families(cv: dict) -> list[str]:
    """Families where the model did at least as well as the guideline on every figure."""
    out = []
    for fam, r in cv["families"].items():
        if fam == "all":
            continue
        m, g = r["model"], r["guideline"]
        if all(m[k] >= g[k] for k in ("accuracy", "macro_f1", "precision", "recall")):
            out.append(fam)
    return out


# ------------------------------------------------------------------------------ training

@dataclass(frozen=True)
class TrainResult:
    path: Path
    card: Path
    meta: Path
    examples: dict
    seconds: float


def default_out() -> Path:
    repo = repo_models_dir()
    return (repo if repo.parent.joinpath("pyproject.toml").is_file() else Path("models")) / MODEL_FILE


def train_model(out: str | Path | None = None, seed: int = 20211, n: int = N_GENERATED,
                corpora: list[tuple[str, Path, Path | None]] | None = None) -> TrainResult:
    t0 = time.perf_counter()
    out = Path(out) if out else default_out()
    corpora = default_corpora() if corpora is None else corpora
    missing = [str(d) for _, d, _ in corpora if not d.is_dir()]
    if missing:
        raise FileNotFoundError(f"训练需要真实报告语料及其标注：未找到 {', '.join(missing)}")
    real: list[Example] = []
    for _, reports, gold_dir in corpora:
        real += examples_from(reports, gold_dir, "real")
    generated = _share(generated_examples(n, seed), len(real)) if n else []
    cv = grouped_cv(real, generated, seed)
    model = _fit(real + generated, seed)
    dump_model(model, out)
    reloaded = load_model(out)
    compiled = save_compiled(reloaded, out, out.with_suffix(COMPILED_SUFFIX))
    diff = verify(reloaded, load_compiled(compiled, out), [e.features for e in real + generated])
    counts = {"real": dict(sorted(Counter(e.label for e in real).items())),
              "generated": dict(sorted(Counter(e.label for e in generated).items()))}
    meta = {"model": MODEL_NAME, "seed": seed, "generated_reports": n, "generated_share": GENERATED_SHARE,
            "corpora": [name for name, _, _ in corpora], "examples": counts, "model_families": model_families(cv),
            "cv": cv, "compiled_max_difference": diff, "libraries": _versions()}
    meta_path = out.with_suffix(META_SUFFIX)
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    card = out.with_suffix(".md")
    card.write_text(model_card(model, meta, real, generated), encoding="utf-8")
    seconds = time.perf_counter() - t0
    print(f"{out}: 真实样本 {len(real)} 个、生成样本 {len(generated)} 个；按机构分组交叉验证 {cv['folds']} 折；"
          f"模型用于 {', '.join(meta['model_families']) or '（无）'}；共 {seconds:.1f} 秒")
    return TrainResult(out, card, meta_path, counts, seconds)


# ------------------------------------------------------------------------------ model card

def _versions() -> str:
    import numpy
    import sklearn
    import skops

    return f"scikit-learn {sklearn.__version__}, skops {skops.__version__}, numpy {numpy.__version__}"


def model_card(model, meta: dict, real: list[Example], generated: list[Example]) -> str:
    clf = model.named_steps["classify"]
    by_check = {}
    for e in real:
        by_check.setdefault(e.check, Counter())[e.label] += 1
    lines = [f"# {MODEL_NAME}: severity model card", "",
             "Predicts the severity of a finding the rules raise — high, medium, low, or info (\"worth a look\": "
             "the candidate is unlikely to be an error of the report) — with the probability of the chosen class "
             f"as `severity_score`{' (sigmoid-calibrated on stratified folds)' if clf.calibrated_ else ''}. "
             "Written by `auditor train` from the trained object; rebuilt byte for byte from the same seed and corpora.", "",
             "## Data", "",
             f"- Real examples: every candidate finding the rules raise on {', '.join(meta['corpora'])} "
             "(`../shared/corpora/real` with its gold; `../shared/corpora/wild` with `eval/gold/wild`), labeled with "
             "the severity of the gold finding it matches, `info` when it matches none (not an error); candidates that "
             "only match a `may_flag` entry are left out.",
             f"- Generated examples: {meta['generated_reports']} reports of `auditor_lab.generator` (seed {meta['seed']}, "
             f"pairs), labeled the same way; every k-th is kept so that they number at most {meta['generated_share']} "
             "per real example (weight 1 each): the real ones are at least a third of the training set.", "",
             "| label | real | generated |", "|---|---|---|"]
    for lab in SEVERITY_LABELS:
        lines.append(f"| {lab} | {meta['examples']['real'].get(lab, 0)} | {meta['examples']['generated'].get(lab, 0)} |")
    lines += ["", "Real examples by check (labels):", "", "| check | " + " | ".join(SEVERITY_LABELS) + " |",
              "|---" * (len(SEVERITY_LABELS) + 1) + "|"]
    for check in sorted(by_check):
        lines.append(f"| {check} | " + " | ".join(str(by_check[check].get(x, 0)) for x in SEVERITY_LABELS) + " |")
    lines += ["", "## Model", "",
              f"- Classes: {', '.join(str(c) for c in clf.classes_)}.",
              f"- `Pipeline(DictVectorizer(sparse=False), SeverityClassifier({', '.join(f'{k}={v!r}' for k, v in clf.get_params().items())}))`: "
              "a random forest" + (", sigmoid-calibrated (CalibratedClassifierCV, ensemble=False)." if clf.calibrated_ else
                                   ", not calibrated (a class too rare to calibrate): `severity_score` is the forest's vote share."),
              f"- Features ({len(model.named_steps['features'].feature_names_)} after one-hot; `auditor/severity/features.py`): "
              "check and code, the family default, the guideline's severity, table and row/column level, number of "
              "cells and quotes, the rule's recorded facts (kind, headline, rounding_only, provable, reading_doubt, "
              "label score…), the size of the difference between stated and expected, text cues.",
              "- Runtime: the same forest compiled to numpy arrays (`severity-v2.npz`, `compiled.py`), predicting "
              f"without scikit-learn; largest probability difference from the pipeline on the training rows "
              f"{meta['compiled_max_difference']:.1g}.",
              f"- Libraries: {_versions()}.", "",
              "## Grouped cross-validation on real examples", "",
              f"{meta['cv']['folds']} folds grouped by agency ({meta['cv']['groups']} agencies; no agency in both train and "
              "test); each fold's model also sees the generated examples. Scored on real examples only. "
              "Precision and recall are of the resulting findings by the harness's rule (`info` finds nothing and is "
              "never a false finding).", "",
              "| family | n | predictor | accuracy | macro-F1 | precision | recall | differs from default |",
              "|---|---|---|---|---|---|---|---|"]
    for fam, r in meta["cv"]["families"].items():
        for who in ("family_default", "guideline", "model"):
            f = r[who]
            diff = r["model_differs_from_default"] if who == "model" else ""
            lines.append(f"| {fam} | {f['n']} | {who.replace('_', ' ')} | {f['accuracy']:.3f} | {f['macro_f1']:.3f} | "
                         f"{f['precision']:.3f} | {f['recall']:.3f} | {diff} |")
    fams = meta["model_families"]
    others = [f for f in meta["cv"]["families"] if f != "all" and f not in fams]
    lines += ["", "## Where the model decides", "",
              f"- The model decides in: {', '.join(fams) if fams else 'no family'} (at least as good as the guideline "
              "on every figure above).",
              f"- The guideline decides in: {', '.join(others) if others else 'no family'} (the model did worse there, "
              "or no better than the hand rules warrant trusting it).", "",
              "## Limits: what it must not be used for", "",
              "- Not a detector: it grades the findings the rules raise and cannot find an error the rules missed.",
              f"- Learned from {sum(meta['examples']['real'].values())} real findings of {meta['cv']['groups']} agencies "
              "(and generated ones that follow the guideline); the guideline's own severity is a feature, and on these "
              "examples the model agrees with it. Figures on other agencies' reports may be lower.",
              "- Not for ranking agencies or reports: severities grade single findings, not report quality.",
              "- Retrain with `auditor train` after any change to the checks, the features, the gold or the generator."]
    return "\n".join(lines) + "\n"
