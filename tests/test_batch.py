"""auditor batch: a results directory for a folder of reports, bad files included, never a crash."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import time
import zipfile
from pathlib import Path

import pytest
from rich.console import Console

from auditor.batch import run_batch
from batchkit import FlakyEngine
from reportkit import Spec, report_text, write_report

HAN = re.compile(r"[\u4e00-\u9fff]")
COPIED = ("依托政务服务便民热线和政务公开专区，为企业群众提供一号答一站式政策咨询服务5万余次，"
          "持续完善政府网站和政务新媒体信息发布、办事服务、解读回应、政民互动等功能建设。")
Z = (0, 0, 0, 0, 0, 0)


def _cf(n, m=0):
    return (n, m, 0, 0, 0, 0)


# (file name, agency as written, year, carried_over, carried_forward, extra paragraphs)
GOOD = [
    ("zd-2021.txt", "张店区行政审批服务局", 2021, Z, _cf(1), ()),
    ("sub/zd-2022.txt", "淄博市张店区行政审批服务局", 2022, _cf(1), _cf(2), ()),
    ("zd-2023.txt", "张店区行政审批服务局", 2023, _cf(3), Z, ("OWN",)),  # injected: 3 for 2
    ("zc-2022.txt", "淄川区行政审批服务局", 2022, Z, _cf(4), ()),
    ("zc-2023.txt", "淄川区行政审批服务局", 2023, _cf(4), Z, ()),
    ("hz-2022.txt", "洪泽区人民政府", 2022, Z, _cf(2, 1), ()),
    ("hz-2023.txt", "淮安市洪泽区人民政府", 2023, _cf(2, 1), Z, ()),
    ("ha-2022.txt", "淮安市人民政府", 2022, Z, _cf(5, 1), ()),
    ("ha-2023.txt", "淮安市人民政府", 2023, _cf(5, 0), Z, ()),  # injected: commercial 0 for 1
    ("zdgov-2022.txt", "张店区人民政府", 2022, Z, _cf(1), (COPIED,)),
    ("zdgov-2023.txt", "张店区人民政府", 2023, _cf(1), Z, ()),
    ("zdoffice-2022.txt", "张店区人民政府办公室", 2022, Z, _cf(3), ()),
    ("zdoffice-2023.txt", "张店区人民政府办公室", 2023, _cf(3), Z, ()),
    ("fg-2022.txt", "张店区发展和改革局", 2022, Z, _cf(3), ()),
    ("fg-2023.txt", "张店区发展改革局", 2023, _cf(2, 1), Z, ()),  # injected: 2|1 for 3|0
    ("bs-2023.txt", "博山区行政审批服务局", 2023, _cf(2), Z, ()),
    ("lz-2021.txt", "临淄区人民政府", 2021, Z, _cf(1), ()),
    ("lz-2023.txt", "临淄区人民政府", 2023, _cf(4), Z, ()),  # 2022 missing: no pair
    ("zc-health-2023.txt", "周村区卫生健康局", 2023, Z, Z, ()),
    ("ht-2023.txt", "桓台县人民政府", 2023, Z, Z, (COPIED,)),
]
PAIRS = {"sub/zd-2022.txt": "zd-2021.txt", "zd-2023.txt": "sub/zd-2022.txt", "zc-2023.txt": "zc-2022.txt",
         "hz-2023.txt": "hz-2022.txt", "ha-2023.txt": "ha-2022.txt", "zdgov-2023.txt": "zdgov-2022.txt",
         "zdoffice-2023.txt": "zdoffice-2022.txt", "fg-2023.txt": "fg-2022.txt"}
INJECTED = {"zd-2023.txt": {"natural_person", "total"}, "ha-2023.txt": {"commercial", "total"},
            "fg-2023.txt": {"natural_person", "commercial"}}
BAD = {"empty.txt": "E101", "image.png": "E102", "random.bin": "E102", "truncated.pdf": "E104",
       "notice.html": "E904", "big.txt": "E103", "bomb.docx": "E106"}
MAX_BYTES = 100_000
SYNTH_N = 16  # auditor_lab.generator consecutive-year pairs (with their gold files, which batch skips)


def _write_good(folder: Path, entries=GOOD) -> dict[str, Spec]:
    specs = {}
    for name, agency, year, co, cf, extra in entries:
        own = tuple(specs["sub/zd-2022.txt"].paragraphs[0] if x == "OWN" else x for x in extra)
        spec = Spec(agency, year, new_received=(6, 2, 0, 0, 0, 0), carried_over=co, carried_forward=cf,
                    extra_paragraphs=own)
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        write_report(folder, name, spec)
        specs[name] = spec
    return specs


def _write_bad(folder: Path) -> None:
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(1500))
    (folder / "random.bin").write_bytes(bytes(range(256)) * 8 + os.urandom(500))
    (folder / "truncated.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<<")
    (folder / "notice.html").write_text("<html><body><p>关于做好节日值班工作的通知，请各单位认真落实。</p></body></html>",
                                        encoding="utf-8")
    (folder / "big.txt").write_text("政府信息公开工作年度报告" * 4000, encoding="utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * 12_000_000)
    (folder / "bomb.docx").write_bytes(buf.getvalue())


def _quiet() -> Console:
    return Console(file=io.StringIO(), width=100)


def _rows(out: Path, name: str) -> list[dict]:
    with (out / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _rel(corpus: Path, source: str) -> str:
    return Path(source).relative_to(corpus).as_posix()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    specs = _write_good(corpus)
    _write_bad(corpus)
    gbk = Spec("沂源县人民政府", 2023)
    (corpus / "gbk-2023.txt").write_bytes(report_text(gbk).encode("gbk"))
    (corpus / "zd-2023.txt.gold.json").write_text("{}", encoding="utf-8")
    (corpus / ".hidden.txt").write_text(report_text(Spec("隐藏区人民政府", 2023)), encoding="utf-8")
    from auditor_lab.generator import generate_corpus

    generate_corpus(corpus / "synth", n=SYNTH_N, seed=11, pairs=True, formats=("txt", "html"))
    out = corpus / "results"  # inside the input folder: must not be read back as input
    console = _quiet()
    rc = run_batch([corpus], out, jobs=2, max_bytes=MAX_BYTES, console=console)
    return corpus, out, rc, console.file.getvalue(), specs


def test_every_file_is_one_row_and_bad_files_fail_in_chinese(batch):
    corpus, out, rc, _, _ = batch
    assert rc == 3  # some files failed
    rows = {_rel(corpus, r["source"]): r for r in _rows(out, "reports.csv")}
    assert len(rows) == len(_rows(out, "reports.csv"))
    synth = {f"synth/{p.name}" for p in (corpus / "synth").iterdir() if not p.name.endswith(".gold.json")}
    assert len(synth) == SYNTH_N and all(rows[n]["status"] == "ok" for n in synth)
    assert set(rows) == {g[0] for g in GOOD} | set(BAD) | {"gbk-2023.txt"} | synth
    for name, code in BAD.items():
        assert rows[name]["status"] == "error" and rows[name]["error_code"] == code, name
        assert HAN.search(rows[name]["error_message"]), name
    for name in [g[0] for g in GOOD] + ["gbk-2023.txt"]:
        assert rows[name]["status"] == "ok" and not rows[name]["error_code"], (name, rows[name])
    assert rows["gbk-2023.txt"]["agency"] == "沂源县人民政府"
    assert (out / "reports.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (out / "findings.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_one_contract_json_per_audited_report(batch):
    corpus, out, _, _, specs = batch
    files = sorted(p.name for p in (out / "reports").iterdir())
    assert len(files) == len(GOOD) + 1 + SYNTH_N and "sub__zd-2022.txt.json" in files
    for path in (out / "reports").iterdir():
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["contract"] == 1 and data["report"]["sha256"] and 2019 <= data["report"]["year"] <= 2026
        assert path.name == _rel(corpus, data["report"]["source"]).replace("/", "__") + ".json"


def test_consecutive_years_pair_within_agencies_only(batch):
    corpus, out, _, _, _ = batch
    paired = {_rel(corpus, r["source"]): _rel(corpus, r["previous"]) for r in _rows(out, "reports.csv") if r["previous"]}
    assert {k: v for k, v in paired.items() if not k.startswith("synth/")} == PAIRS


def test_injected_carry_over_errors_are_all_found_and_nothing_else(batch):
    corpus, out, _, _, _ = batch
    found: dict[str, set] = {}
    for path in (out / "reports").iterdir():
        data = json.loads(path.read_text(encoding="utf-8"))
        cols = {f["evidence"][1]["column"] for f in data["findings"] if f["code"] == "CY001"}
        if cols and not data["report"]["source"].startswith(str(corpus / "synth")):
            found[_rel(corpus, data["report"]["source"])] = cols
    assert found == INJECTED
    lines = [r for r in _rows(out, "findings.csv") if r["code"] == "CY001" and "synth" not in r["source"]]
    assert len(lines) == sum(len(c) for c in INJECTED.values())  # severities: the model's (tests/checks)


def test_generated_pairs_are_paired_and_their_carry_over_errors_found(batch):
    corpus, out, _, _, _ = batch
    gold = {p.name[:-len(".gold.json")]: json.loads(p.read_text(encoding="utf-8"))
            for p in (corpus / "synth").glob("*.gold.json")}
    rows = {Path(r["source"]).name: r for r in _rows(out, "reports.csv") if "/synth/" in r["source"]}
    for name, row in rows.items():  # never across agencies: a pair's two reports have one agency
        if row["previous"]:
            prev = Path(row["previous"]).name
            assert prev in gold and gold[prev]["agency"] == gold[name]["agency"], (name, prev)
    expected_pairs = {n: g["previous"] for n, g in gold.items() if g.get("previous")}
    assert expected_pairs and all(Path(rows[n]["previous"]).name == p for n, p in expected_pairs.items())
    injected = {n for n, g in gold.items() if any(f["check"] == "cross_year.carry_over" for f in g["findings"])}
    assert injected  # the generator injected some
    for name in expected_pairs:
        data = json.loads((out / "reports" / f"synth__{name}.json").read_text(encoding="utf-8"))
        totals = [f for f in data["findings"] if f["code"] == "CY001" and f["evidence"][1]["column"] == "total"]
        assert bool(totals) == (name in injected), name


def test_copied_paragraphs_are_reported_with_their_source(batch):
    corpus, out, _, _, _ = batch
    rows = {_rel(corpus, r["source"]): r for r in _rows(out, "reports.csv")}
    ht = json.loads((out / "reports" / "ht-2023.txt.json").read_text(encoding="utf-8"))
    (f,) = [f for f in ht["findings"] if f["code"] == "MT004"]
    assert "其他单位（张店区人民政府）" in f["message"] and f["evidence"][1]["kind"] == "source"
    assert _rel(corpus, f["evidence"][1]["source"]) == "zdgov-2022.txt"
    zd = json.loads((out / "reports" / "zd-2023.txt.json").read_text(encoding="utf-8"))
    (f,) = [f for f in zd["findings"] if f["code"] == "MT004"]
    assert "本单位2022年度报告" in f["message"] and _rel(corpus, f["evidence"][1]["source"]) == "sub/zd-2022.txt"
    assert float(rows["ht-2023.txt"]["copied_share"]) > 0 and float(rows["bs-2023.txt"]["copied_share"]) == 0
    assert not [r for r in _rows(out, "findings.csv") if r["code"] == "MT004" and "zdgov-2022" in r["source"]]


def test_summary_goes_to_the_console(batch):
    _, _, _, printed, _ = batch
    assert "批量审核汇总" in printed and "处理失败" in printed and "跨年度配对" in printed


def test_resume_and_exit_codes(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    _write_good(corpus, GOOD[:3])  # 张店区 2021–2023; 2023 carries over 3 for 2 (CY001, medium)
    out = tmp_path / "out"
    assert run_batch([corpus], out, fail_on="medium", console=_quiet()) == 1
    assert run_batch([corpus], out, fail_on="high", resume=True, console=_quiet()) == 0
    stamp = {p.name: p.stat().st_mtime_ns for p in (out / "reports").iterdir()}
    time.sleep(0.01)
    spec = Spec("张店区行政审批服务局", 2021, new_received=(9, 2, 0, 0, 0, 0), carried_forward=_cf(1))
    write_report(corpus, "zd-2021.txt", spec)  # changed: redone, and so is 2022, whose last year it is
    (corpus / "empty.txt").write_bytes(b"")
    assert run_batch([corpus], out, fail_on="medium", resume=True, console=_quiet()) == 3  # failures first
    rows = {_rel(corpus, r["source"]): r for r in _rows(out, "reports.csv")}
    assert [rows[n]["resumed"] for n in ("zd-2021.txt", "sub/zd-2022.txt", "zd-2023.txt")] == ["0", "0", "1"]
    assert rows["empty.txt"]["status"] == "error" and len(rows) == 4
    now = {p.name: p.stat().st_mtime_ns for p in (out / "reports").iterdir()}
    assert now["zd-2023.txt.json"] == stamp["zd-2023.txt.json"] and now["zd-2021.txt.json"] != stamp["zd-2021.txt.json"]
    cy = [r for r in _rows(out, "findings.csv") if r["code"] == "CY001"]  # the resumed report's rows, from JSON
    assert len(cy) == 2 and all(r["source"] == rows["zd-2023.txt"]["source"] for r in cy)


def test_usage_errors_exit_2(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    assert run_batch([corpus], tmp_path / "o", console=_quiet()) == 2  # no inputs
    assert run_batch([tmp_path / "missing"], tmp_path / "o", console=_quiet()) == 2
    _write_good(corpus, [GOOD[0]])
    assert run_batch([corpus], tmp_path / "o", jobs=0, console=_quiet()) == 2
    assert run_batch([corpus], tmp_path / "o", timeout=0, console=_quiet()) == 2
    assert run_batch([corpus], tmp_path / "o", engine="spark", console=_quiet()) == 2
    (tmp_path / "file").write_text("x")
    assert run_batch([corpus], tmp_path / "file", console=_quiet()) == 2


@pytest.mark.parametrize("jobs", [1, 2])
def test_worker_crash_and_timeouts_become_error_rows(tmp_path, jobs):
    corpus = tmp_path / "in"
    corpus.mkdir()
    names = ("a-ok-1.txt", "a-ok-2.txt", "a-ok-3.txt", "b-slow.txt", "c-crash.txt", "d-hang.txt")  # ok ones first: one warm-up
    for i, name in enumerate(names):
        write_report(corpus, name, Spec(f"{'甲乙丙丁戊己'[i]}区人民政府", 2023))
    rc = run_batch([corpus], tmp_path / "out", timeout=2, console=_quiet(), _engine=FlakyEngine(jobs, 2, grace=2))
    assert rc == 3
    rows = {Path(r["source"]).name: r for r in _rows(tmp_path / "out", "reports.csv")}
    assert len(rows) == 6 and len(_rows(tmp_path / "out", "reports.csv")) == 6
    assert rows["c-crash.txt"]["error_code"] == "E902" and HAN.search(rows["c-crash.txt"]["error_message"])
    assert rows["c-crash.txt"]["sha256"]  # known from the scan
    assert rows["d-hang.txt"]["error_code"] == "E901" and rows["b-slow.txt"]["error_code"] == "E901"
    assert HAN.search(rows["d-hang.txt"]["error_message"])
    assert all(rows[n]["status"] == "ok" for n in ("a-ok-1.txt", "a-ok-2.txt", "a-ok-3.txt"))


@pytest.mark.parametrize("shared_storage", [False, True])
def test_dask_engine_gives_the_same_results(tmp_path, shared_storage):
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    corpus = tmp_path / "in"
    corpus.mkdir()
    _write_good(corpus, [GOOD[7], GOOD[8]])  # 淮安市 2022/2023: two CY001 (medium), nothing high
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        rc = run_batch([corpus], tmp_path / "out", engine="dask", scheduler=cluster.scheduler_address,
                       shared_storage=shared_storage, fail_on="high", console=_quiet())
    assert rc == 0
    rows = {Path(r["source"]).name: r for r in _rows(tmp_path / "out", "reports.csv")}
    assert rows["ha-2023.txt"]["previous"].endswith("ha-2022.txt") and rows["ha-2022.txt"]["status"] == "ok"
    assert len([r for r in _rows(tmp_path / "out", "findings.csv") if r["code"] == "CY001"]) == 2
    assert len(list((tmp_path / "out" / "reports").rglob("*.json"))) == 2


def _comparable(out: Path, name: str) -> list[dict]:
    """A results CSV without what differs from run to run (seconds)."""
    return sorted(({k: v for k, v in r.items() if "seconds" not in k} for r in _rows(out, name)),
                  key=lambda r: sorted(r.items()))


def test_dask_on_a_local_multiprocess_cluster_gives_the_local_engines_outputs(tmp_path):
    """The multi-process path on loopback: a two-worker cluster, files in chunks (several chunks
    and a part chunk here), workers reading the files and writing the reports themselves."""
    pytest.importorskip("distributed")
    from auditor_lab.generator import generate_corpus

    corpus = tmp_path / "in"
    generate_corpus(corpus, n=20, seed=7, pairs=True, formats=("txt", "html"))
    (corpus / "empty.txt").write_bytes(b"")
    import auditor.batch.engines as engines

    outs = {}
    for engine in ("local", "dask"):
        outs[engine] = tmp_path / engine
        assert run_batch([corpus], outs[engine], jobs=2, engine=engine, console=_quiet()) == 3  # empty.txt
    files = len(_rows(outs["local"], "reports.csv"))
    assert 1 < engines.chunk_for(files, 2, engines.DaskEngine(None, 2, 60).chunk) < files  # several chunks
    for name in ("reports.csv", "findings.csv"):
        assert _comparable(outs["dask"], name) == _comparable(outs["local"], name), name
    local = sorted(p.name for p in (outs["local"] / "reports").rglob("*.json"))
    assert sorted(p.name for p in (outs["dask"] / "reports").rglob("*.json")) == local and local


def test_cli_batch_command(tmp_path):
    from typer.testing import CliRunner

    from auditor.cli import app

    corpus = tmp_path / "in"
    corpus.mkdir()
    _write_good(corpus, [GOOD[0]])
    runner = CliRunner()
    help_text = runner.invoke(app, ["batch", "--help"]).output
    assert "退出码" in help_text and "--timeout" in help_text
    res = runner.invoke(app, ["batch", str(corpus), "--out", str(tmp_path / "out"), "--timeout", "0"])
    assert res.exit_code == 2  # the option reaches run_batch, which refuses it
    res = runner.invoke(app, ["batch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2


def _contract(out: Path) -> dict[str, dict]:
    """Each report JSON with the timings (which differ run to run) left out."""
    def strip(d):
        if isinstance(d, dict):
            return {k: strip(v) for k, v in d.items() if k not in ("timing_ms", "seconds")}
        return [strip(x) for x in d] if isinstance(d, list) else d
    return {p.name: strip(json.loads(p.read_text(encoding="utf-8"))) for p in (out / "reports").glob("*.json")}


def test_the_ingest_cache_changes_no_output_and_is_removed(tmp_path):
    """The audit pass reads the scan pass's Documents instead of parsing each file again (and last
    year's file once more): text, HTML and DOCX, paired, give the same reports either way."""
    from auditor_lab.generator import generate_corpus

    corpus = tmp_path / "in"
    generate_corpus(corpus, n=6, seed=5, pairs=True, formats=("txt", "html", "docx"))  # a pair of each
    (corpus / "empty.txt").write_bytes(b"")
    runs = {}
    for cached in (True, False):
        out = tmp_path / f"out-{cached}"
        assert run_batch([corpus], out, jobs=2, console=_quiet(), _ingest_cache=cached) == 3  # empty.txt fails
        assert not (out / ".ingested").exists()
        runs[cached] = (_contract(out), sorted((r["source"], r["status"], r["previous"], r["findings"])
                                               for r in _rows(out, "reports.csv")))
    assert runs[True] == runs[False]
    reports, rows = runs[True]
    assert len(reports) == 6 and sum(1 for r in rows if r[2]) == 3  # each later year reads last year's from the cache
    kinds = {r["report"]["input_kind"] for r in reports.values()}
    assert kinds == {"text", "html", "docx"}


