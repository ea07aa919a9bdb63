"""The evaluation harness: run the auditor over a gold corpus and score it.

A corpus is a folder of reports, each FILE with a gold file FILE.gold.json (or STEM.gold.json)::

    {"findings": [{"check", "severity", "quotes": [...], "values": [a, b]?}],
     "may_flag": [{"check": "*" | CHECK, "quotes": [...]} | {"check": CHECK, "any": true}],
     "cells": {"applications.granted.total": 5, ...}, "previous": "FILE"?}

Matching rule (identical to ``shared/tools/score.py``):

* A predicted finding matches a gold one when the checks are equal (gold ``"*"`` matches any
  check) and either a predicted quote (``evidence[].quote`` and ``quote``) overlaps a gold quote —
  one contains the other after NFKC folding with all whitespace removed, either way — or the
  unordered pair (``stated``, ``expected``) equals the gold ``values`` as floats. ``any: true``
  matches every prediction of that check.
* Gold findings are taken in file order; each claims the first unused prediction that matches it
  (a true positive) or is missed (a false negative).
* An unclaimed prediction is a false positive unless its severity is ``info`` or it matches a
  ``may_flag`` entry.
* Cells: every gold cell counts; it is right when both are null or both are numbers within 1e-6.

``score`` is pure (predictions and gold in, figures out); ``run_eval`` runs the auditor in-process
on every report (a report that crashes becomes an error row whose gold findings are all missed),
scores it and writes ``{name}.json``, ``{name}.md`` and ``{name}-severity.png`` to the output folder.
Severity figures are over matched findings only; the flag-nothing baseline (no findings, no cells)
stands beside every detection figure.
"""
from __future__ import annotations

import json
import statistics
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

SEVERITY_LABELS = ("high", "medium", "low", "info")
GOLD_SUFFIX = ".gold.json"


# ---------------------------------------------------------------- matching (as score.py)

def quotes_of(finding: dict) -> list[str]:
    qs = [str(e["quote"]) for e in finding.get("evidence") or [] if e.get("quote")]
    if finding.get("quote"):
        qs.append(str(finding["quote"]))
    return qs


def _fold(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


def _overlap(qs1: list[str], qs2: list[str]) -> bool:
    for a in qs1:
        for b in qs2:
            a2, b2 = _fold(a), _fold(b)
            if a2 and b2 and (a2 in b2 or b2 in a2):
                return True
    return False


def _pair(finding: dict) -> list[float] | None:
    try:
        return sorted([float(finding.get("stated")), float(finding.get("expected"))])
    except (TypeError, ValueError):
        return None


def matches(pred: dict, gold: dict) -> bool:
    """Whether a predicted finding (contract dict) matches a gold or may_flag entry."""
    if gold["check"] != "*" and pred.get("check") != gold["check"]:
        return False
    if gold.get("any"):
        return True
    if _overlap(quotes_of(pred), gold.get("quotes", [])):
        return True
    values = gold.get("values")
    return values is not None and _pair(pred) == sorted(float(x) for x in values)


def assign(preds: list[dict], gold_findings: list[dict]) -> dict[int, int]:
    """Gold index -> prediction index, greedily in gold order (first unused match)."""
    used: dict[int, int] = {}
    taken: set[int] = set()
    for gi, g in enumerate(gold_findings):
        for pi, p in enumerate(preds):
            if pi not in taken and matches(p, g):
                used[gi] = pi
                taken.add(pi)
                break
    return used


def flatten_tables(tables: dict) -> dict:
    flat: dict = {}

    def walk(prefix: str, v) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                walk(f"{prefix}.{k}" if prefix else k, x)
        else:
            flat[prefix] = v

    walk("", tables or {})
    return flat


def _cell_right(got, want) -> bool:
    if got is None or want is None:
        return got is None and want is None
    try:
        return abs(float(got) - float(want)) < 1e-6
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------- figures

@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, o: "Counts") -> "Counts":
        return Counts(self.tp + o.tp, self.fp + o.fp, self.fn + o.fn)

    def to_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass(frozen=True)
class ReportRow:
    report: str
    counts: Counts
    missed: tuple[dict, ...] = ()
    extra: tuple[dict, ...] = ()
    wall_ms: float | None = None
    error: str | None = None

    def to_dict(self) -> dict:
        d = {"report": self.report, **asdict(self.counts), "missed": list(self.missed), "extra": list(self.extra),
             "wall_ms": None if self.wall_ms is None else round(self.wall_ms, 1)}
        if self.error:
            d["error"] = self.error
        return d


