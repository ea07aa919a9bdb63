"""``auditor batch --estimate``: the files a batch would audit, and what it would need, before it runs."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from auditor.batch.estimate import FOOTPRINT, describe, estimate
from auditor.cli import app


def _folder(root, names):
    root.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 100)
    return root


def test_files_are_counted_by_format_as_the_batch_finds_them(tmp_path):
    folder = _folder(tmp_path / "in", ["a.pdf", "b.PDF", "c.html", "d.htm", "sub/e.docx", "f.txt", "g.xls",
                                       "a.pdf.gold.json", ".hidden.pdf", "out/old.pdf"])
    est = estimate([folder], jobs=3, exclude=folder / "out")
    assert est.files == 7 and est.total_bytes == 700
    assert est.by_format == {"PDF": 2, "HTML": 2, "DOCX": 1, "文本": 1, "其他": 1}
    assert est.memory_mb["workers"] == 3 * FOOTPRINT.worker_mb
    assert est.memory_mb["total"] == FOOTPRINT.parent_mb + FOOTPRINT.forkserver_mb + 3 * FOOTPRINT.worker_mb


def test_disk_and_time_grow_with_the_files_and_memory_does_not(tmp_path):
    small = estimate([_folder(tmp_path / "s", [f"{i}.pdf" for i in range(10)])], jobs=2)
    large = estimate([_folder(tmp_path / "l", [f"{i}.pdf" for i in range(40)])], jobs=2)
    assert large.memory_mb == small.memory_mb
    assert large.results_mb == pytest.approx(4 * small.results_mb) and large.cpu_hours == pytest.approx(4 * small.cpu_hours)
    html = estimate([_folder(tmp_path / "h", [f"{i}.html" for i in range(10)])], jobs=2)
    assert html.cpu_hours < small.cpu_hours  # a PDF costs more to read than an HTML page
    assert estimate([tmp_path / "l"], jobs=1).wall_hours > large.wall_hours  # one worker takes longer


def test_a_disk_too_small_for_the_results_is_said(tmp_path):
    est = estimate([_folder(tmp_path / "in", ["a.pdf"])], jobs=1)
    assert not any("警告" in line for line in describe(est, free=1e6))
    assert any("警告" in line and "磁盘" in line for line in describe(est, free=0.001))


def test_the_command_estimates_without_auditing_or_making_the_results_folder(tmp_path):
    folder = _folder(tmp_path / "in", ["a.pdf", "b.html", "c.txt"])
    out = tmp_path / "results"
    res = CliRunner().invoke(app, ["batch", str(folder), "--out", str(out), "-j", "2", "--estimate"])
    assert res.exit_code == 0, res.output
    assert "将审核 3 个文件" in res.output and "内存（-j 2）" in res.output and "磁盘" in res.output
    assert not out.exists()
    empty = _folder(tmp_path / "empty", [])
    res = CliRunner().invoke(app, ["batch", str(empty), "--out", str(out), "--estimate"])
    assert res.exit_code == 2 and "没有找到可审核的报告文件" in res.output