def test_a_cached_document_round_trips_and_a_bad_cache_file_is_ignored(tmp_path):
    from auditor.batch.tasks import recall_document, remember_document
    from auditor.ingest.document import Document, DocumentMeta

    meta = DocumentMeta("a.txt", "ab" * 32, "pdf", None, 1234, 5)
    doc = Document("2023年收到申请3件\udcff。", meta, warnings=("PDF 第 2 页损坏，未读取。",))  # a lone surrogate too
    remember_document(str(tmp_path), doc)
    back = recall_document(str(tmp_path), "elsewhere/b.txt", doc.meta.sha256)
    assert back.text == doc.text and back.warnings == doc.warnings
    assert back.meta == doc.meta.__class__(**{**doc.meta.__dict__, "source": str(Path("elsewhere/b.txt"))})
    assert recall_document(str(tmp_path), "a.html", doc.meta.sha256) is None  # same bytes, read another way
    (tmp_path / f"{doc.meta.sha256}.txt.json").write_text("{not json", encoding="utf-8")
    assert recall_document(str(tmp_path), "a.txt", doc.meta.sha256) is None  # the audit parses the file instead
    assert recall_document(None, "a.txt", doc.meta.sha256) is None
    assert recall_document(str(tmp_path), "a.txt", "0" * 64) is None


