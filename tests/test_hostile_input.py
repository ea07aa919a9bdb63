"""Hostile and unlucky input (issue 17): each case once took the tool down; now it is a clear
finding, warning or per-file error, and the rest of the work completes."""
from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import pytest
from rich.console import Console

from auditor.batch import INGEST_CACHE, run_batch
from auditor.ingest import document_from_text, shown_name
from auditor.pipeline import audit_text
from auditor.render import render

MINI = Path(__file__).parent / "render" / "data" / "mini_2021.txt"


def _mini() -> str:
    return MINI.read_text(encoding="utf-8")


@pytest.mark.parametrize("figure", ["1" + "0" * 400, "9" * 5000, "9" * 20])
def test_a_figure_past_any_statistic_is_an_unreadable_cell_not_an_exception(figure):
    """10^400 overflowed a float in the checks; 5,000 digits passed Python's int-from-string
    limit (point 3). Past 15 digits a cell is reported unreadable, with the reason."""
    for before, after in (("行政许可\t120", f"行政许可\t{figure}"),
                          ("数量\t10\t0\t0\t0\t0\t0\t10", f"数量\t{figure}\t0\t0\t0\t0\t0\t{figure}")):
        text = _mini().replace(before, after)
        assert text != _mini()
        report = audit_text(text)
        unreadable = [f.message for f in report.findings if f.code == "TB005"]
        # a row of separate cells says why; two 400-digit figures push 表三's next label out of the
        # reach the table is looked for in, and the table is reported not found
        assert any("超过15位" in m for m in unreadable) or (len(figure) > 200 and any("未找到" in m for m in unreadable))
        assert not any(figure[:16] in f.message for f in report.findings if f.code != "TB005")  # never a value
        json.dumps(report.to_dict(), ensure_ascii=False)


def test_a_huge_figure_in_the_narrative_is_read_without_an_exception():
    text = _mini().replace("一、总体情况", "一、总体情况\n本年共收到申请1" + "0" * 400 + "件，其中自然人申请"
                           + "7" * 5000 + "件。", 1)
    report = audit_text(text)
    for fmt in ("json", "text", "csv", "html", "sarif"):
        render(report, fmt)


def test_lone_surrogates_through_the_api_are_replaced_in_place():
    """A text decoded with surrogatepass once raised UnicodeEncodeError in the NLP stage (point 5)."""
    text = _mini().replace("一、总体情况", "一、总体情况\ud800共收到\udcff申请", 1)
    doc = document_from_text(text)
    assert "\ud800" not in doc.text and doc.text.count("\ufffd") >= 2
    assert any("孤立代理项" in w for w in doc.warnings)
    report = audit_text(text)
    for fmt in ("json", "text", "csv", "html", "sarif"):
        render(report, fmt).encode("utf-8")


def test_shown_name_escapes_bytes_that_are_not_utf8():
    assert shown_name("报告.txt") == "报告.txt"
    assert shown_name(os.fsdecode(b"b\xff.txt")) == "b\\xff.txt"
    assert shown_name(b"b\xff.txt") == "b\\xff.txt"
    assert shown_name("x\ud800.txt") == "x\\ud800.txt"


@pytest.mark.skipif(sys.platform == "darwin", reason="the file system refuses names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_does_not_end_the_batch(tmp_path):
    """Point 4: the CSV writer raised on the name; later files were never audited and a
    *.json.tmp was left behind. Now the name is shown escaped and every file is audited."""
    src = tmp_path / "in"
    src.mkdir()
    data = _mini().encode("utf-8")
    for name in (b"a.txt", b"b\xff\xfe.txt", b"c.txt"):
        with open(os.path.join(os.fsencode(src), name), "wb") as fh:
            fh.write(data)
    out = tmp_path / "out"
    code = run_batch([src], out, console=Console(file=open(os.devnull, "w")))
    assert code == 0
    rows = list(csv.DictReader((out / "reports.csv").open(encoding="utf-8-sig")))
    assert [r["status"] for r in rows] == ["ok"] * 3
    assert any(r["source"].endswith("b\\xff\\xfe.txt") for r in rows)
    assert not list((out / "reports").glob("*.tmp"))
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "reports").glob("*.json")]
    assert len(reports) == 3


def test_a_killed_runs_leftovers_are_cleaned_by_a_plain_rerun(tmp_path):
    """Point 8: kill -9 leaves the ingest cache and maybe a half-written report; the next run,
    with or without --resume, removes both."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(_mini(), encoding="utf-8")
    out = tmp_path / "out"
    (out / INGEST_CACHE).mkdir(parents=True)
    (out / INGEST_CACHE / "deadbeef.txt.json.123.tmp").write_text("{", encoding="utf-8")
    (out / "reports").mkdir()
    (out / "reports" / "a.txt.json.tmp").write_text("{", encoding="utf-8")
    assert run_batch([src], out, console=Console(file=open(os.devnull, "w"))) == 0
    assert not (out / INGEST_CACHE).exists()
    assert not list((out / "reports").glob("*.tmp"))
    assert (out / "reports" / "a.txt.json").exists()


def test_a_folder_named_auditor_in_the_current_directory_does_not_shadow_the_package(tmp_path):
    """Point 10: run from the folder holding a checkout named ``auditor``, the workers (started as
    ``python -c``, the current directory first on their path) imported that folder as a namespace
    package and every file failed with E900; the summary still printed a speed."""
    import subprocess

    (tmp_path / "auditor" / "auditor").mkdir(parents=True)  # a checkout: no __init__.py at its top
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(_mini(), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    script = Path(sys.executable).parent / "auditor"  # the console script, as the README runs it
    if not script.exists():
        pytest.skip("the auditor console script is not installed next to this interpreter")
    run = subprocess.run([str(script), "batch", "in", "--out", "out", "-j", "2"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    rows = list(csv.DictReader((tmp_path / "out" / "reports.csv").open(encoding="utf-8-sig")))
    assert [r["status"] for r in rows] == ["ok"], rows
    assert run.returncode in (0, 1), run.stderr


def test_a_batch_that_failed_every_file_prints_no_speed(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    sink = tmp_path / "summary.txt"
    with sink.open("w", encoding="utf-8") as fh:
        assert run_batch([tmp_path / "in"], out, console=Console(file=fh, width=120)) == 3
    summary = sink.read_text(encoding="utf-8")
    assert "处理失败" in summary and "速度" not in summary
