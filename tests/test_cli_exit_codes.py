"""`auditor audit --fail-on`: exit 0 below the level, 1 at or above it, 2 for unusable input."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app

MINI = Path(__file__).parent / "render" / "data" / "mini_2021.txt"  # has high (TB003) and low (TB004) findings


@pytest.mark.parametrize("args, code", [
    (["--fail-on", "high"], 1),
    (["--fail-on", "low"], 1),
    (["--fail-on", "none"], 0),
    (["--fail-on", "high", "--ignore", "TB003"], 0),  # only low findings left: below the gate
    (["--fail-on", "low", "--ignore", "TB003"], 1),
])
def test_gate_on_severity(args, code):
    result = CliRunner().invoke(app, ["audit", str(MINI), "--format", "json", *args])
    assert result.exit_code == code, result.output


def test_unusable_input_exits_2(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for path in (empty, tmp_path / "missing.txt"):
        result = CliRunner().invoke(app, ["audit", str(path)])
        assert result.exit_code == 2 and "错误" in result.output


def test_bad_baseline_exits_2_and_a_good_one_clears_the_gate(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert CliRunner().invoke(app, ["audit", str(MINI), "--baseline", str(bad)]).exit_code == 2
    good = tmp_path / "draft1.json"
    assert CliRunner().invoke(app, ["audit", str(MINI), "--format", "json", "--output", str(good)]).exit_code == 1
    result = CliRunner().invoke(app, ["audit", str(MINI), "--baseline", str(good), "--fail-on", "info"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args", [["--select", "XX999"], ["--ignore", "TB03"], ["--select", "TB003,NOPE"]])
def test_an_unknown_rule_choice_fails_closed(args):
    result = CliRunner().invoke(app, ["audit", str(MINI), *args])
    assert result.exit_code == 2
    assert "未知的检查" in result.output


def test_a_comma_list_selects_each_code():
    import json

    result = CliRunner().invoke(app, ["audit", str(MINI), "--format", "json", "--fail-on", "none",
                                      "--select", "TB003,TB004"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    report = data["reports"][0] if "reports" in data else data
    assert {f["code"] for f in report["findings"]} == {"TB003", "TB004"}


def test_output_into_a_missing_folder_is_made_and_onto_a_folder_is_a_usage_error(tmp_path):
    target = tmp_path / "new" / "deeper" / "a.json"
    result = CliRunner().invoke(app, ["audit", str(MINI), "--format", "json", "-o", str(target), "--fail-on", "none"])
    assert result.exit_code == 0 and target.read_text(encoding="utf-8").startswith("{")
    result = CliRunner().invoke(app, ["audit", str(MINI), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "是一个目录" in result.output


def test_version_and_text_dump_exit_0():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("auditor ")
    assert CliRunner().invoke(app, ["audit", str(MINI), "--format", "text-dump"]).exit_code == 0


# ---- missing extras and where eval writes (issue 18, points 2 and 10) ----------------------

def test_serve_without_its_extra_names_it_in_chinese(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "fastapi", None)  # as if [serve] were not installed
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert "pip install 'auditor[serve]'" in result.output and "fastapi" in result.output
    assert "Traceback" not in result.output


def test_batch_on_dask_without_its_extra_names_it(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    (tmp_path / "a.txt").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"),
                                      "--engine", "dask"])
    assert result.exit_code == 2
    assert "auditor[dask]" in result.output.replace("\n", "")  # once swallowed as rich markup
    assert "Traceback" not in result.output


def test_eval_writes_into_its_own_folder_of_the_current_directory(monkeypatch, tmp_path):
    """It wrote into ./eval/results, and overwrote the checkout's tracked results when run there."""
    import shutil

    data = Path(__file__).resolve().parent.parent / "auditor" / "data"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("sample_report.txt", "sample_report.txt.gold.json"):
        shutil.copy(data / name, corpus / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)  # the [eval] extra is optional
    result = CliRunner().invoke(app, ["eval", "corpus"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "auditor-eval" / "corpus.md").exists() and (tmp_path / "auditor-eval" / "corpus.json").exists()
    assert not (tmp_path / "eval").exists()
    assert "auditor[eval]" in result.output


# ---- a --previous that cannot be last year's report (issue 18, point 4) --------------------

@pytest.mark.parametrize("changes, used, says", [
    ([("2023", "2022")], True, None),
    ([("2023", "2021")], False, "不是前一年"),
    ([], False, "不是前一年"),
    ([("2023", "2022"), ("示例区数据局", "另一市交通运输局")], False, "不是同一机关"),
])
def test_the_output_says_whether_last_years_report_was_compared(tmp_path, changes, used, says):
    import json

    text = MINI.read_text(encoding="utf-8")
    for old, new in changes:
        text = text.replace(old, new)
    previous = tmp_path / "previous.txt"
    previous.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["audit", str(MINI), "--previous", str(previous), "--format", "json",
                                      "--fail-on", "none"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["previous"]["used"] is used and report["previous"]["source"].endswith("previous.txt")
    if says:
        assert says in report["previous"]["reason"]
        assert any(w.startswith("未进行跨年度核对") and says in w for w in report["warnings"])
        text_out = CliRunner().invoke(app, ["audit", str(MINI), "--previous", str(previous), "--fail-on", "none"])
        assert "未进行跨年度核对" in text_out.output
    else:
        assert report["previous"]["reason"] is None


def test_without_previous_the_output_says_so():
    import json

    result = CliRunner().invoke(app, ["audit", str(MINI), "--format", "json", "--fail-on", "none"])
    assert json.loads(result.stdout)["previous"] is None


# ---- configuration found as ruff and pytest find theirs (issue 18, point 8) ----------------

def _codes(result) -> set[str]:
    import json

    return {f["code"] for f in json.loads(result.stdout)["findings"]}


def test_pyproject_tool_auditor_chooses_rules_and_the_gate(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.auditor.rules]\n'
                                             'select = ["TB004"]\nfail_on = "low"\n', encoding="utf-8")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # found from a folder below, too
    configured = CliRunner().invoke(app, ["audit", str(MINI), "--format", "json"])
    assert _codes(configured) == {"TB004"} and configured.exit_code == 1  # TB004 is low: fails at low
    flags = CliRunner().invoke(app, ["audit", str(MINI), "--format", "json", "--select", "TB003", "--fail-on", "none"])
    assert _codes(flags) == {"TB003"} and flags.exit_code == 0  # the command line wins
    ignored = CliRunner().invoke(app, ["audit", str(MINI), "--format", "json", "--no-config", "--fail-on", "none"])
    assert {"TB003", "TB004"} <= _codes(ignored)


def test_auditor_toml_is_found_and_its_mistakes_are_usage_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "auditor.toml").write_text('[rules]\nignore = ["TB*"]\n', encoding="utf-8")
    assert not _codes(CliRunner().invoke(app, ["audit", str(MINI), "--format", "json"])) & {"TB003", "TB004"}
    (tmp_path / "auditor.toml").write_text('[rules]\nselect = ["XX999"]\n', encoding="utf-8")
    unknown = CliRunner().invoke(app, ["audit", str(MINI)])
    assert unknown.exit_code == 2 and "XX999" in unknown.output
    (tmp_path / "auditor.toml").write_text('[rules]\nfail_on = "severe"\n', encoding="utf-8")
    bad = CliRunner().invoke(app, ["audit", str(MINI)])
    assert bad.exit_code == 2 and "fail_on" in bad.output
    batch = CliRunner().invoke(app, ["batch", str(MINI), "--out", str(tmp_path / "out")])
    assert batch.exit_code == 2 and "fail_on" in batch.output