def test_the_audit_pass_reads_the_scan_pass_copy_not_the_file(tmp_path):
    from auditor.batch.tasks import AuditTask, ScanTask, audit, scan

    write_report(tmp_path, "a-2023.txt", Spec("甲区人民政府", 2023))
    path = str(tmp_path / "a-2023.txt")
    cache = tmp_path / "cache"
    cache.mkdir()
    scanned = scan(ScanTask(path, MAX_BYTES, 30, str(cache)))
    assert scanned.failure is None and len(list(cache.iterdir())) == 1
    os.remove(path)  # gone after the scan: only the scan's copy can be audited
    got = audit(AuditTask(path, MAX_BYTES, 30, scanned.sha256, cache_dir=str(cache)))
    assert got.failure is None and got.result["report"]["sha256"] == scanned.sha256
    assert got.result["report"]["source"] == path
    missing = audit(AuditTask(path, MAX_BYTES, 30, scanned.sha256))
    assert missing.failure is not None and "不存在" in missing.failure.message


def test_a_worker_dying_between_tasks_blames_none_and_one_that_never_runs_a_task_fails_in_the_end(tmp_path):
    from auditor.batch.engines import _MAX_BREAKS, LocalEngine
    from batchkit import always_die, die_once

    tasks_ = [(str(tmp_path / f"m{i}"), i) for i in range(6)]
    with LocalEngine(2, timeout=30) as eng:
        got = list(eng.run(die_once, tasks_, lambda task, failure: failure))
        assert sorted(got) == list(range(6))  # every task ran again on a new worker and succeeded
        failures = list(eng.run(always_die, ["x", "y"], lambda task, failure: (task, failure.code)))
        assert sorted(failures) == [("x", "E902"), ("y", "E902")]
        assert list(eng.run(die_once, [(str(tmp_path / "m0"), "still working")], None)) == ["still working"]
    assert _MAX_BREAKS >= 2