@dataclass(frozen=True)
class EvalResult:
    reports: int
    errors: int
    overall: Counts
    per_check: dict[str, Counts]
    severity_confusion: tuple[tuple[int, ...], ...]  # rows gold, columns predicted, in SEVERITY_LABELS order
    coverage: dict[str, int]
    cells_total: int
    cells_right: int
    baseline_cells_right: int  # flag-nothing baseline: no cells read
    timing_ms: dict[str, float]
    rows: tuple[ReportRow, ...] = field(default=())

    @property
    def severity_n(self) -> int:
        return sum(map(sum, self.severity_confusion))

    @property
    def severity_accuracy(self) -> float:
        n = self.severity_n
        return sum(self.severity_confusion[i][i] for i in range(len(SEVERITY_LABELS))) / n if n else 0.0

    @property
    def severity_macro_f1(self) -> float:
        """Mean F1 over the severity labels present among matched findings (gold or predicted)."""
        m = self.severity_confusion
        k = len(SEVERITY_LABELS)
        f1s = []
        for i in range(k):
            gold_i, pred_i = sum(m[i]), sum(m[r][i] for r in range(k))
            if not gold_i and not pred_i:
                continue
            f1s.append(2 * m[i][i] / (gold_i + pred_i))
        return sum(f1s) / len(f1s) if f1s else 0.0

    @property
    def cells_accuracy(self) -> float:
        return self.cells_right / self.cells_total if self.cells_total else 0.0

    @property
    def coverage_ratio(self) -> float:
        ext = self.coverage.get("extracted", 0)
        return self.coverage.get("verified", 0) / ext if ext else 0.0

    def figures(self) -> dict[str, float]:
        """The headline figures, the names used by eval/thresholds.json."""
        o = self.overall
        return {"precision": o.precision, "recall": o.recall, "f1": o.f1,
                "severity_accuracy": self.severity_accuracy, "severity_macro_f1": self.severity_macro_f1,
                "cells_accuracy": self.cells_accuracy, "coverage": self.coverage_ratio,
                "error_rate": self.errors / self.reports if self.reports else 0.0}

    def baseline(self) -> dict[str, float]:
        base = Counts(0, 0, self.overall.tp + self.overall.fn)
        return {"precision": base.precision, "recall": base.recall, "f1": base.f1,
                "cells_accuracy": self.baseline_cells_right / self.cells_total if self.cells_total else 0.0}

    def to_dict(self) -> dict:
        return {
            "reports": self.reports, "errors": self.errors,
            "figures": {k: round(v, 4) for k, v in self.figures().items()},
            "baseline_flag_nothing": {k: round(v, 4) for k, v in self.baseline().items()},
            "overall": self.overall.to_dict(),
            "per_check": {k: c.to_dict() for k, c in sorted(self.per_check.items())},
            "severity": {"labels": list(SEVERITY_LABELS), "confusion": [list(r) for r in self.severity_confusion],
                         "n": self.severity_n, "accuracy": round(self.severity_accuracy, 4),
                         "macro_f1": round(self.severity_macro_f1, 4)},
            "coverage": {**self.coverage, "ratio": round(self.coverage_ratio, 4)},
            "cells": {"total": self.cells_total, "right": self.cells_right,
                      "baseline_right": self.baseline_cells_right},
            "timing_ms": self.timing_ms,
            "rows": [r.to_dict() for r in self.rows],
        }


def _brief(p: dict) -> dict:
    return {k: p.get(k) for k in ("check", "severity", "message", "stated", "expected")}