# ---- conveniences: stdin, JSON Lines (issue 18, point 9) ------------------------------------

def test_a_report_piped_on_stdin_is_audited_like_the_file():
    import json

    from_file = json.loads(CliRunner().invoke(app, ["audit", str(MINI), "--format", "json", "--fail-on", "none"]).stdout)
    piped = CliRunner().invoke(app, ["audit", "-", "--format", "json", "--fail-on", "none"], input=MINI.read_bytes())
    assert piped.exit_code == 0, piped.output
    report = json.loads(piped.stdout)
    assert report["report"]["source"] == "<stdin>"
    assert [f["fingerprint"] for f in report["findings"]] == [f["fingerprint"] for f in from_file["findings"]]
    empty = CliRunner().invoke(app, ["audit", "-"], input=b"")
    assert empty.exit_code == 2 and "E101" in empty.output


def test_jsonl_is_the_json_object_on_one_line():
    import json

    one = CliRunner().invoke(app, ["audit", str(MINI), "--format", "jsonl", "--fail-on", "none"]).stdout
    full = CliRunner().invoke(app, ["audit", str(MINI), "--format", "json", "--fail-on", "none"]).stdout
    assert one.count("\n") == 1 and one.endswith("\n")
    strip = lambda d: {k: v for k, v in d.items() if k != "timing_ms"}  # noqa: E731
    assert strip(json.loads(one)) == strip(json.loads(full))