def test_a_task_goes_to_the_worker_that_ran_the_one_it_follows():
    from auditor.batch.engines import LocalEngine
    from batchkit import whose

    chains = [[f"{c}{y}" for y in range(2020, 2024)] for c in "abcd"]
    follows = {t: (c[i - 1] if i else None) for c in chains for i, t in enumerate(c)}
    order = [t for c in chains for t in c]
    with LocalEngine(2, timeout=30) as eng:
        pid = dict(eng.run(whose, order, None, chain=lambda t: (t, follows[t])))
        assert sorted(pid) == sorted(order)
        assert all(len({pid[t] for t in c}) == 1 for c in chains)  # each chain on one worker
        assert len(set(pid.values())) == 2  # and both workers busy
        plain = dict(eng.run(whose, order, None))
    assert sorted(plain) == sorted(order)


def test_two_reports_that_follow_one_go_to_the_worker_that_ran_it():
    """A report followed by two of next year (a batch holding two versions of one agency's report):
    the second follower is not its worker's last task any more, and still goes where the analysis
    it needs is (a worker keeps its last ``ANALYSES_KEPT``); before, it went to whichever worker
    was free and that worker analysed last year's report again."""
    from auditor.batch.engines import LocalEngine
    from batchkit import whose

    follows = {}
    for c in "abcdef":
        follows |= {f"{c}1": None, f"{c}2": f"{c}1", f"{c}2b": f"{c}1", f"{c}3": f"{c}2"}
    order = list(follows)
    with LocalEngine(2, timeout=30) as eng:
        pid = dict(eng.run(whose, order, None, chain=lambda t: (t, follows[t])))
    assert sorted(pid) == sorted(order)
    assert all(pid[t] == pid[after] for t, after in follows.items() if after)