def score(pairs: Iterable[tuple[dict | None, dict]]) -> EvalResult:
    """Score (predicted, gold) pairs. ``predicted`` is a findings-contract dict (``Report.to_dict()``)
    or None for a report the auditor could not process; it may carry ``error`` and ``wall_ms``."""
    k = len(SEVERITY_LABELS)
    confusion = [[0] * k for _ in range(k)]
    per_check: dict[str, Counts] = {}
    rows: list[ReportRow] = []
    coverage = {"extracted": 0, "linked": 0, "verified": 0}
    cells_total = cells_right = base_right = errors = 0
    walls: list[float] = []

    def bump(check: str, **d: int) -> None:
        per_check[check] = per_check.get(check, Counts()) + Counts(**d)

    for predicted, gold in pairs:
        name = str(gold.get("report", "?"))
        gold_findings = list(gold.get("findings", []))
        wall = (predicted or {}).get("wall_ms")
        if wall is not None:
            walls.append(float(wall))
        if predicted is None or predicted.get("error"):
            errors += 1
            for g in gold_findings:
                bump(g["check"], fn=1)
            rows.append(ReportRow(name, Counts(0, 0, len(gold_findings)), tuple(gold_findings), (), wall,
                                  (predicted or {}).get("error") or "无输出"))
            continue
        preds = list(predicted.get("findings", []))
        for key in coverage:
            coverage[key] += int((predicted.get("coverage") or {}).get(key) or 0)
        flat = flatten_tables(predicted.get("tables") or {})
        for key, want in (gold.get("cells") or {}).items():
            cells_total += 1
            cells_right += _cell_right(flat.get(key), want)
            base_right += want is None
        hits = assign(preds, gold_findings)
        missed = []
        for gi, g in enumerate(gold_findings):
            if gi not in hits:
                missed.append(g)
                bump(g["check"], fn=1)
                continue
            p = preds[hits[gi]]
            bump(g["check"], tp=1)
            gs, ps = g.get("severity"), p.get("severity")
            if gs in SEVERITY_LABELS and ps in SEVERITY_LABELS:
                confusion[SEVERITY_LABELS.index(gs)][SEVERITY_LABELS.index(ps)] += 1
        taken = set(hits.values())
        extra = [p for pi, p in enumerate(preds) if pi not in taken and p.get("severity") != "info"
                 and not any(matches(p, m) for m in gold.get("may_flag", []))]
        for p in extra:
            bump(str(p.get("check")), fp=1)
        rows.append(ReportRow(name, Counts(len(hits), len(extra), len(missed)), tuple(missed),
                              tuple(_brief(p) for p in extra), wall))

    overall = sum(per_check.values(), Counts())
    return EvalResult(reports=len(rows), errors=errors, overall=overall, per_check=per_check,
                      severity_confusion=tuple(tuple(r) for r in confusion), coverage=coverage,
                      cells_total=cells_total, cells_right=cells_right, baseline_cells_right=base_right,
                      timing_ms=_timing(walls), rows=tuple(rows))


def _timing(walls: list[float]) -> dict[str, float]:
    if not walls:
        return {}
    rest = walls[1:] or walls
    ordered = sorted(rest)
    return {"first": round(walls[0], 1), "mean": round(statistics.fmean(rest), 1),
            "median": round(statistics.median(rest), 1),
            "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
            "total": round(sum(walls), 1)}


# ---------------------------------------------------------------- running

def gold_path(report: Path, gold_dir: Path | None = None) -> Path | None:
    """The report's gold file, beside it or, when given, in ``gold_dir`` (gold kept apart from
    reports it may not copy, as the project keeps its labels of ../shared/corpora/wild)."""
    where = report.parent if gold_dir is None else Path(gold_dir)
    for c in (where / (report.name + GOLD_SUFFIX), where / (report.stem + GOLD_SUFFIX)):
        if c.exists():
            return c
    return None


def corpus_reports(corpus_dir: Path, gold_dir: Path | None = None) -> list[tuple[Path, Path]]:
    """(report, gold file) for every report in the folder that has a gold file."""
    out = []
    for p in sorted(Path(corpus_dir).iterdir()):
        if p.is_file() and not p.name.endswith(GOLD_SUFFIX) and not p.name.startswith("."):
            g = gold_path(p, gold_dir)
            if g is not None:
                out.append((p, g))
    return out


def audit_one(report: Path, gold: dict) -> dict:
    """The contract dict for one report, with ``wall_ms``; an exception becomes ``error``."""
    from auditor.pipeline import audit_path

    previous = gold.get("previous")
    t0 = time.perf_counter()
    try:
        rep = audit_path(report, previous=report.with_name(previous) if previous else None)
        d = rep.to_dict()
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - one report's crash is an error row
        d = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    d["wall_ms"] = (time.perf_counter() - t0) * 1000
    return d


def evaluate_corpus(corpus_dir: str | Path, gold_dir: str | Path | None = None) -> EvalResult:
    pairs = []
    for report, gpath in corpus_reports(Path(corpus_dir), Path(gold_dir) if gold_dir else None):
        gold = json.loads(gpath.read_text(encoding="utf-8"))
        gold.setdefault("report", report.name)
        pairs.append((audit_one(report, gold), gold))
    return score(pairs)


