"""The results directory, written as results arrive: reports/<name>.json, findings.csv, reports.csv.

CSV files are UTF-8 with a BOM (Excel reads the Chinese text right) and are flushed after each
report, so an interrupted batch leaves complete rows behind.
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..checks.finding import SEVERITIES, SEVERITY_RANK
from ..ingest import shown_name
from ..render.csv import FINDING_COLUMNS, finding_rows
from .tasks import SUMMARY_KEYS, Failure, write_json

REPORT_COLUMNS = ("source", "sha256", "status", "agency", "year", "format", "input_kind", "previous", "findings",
                  "high", "medium", "low", "info", "extracted", "linked", "verified", "copied_share",
                  "error_code", "error_message", "seconds", "resumed")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = shown_name(value)  # a file name that is not UTF-8 is shown escaped, never a crash
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value


@dataclass
class Tally:
    files: int = 0
    audited: int = 0
    resumed: int = 0
    failed: int = 0
    pairs: int = 0
    copied: int = 0
    severities: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    worst: int = -1  # highest severity rank seen


def load_result(path: Path) -> dict | None:
    try:
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


class ResultWriter:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.reports_dir = out / "reports"
        self.reports_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.reports_dir.glob("*.tmp"):  # a run killed while writing (kill -9) left it
            stale.unlink(missing_ok=True)
        self.tally = Tally()
        self._findings_fh = (out / "findings.csv").open("w", encoding="utf-8-sig", newline="")
        self._reports_fh = (out / "reports.csv").open("w", encoding="utf-8-sig", newline="")
        self._findings = csv.DictWriter(self._findings_fh, fieldnames=list(FINDING_COLUMNS), extrasaction="ignore")
        self._reports = csv.DictWriter(self._reports_fh, fieldnames=list(REPORT_COLUMNS), extrasaction="ignore")
        self._findings.writeheader()
        self._reports.writeheader()
        # one JSON object a line, a file's result as soon as it is known: for consumers that stream
        self._jsonl_fh = (out / "results.jsonl").open("w", encoding="utf-8", newline="\n")

    def close(self) -> None:
        self._findings_fh.close()
        self._reports_fh.close()
        self._jsonl_fh.close()

    def _jsonl(self, value: dict) -> None:
        self._jsonl_fh.write(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str) + "\n")
        self._jsonl_fh.flush()

    def __enter__(self) -> "ResultWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def write_report(self, result: dict, name: str, *, resumed: bool = False, written: bool = False) -> None:
        """Record one report in the CSVs and the tally; write its JSON unless a worker did (``written``)."""
        if not resumed and not written:
            write_json(self.reports_dir / name, result)
        for row in finding_rows([result]):
            self._findings.writerow({k: _cell(v) for k, v in row.items()})
        self._findings_fh.flush()
        self._jsonl({"status": "ok", "source": result.get("report", {}).get("source"), "resumed": resumed,
                     **{k: result[k] for k in SUMMARY_KEYS if k in result}})
        self._write_row(_report_row(result, resumed))
        t = self.tally
        t.resumed += resumed
        t.audited += not resumed
        for f in result.get("findings", ()):
            t.severities[f.get("severity")] += 1
            t.copied += f.get("code") == "MT004"
            t.worst = max(t.worst, SEVERITY_RANK.get(f.get("severity"), -1))

    def write_failure(self, source: str, failure: Failure, *, sha256: str = "", seconds: float = 0.0) -> None:
        self._write_row({"source": source, "sha256": sha256, "status": "error", "error_code": failure.code,
                         "error_message": failure.message, "seconds": round(seconds, 3), "resumed": 0})
        self._jsonl({"status": "error", "source": source, "sha256": sha256,
                     "error": {"code": failure.code, "message": failure.message}})
        self.tally.failed += 1
        self.tally.failures[failure.code] += 1

    def _write_row(self, row: dict) -> None:
        self._reports.writerow({k: _cell(v) for k, v in row.items()})
        self._reports_fh.flush()
        self.tally.files += 1


def _report_row(d: dict, resumed: bool) -> dict:
    meta, cov, extra = d.get("report", {}), d.get("coverage") or {}, d.get("batch") or {}
    findings = d.get("findings", ())
    counts = Counter(f.get("severity") for f in findings)
    return {**{k: meta.get(k) for k in ("source", "sha256", "agency", "year", "format", "input_kind")},
            "status": "ok", "previous": extra.get("previous"), "findings": len(findings),
            **{level: counts.get(level, 0) for level in SEVERITIES},
            **{k: cov.get(k) for k in ("extracted", "linked", "verified")},
            "copied_share": extra.get("copied_share"), "seconds": extra.get("seconds"), "resumed": int(resumed)}


def print_summary(console, tally: Tally, seconds: float, out: Path) -> None:
    from rich.table import Table

    table = Table(title="批量审核汇总", show_header=False, title_justify="left")
    table.add_column("项目")
    table.add_column("数量", justify="right")
    rows = [("文件总数", tally.files), ("完成审核", tally.audited), ("沿用已有结果（--resume）", tally.resumed),
            ("处理失败", tally.failed), ("跨年度配对", tally.pairs)]
    names = {"high": "严重问题", "medium": "中等问题", "low": "轻微问题", "info": "提示"}
    rows += [(names[level], tally.severities.get(level, 0)) for level in SEVERITIES]
    rows += [("疑似照搬段落", tally.copied), ("用时（秒）", f"{seconds:.1f}")]
    if seconds > 0 and tally.audited:  # reports audited, not failures: a batch that failed every file has no speed
        rows.append(("速度（份/秒）", f"{tally.audited / seconds:.2f}"))
    for label, value in rows:
        table.add_row(label, str(value))
    for code, n in tally.failures.most_common(5):
        table.add_row(f"失败原因 {code}", str(n))
    console.print(table)
    console.print(f"结果目录：{out}")