def test_a_worker_waits_rather_than_take_the_task_that_follows_another_workers_last():
    """The policy behind the test above, without processes: at the end of a batch, where all that
    waits follows another worker's task, an idle worker waits for that worker to take it (it has
    last year's analysis) instead of auditing next year's report without it; that flaked the test
    above whenever one worker ran out of chains first."""
    from collections import deque

    from auditor.batch.engines import LocalEngine, _Slot, _Worker

    eng = LocalEngine(2, timeout=30)
    w0, w1 = _Worker(0, None, None), _Worker(1, None, None)
    w0.recent.append("c2023")
    w1.recent.append("d2022")
    eng._workers = [w0, w1]
    follows = {"d2023": "d2022", "d2024": "d2023", "e2020": None, "x": "y", "y": "x"}
    chain = lambda t: (t, follows[t])  # noqa: E731
    ahead = deque([_Slot(1, "d2023"), _Slot(2, "d2024")])
    assert eng._next_for(w0, ahead, chain) is None and [s.task for s in ahead] == ["d2023", "d2024"]
    # it follows d2022: used again, kept longest, as the worker's Analyses keeps it
    assert eng._next_for(w1, ahead, chain).task == "d2023" and list(w1.recent) == ["d2023", "d2022"]
    ahead.append(_Slot(3, "e2020"))
    assert eng._next_for(w0, ahead, chain).task == "e2020"  # a report that follows none: anyone's
    assert eng._next_for(w1, ahead, chain).task == "d2024"
    cycle = deque([_Slot(4, "x"), _Slot(5, "y")])  # follows no worker: never left waiting
    assert eng._next_for(w0, cycle, chain).task == "x"


