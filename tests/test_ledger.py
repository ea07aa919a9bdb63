"""The batch's ledger: what the parent knows of each file lives on disk, so its memory does not grow
with the batch; the copy search pages through the paragraphs and samples the common 5-grams."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import auditor.across.copy_index as copy_index
from auditor.across.copy_index import find_copies
from auditor.across.similarity import CorpusDoc, Paragraph, corpus_doc
from auditor.batch.ledger import Ledger
from auditor.batch.tasks import ScanResult
from reportkit import PHRASES, Spec, report_text

PLACES = ["张店区", "淄川区", "博山区", "临淄区", "周村区", "桓台县", "高青县", "沂源县"]
ORGS = ["人民政府", "发展和改革局", "教育局", "民政局", "财政局", "卫生健康局", "司法局", "自然资源局"]


def _scan(path: str, i: int, rng: np.random.Generator) -> ScanResult:
    """A report as the scan pass returns it: agency, year, and paragraphs of random 5-gram hashes
    (every other report copies one paragraph of the report before it: last year's, same agency)."""
    agency = f"{PLACES[(i // 2) % len(PLACES)]}{ORGS[(i // 16) % len(ORGS)]}{i // 128 or ''}"
    paras = [Paragraph(100 * k, 100 * k + 60, np.unique(rng.integers(1, 2**63, 40, dtype=np.uint64)), f"段落{k}")
             for k in range(4)]
    if i % 2:
        copied = np.unique(np.random.default_rng(i - 1).integers(1, 2**63, 40, dtype=np.uint64))
        paras[0] = Paragraph(0, 60, copied, "抄")
    return ScanResult(path, f"{i:064x}", agency, 2022 + i % 2, CorpusDoc(path, f"{i:064x}", agency, 2022 + i % 2, tuple(paras)))


def _plan_a_batch(tmp_path, n: int) -> tuple[int, int, int]:
    """Everything the parent does between finding the files and auditing them; returns (pairs, copies,
    tasks) and leaves tracemalloc's peak to the caller."""
    folder = tmp_path / f"in{n}"
    folder.mkdir()
    for i in range(n):
        (folder / f"r{i:05d}.txt").touch()
    tracemalloc.start()
    ledger = Ledger(tmp_path / f"ledger{n}.sqlite")
    try:
        assert ledger.add_inputs([folder], exclude=None) == n
        for i, path in enumerate(ledger.paths()):
            ledger.record_scan(_scan(path, i, np.random.default_rng(i)))
        pairs = ledger.pair()
        copied = ledger.copies.find()
        order = ledger.plan(lambda *a: True)
        tasks = sum(1 for _ in ledger.audit_tasks(order, lambda *a: a[0]))
    finally:
        ledger.close()
    return pairs, copied, tasks


def test_the_parents_memory_does_not_grow_with_the_batch(tmp_path, monkeypatch):
    import auditor.batch.ledger as ledger

    monkeypatch.setattr(copy_index, "COMMON_SAMPLE", 300)  # beyond the sample, nothing kept grows with n
    for module in (copy_index, ledger):
        monkeypatch.setattr(module, "PAGE", 256)  # pages that 500 reports already fill
    peaks = {}
    for n in (500, 2500):
        pairs, copied, tasks = _plan_a_batch(tmp_path, n)
        peaks[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert (pairs, tasks, copied) == (n // 2, n, n // 2)  # the later year copies; the earlier has no source
    # integer arrays of the batch's size remain (8 bytes a file each): far below a report's signatures
    assert peaks[2500] < 1.1 * peaks[500] + 64 * 2500, peaks


def test_pairs_and_copies_found_through_the_ledger_are_those_in_memory(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(60):
        (folder / f"r{i:02d}.txt").touch()
    ledger = Ledger(tmp_path / "ledger.sqlite")
    assert ledger.add_inputs([folder], None) == 60
    scans = []
    for i, path in enumerate(ledger.paths()):
        scans.append(_scan(path, i, np.random.default_rng(i)))
        ledger.record_scan(scans[-1])
    ledger.pair()
    ledger.copies.find()
    expected = find_copies([s.corpus for s in scans])
    got = {s.source: ledger.copies.result(ledger.file(s.source)[0]) for s in scans}
    ledger.close()
    assert got == expected and sum(1 for r in got.values() if r.matches) == 30


def test_common_wording_is_still_found_from_a_sample_of_the_batch(monkeypatch):
    shared = "，".join(PHRASES[:12]) + "。"
    docs = [corpus_doc(f"r{i}", report_text(Spec(f"{p}人民政府", 2023, seed=i, extra_paragraphs=(shared,))),
                       sha256=f"r{i}", agency=f"{p}人民政府", year=2023) for i, p in enumerate(PLACES * 2)]
    assert all(r.matches == () for r in find_copies(docs).values())
    monkeypatch.setattr(copy_index, "COMMON_SAMPLE", 10)  # 10 of the 16 reports counted
    assert all(r.matches == () for r in find_copies(docs).values())


@pytest.mark.parametrize("names", [["b.txt", "a/c.txt", "a.b.txt", "A.TXT"], ["x/y/z.txt", "x.txt", "x-y.txt"]])
def test_inputs_come_in_path_order_and_names_never_clash(tmp_path, names):
    folder = tmp_path / "in"
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).touch()
    (folder / ".hidden.txt").touch()
    (folder / "r.gold.json").touch()
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.add_inputs([folder, folder / names[0]], None)  # the same file twice: once
    paths = list(ledger.paths())
    results = [ledger.file(p)[1] for p in paths]
    ledger.close()
    assert paths == [str(p) for p in sorted(folder / n for n in names)]
    assert len({r.lower() for r in results}) == len(results)


def test_a_linked_folder_is_followed_once_and_a_link_back_up_ends_there(tmp_path):
    from auditor.batch.inputs import found

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.txt").touch()
    folder = tmp_path / "in"
    (folder / "2023").mkdir(parents=True)
    (folder / "2023" / "a.txt").touch()
    (folder / "2024").symlink_to(elsewhere, target_is_directory=True)
    (folder / "2023" / "up").symlink_to(folder, target_is_directory=True)  # a cycle
    (folder / "again").symlink_to(elsewhere, target_is_directory=True)  # the same folder twice
    rels = sorted(f.rel for f in found(folder))
    assert rels in (["2023/a.txt", "2024/b.txt"], ["2023/a.txt", "again/b.txt"])


def test_a_folder_that_cannot_be_read_is_an_input_that_fails_not_a_silent_gap(tmp_path, monkeypatch):
    import os

    import auditor.batch.inputs as inputs
    import auditor.ingest as ingest
    from auditor.errors import AuditorError

    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "hidden-from-us.txt").touch()
    (folder / "a.txt").touch()
    real_scandir = os.scandir

    def scandir(path):  # as for a folder without read permission (the tests may run as root)
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(inputs.os, "scandir", scandir)
    got = {f.rel: f for f in inputs.found(folder)}
    assert set(got) == {"a.txt", "locked"} and got["locked"].path == str(folder / "locked")
    monkeypatch.setattr(ingest.os, "access", lambda path, mode: False)
    with pytest.raises(AuditorError) as err:
        ingest.read_document(got["locked"].path)
    assert err.value.code == "E111" and "无法读取目录" in str(err.value) and "locked" in str(err.value)