def run_eval(corpus_dir: str | Path, out_dir: str | Path, *, name: str | None = None,
             gold_dir: str | Path | None = None) -> int:
    """``auditor eval DIR [--gold GOLD_DIR]``: score the corpus, write the results, print a summary. Exit code."""
    corpus = Path(corpus_dir)
    gold = Path(gold_dir) if gold_dir else None
    if not corpus.is_dir() or not corpus_reports(corpus, gold):
        print(f"错误：{corpus} 不是含 *.gold.json 标注文件的目录" + (f"（标注目录 {gold}）" if gold else ""))
        return 2
    name = name or corpus.resolve().name
    result = evaluate_corpus(corpus, gold)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    png = out / f"{name}-severity.png"
    try:
        plot_confusion(result, png, title=name)
    except ImportError:  # matplotlib is the [eval] extra: the figures do not need it, the picture does
        print("提示：未安装 matplotlib，未生成严重程度混淆矩阵图（安装：pip install 'auditor[eval]'）；其余结果照常写出。")
        png = None
    (out / f"{name}.md").write_text(to_markdown(result, name, png.name if png else None), encoding="utf-8")
    f = result.figures()
    print(f"{name}: reports={result.reports} errors={result.errors} precision={f['precision']:.3f} "
          f"recall={f['recall']:.3f} f1={f['f1']:.3f} severity_acc={f['severity_accuracy']:.3f} "
          f"severity_macro_f1={f['severity_macro_f1']:.3f} cells={f['cells_accuracy']:.3f} -> {out / name}.md")
    return 0


# ---------------------------------------------------------------- writing

def plot_confusion(result: EvalResult, path: Path, *, title: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = result.severity_confusion
    fig, ax = plt.subplots(figsize=(4.2, 3.6), dpi=100)
    ax.imshow(m, cmap="Blues")
    ax.set_xticks(range(len(SEVERITY_LABELS)), SEVERITY_LABELS)
    ax.set_yticks(range(len(SEVERITY_LABELS)), SEVERITY_LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    peak = max(max(r) for r in m) or 1
    for i, row in enumerate(m):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center", color="white" if v > peak / 2 else "black")
    ax.set_title(f"severity {title} (n={result.severity_n})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _pct(x: float) -> str:
    return f"{x:.3f}"


def to_markdown(result: EvalResult, name: str, png_name: str | None = None) -> str:
    f, b = result.figures(), result.baseline()
    lines = [f"# 评估结果：{name}", "",
             f"报告 {result.reports} 份，出错 {result.errors} 份；匹配规则同 shared/tools/score.py（见 lab/auditor_lab/evaluation.py）。", "",
             "| 指标 | auditor | 不报任何问题的基线 |", "|---|---|---|"]
    for key in ("precision", "recall", "f1", "cells_accuracy"):
        lines.append(f"| {key} | {_pct(f[key])} | {_pct(b[key])} |")
    for key in ("severity_accuracy", "severity_macro_f1", "coverage"):
        lines.append(f"| {key} | {_pct(f[key])} | — |")
    lines += ["", "## 各检查", "", "| check | tp | fp | fn | precision | recall | F1 |", "|---|---|---|---|---|---|---|"]
    for check, c in sorted(result.per_check.items()):
        lines.append(f"| {check} | {c.tp} | {c.fp} | {c.fn} | {_pct(c.precision)} | {_pct(c.recall)} | {_pct(c.f1)} |")
    lines += ["", f"## 严重程度（匹配的 {result.severity_n} 项；行为标注，列为预测）", "",
              "| gold \\ pred | " + " | ".join(SEVERITY_LABELS) + " |", "|---" * (len(SEVERITY_LABELS) + 1) + "|"]
    for label, row in zip(SEVERITY_LABELS, result.severity_confusion):
        lines.append(f"| {label} | " + " | ".join(map(str, row)) + " |")
    if png_name:
        lines += ["", f"![severity confusion]({png_name})"]
    cov = result.coverage
    lines += ["", "## 覆盖率与单元格", "",
              f"- 陈述：抽取 {cov['extracted']}，关联 {cov['linked']}，核验 {cov['verified']}（核验/抽取 {_pct(result.coverage_ratio)}）",
              f"- 单元格：{result.cells_right}/{result.cells_total} 正确（基线 {result.baseline_cells_right}）"]
    if result.timing_ms:
        t = result.timing_ms
        lines.append(f"- 耗时（毫秒/份，含读取）：首份 {t['first']}，其余平均 {t['mean']}，中位 {t['median']}，p95 {t['p95']}")
    lines += ["", "## 各报告", "", "| report | tp | fp | fn | ms | 说明 |", "|---|---|---|---|---|---|"]
    for r in result.rows:
        notes = [f"漏报 {g['check']} {g.get('quotes', [''])[:1]}" for g in r.missed]
        notes += [f"误报 {p['check']} {p['severity']}" for p in r.extra]
        if r.error:
            notes.insert(0, f"错误：{r.error}")
        ms = "" if r.wall_ms is None else f"{r.wall_ms:.0f}"
        note = "；".join(notes).replace("|", "\\|")
        lines.append(f"| {r.report} | {r.counts.tp} | {r.counts.fp} | {r.counts.fn} | {ms} | {note} |")
    return "\n".join(lines) + "\n"