def test_a_report_followed_by_more_reports_than_a_worker_keeps_keeps_them_on_its_worker():
    """Twelve reports follow one (a batch of many versions of one agency's report): each goes to the
    worker holding the analysis, which each of them uses again; counted by sends alone, the worker
    seemed to have dropped it after ``ANALYSES_KEPT`` and the rest went to the other worker."""
    from collections import deque

    from auditor.batch.engines import LocalEngine, _Slot, _Worker
    from auditor.batch.tasks import ANALYSES_KEPT

    eng = LocalEngine(2, timeout=30)
    w0, w1 = _Worker(0, None, None), _Worker(1, None, None)
    w0.recent.append("a2022")
    eng._workers = [w0, w1]
    followers = [f"a2023-{i}" for i in range(ANALYSES_KEPT + 4)]
    chain = lambda t: (t, "a2022" if t != "a2022" else None)  # noqa: E731
    ahead = deque(_Slot(i, t) for i, t in enumerate(followers))
    for t in followers:
        assert eng._next_for(w1, ahead, chain) is None, t  # the other worker waits: not its analysis
        assert eng._next_for(w0, ahead, chain).task == t


def test_dask_tasks_are_large_for_a_large_batch_and_several_a_thread_for_a_small_one():
    from auditor.batch.engines import DASK_CHUNK, chunk_for

    assert chunk_for(150_000, 64, DASK_CHUNK) == DASK_CHUNK  # one round trip to the scheduler for many files
    assert chunk_for(None, 2, DASK_CHUNK) == DASK_CHUNK
    assert chunk_for(200, 64, DASK_CHUNK) == 1  # a small batch on a big cluster: every thread busy
    assert chunk_for(100, 2, DASK_CHUNK) == 13  # 8 tasks for 2 threads, 4 each
    assert chunk_for(0, 2, DASK_CHUNK) == DASK_CHUNK and chunk_for(1, 2, DASK_CHUNK) == 1