def test_batch_streams_each_files_result_as_a_json_line(tmp_path):
    import json

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    (src / "b.txt").write_bytes(b"")
    result = CliRunner().invoke(app, ["batch", str(src), "--out", str(tmp_path / "out")])
    assert result.exit_code == 3
    lines = [json.loads(x) for x in (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    by_status = {x["status"]: x for x in lines}
    assert len(lines) == 2 and by_status["error"]["error"]["code"] == "E101"
    assert {f["code"] for f in by_status["ok"]["findings"]} >= {"TB003", "TB004"}


def test_two_audits_of_one_file_print_the_same_bytes_and_timing_is_asked_for():
    """Issue 18, point 10: timing_ms made every JSON output differ."""
    import json

    args = ["audit", str(MINI), "--format", "json", "--fail-on", "none"]
    first, second = (CliRunner().invoke(app, args).stdout for _ in range(2))
    assert first == second and "timing_ms" not in json.loads(first)
    assert json.loads(CliRunner().invoke(app, [*args, "--timing"]).stdout)["timing_ms"] > 0


# ---- one rule for a text that is no report (issue 18, point 6) -----------------------------

NOTICE = "关于做好节日值班工作的通知\n请各单位认真落实值班制度，共安排值班人员12名。\n"


def test_a_text_that_is_no_report_is_refused_by_audit_as_by_batch(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE, encoding="utf-8")
    single = CliRunner().invoke(app, ["audit", str(path)])
    assert single.exit_code == 2 and "E904" in single.output and "未识别为政府信息公开工作年度报告" in single.output
    batch = CliRunner().invoke(app, ["batch", str(path), "--out", str(tmp_path / "out")])
    assert batch.exit_code == 3
    assert "E904" in (tmp_path / "out" / "reports.csv").read_text(encoding="utf-8-sig")
    passage = tmp_path / "passage.txt"  # a passage of a report, in traditional characters, is audited
    passage.write_text("一、總體情況\n本機關全年主動公開政府信息120條。\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["audit", str(passage), "--fail-on", "none"]).exit_code == 0


def test_the_http_service_refuses_it_with_the_same_code():
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("uvicorn")
    from test_server import LiveServer

    from auditor.service.app import ServerConfig, create_app

    with LiveServer(create_app(ServerConfig(warm_up=False))) as server, \
            httpx.Client(base_url=server.url, timeout=60) as client:
        resp = client.post("/v1/audit", json={"text": NOTICE})
        upload = client.post("/v1/audit", files={"file": ("notice.txt", NOTICE.encode())})
    assert resp.status_code == upload.status_code == 422
    assert resp.json()["error"]["code"] == upload.json()["error"]["code"] == "E904"


def test_help_is_wrapped_not_cut_and_its_metavars_are_chinese():
    """Issue 18, point 9: help was cut at 80 columns (…) with <bool> and <list[str]> metavars."""
    out = CliRunner().invoke(app, ["audit", "--help"], terminal_width=80).output
    assert "…" not in out.replace("代码[,代码…]", "") and "<bool>" not in out and "list[str]" not in out
    assert "--select 代码[,代码…]" in out and "[tool.auditor]" in out  # the whole config help, wrapped


def test_completion_scripts_and_their_answers(monkeypatch):
    import os
    import subprocess
    import sys
    from pathlib import Path as P

    script = CliRunner().invoke(app, ["completion", "bash"])
    assert script.exit_code == 0 and "_AUDITOR_COMPLETE=complete_bash" in script.output
    assert CliRunner().invoke(app, ["completion", "tcsh"]).exit_code == 2
    exe = P(sys.executable).parent / "auditor"
    if not exe.exists():
        pytest.skip("the console script is not installed next to this interpreter")
    env = {**os.environ, "_AUDITOR_COMPLETE": "complete_bash", "COMP_WORDS": "auditor audit --fa", "COMP_CWORD": "2"}
    answer = subprocess.run([str(exe)], env=env, capture_output=True, text=True, timeout=60)
    assert answer.stdout.split() == ["--fail-on"]


def test_a_value_given_to_a_switch_is_explained(tmp_path):
    """Issue 18, point 9: ``--resume true`` took "true" as a path without a word on why."""
    result = CliRunner().invoke(app, ["batch", "--resume", "true", str(MINI), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "--resume" in result.output and "不带取值" in result.output


def test_the_words_click_writes_itself_are_chinese_too():
    for args in (["--help"], ["audit", "--help"], ["batch", "--help"]):
        out = CliRunner().invoke(app, args, terminal_width=100).output
        assert out.startswith("用法：") and "显示本帮助并退出。" in out and "选项" in out
        for english in ("Usage:", "Options", "Show this message", "[default:", "[required]", "[OPTIONS]", "<path>"):
            assert english not in out, (args, english)
    assert "（默认：text）" in CliRunner().invoke(app, ["audit", "--help"]).output


@pytest.mark.parametrize("args, says", [
    (["audit", "--bogus", "x"], "没有这个选项：--bogus"),
    (["audit"], "缺少参数“报告”"),
    (["audit", str(MINI), "-f", "xml"], "取值“xml”无效"),
    (["nosuch"], "没有这个命令：nosuch"),
])
def test_usage_errors_are_chinese_from_the_console_script(args, says):
    """Click's own usage errors (Error: No such option …) through the installed command."""
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "auditor"
    if not exe.exists():
        pytest.skip("the console script is not installed next to this interpreter")
    run = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and says in run.stderr and "错误：" in run.stderr
    assert "Error:" not in run.stderr and "Try '" not in run.stderr