def test_a_run_abandoned_midway_leaves_nothing_for_the_next():
    from auditor.batch.engines import LocalEngine
    from batchkit import whose

    with LocalEngine(2, timeout=30) as eng:
        first = eng.run(whose, [f"old{i}" for i in range(20)], None)
        next(first)
        first.close()  # the consumer stopped: tasks are still queued on the workers
        got = [task for task, _ in eng.run(whose, [f"new{i}" for i in range(6)], None)]
    assert sorted(got) == sorted(f"new{i}" for i in range(6))


def test_workers_that_die_as_they_start_end_the_batch_with_one_clear_error(tmp_path):
    """A script that calls run_batch without a main guard re-runs itself in every worker, which
    then dies before its first file: one Chinese usage error (exit 2), not every file failing slowly."""
    import subprocess
    import sys

    (tmp_path / "in").mkdir()
    for i in range(6):
        (tmp_path / "in" / f"r{i}.txt").write_text(report_text(Spec(agency=f"某局{i}", year=2023)), encoding="utf-8")
    script = tmp_path / "unguarded.py"
    script.write_text("import sys\nfrom auditor.batch import run_batch\n"
                      f"sys.exit(run_batch([{str(tmp_path / 'in')!r}], {str(tmp_path / 'out')!r}, jobs=1))\n",
                      encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "工作进程" in done.stderr and "__main__" in done.stderr
