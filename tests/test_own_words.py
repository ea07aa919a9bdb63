"""The project's text is its own: no run of a real report's wording in the repository.

Two checks, both against the shared real reports beside the checkout (``../shared``; skipped cleanly
when it is absent):

- every line of the repository (``../shared/tools/copied.py``: text and HTML reports);
- the report generator (``lab/auditor_lab/generator``), the one place that writes report prose, more
  strictly: the whole of each file with its line breaks taken out and each string literal with its
  implicit concatenations joined, against every real report (``real``, ``wild``, ``snippets``; PDFs
  by their text layer too). A run of ``RUN`` (12) or more Han characters shared with a report fails,
  unless it lies inside the allowed wording: the statutory labels and headings (the packaged
  templates, and ``../shared/spec/format-2021.md``) and the names of laws and notices and the
  standard formulae listed in ``ALLOWED`` below.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
COPIED = SHARED / "tools" / "copied.py"
CORPORA = [SHARED / "corpora" / name for name in ("real", "wild", "snippets")]
GENERATOR = REPO / "lab" / "auditor_lab" / "generator"
TEMPLATES = sorted((REPO / "auditor" / "template").glob("format_*.yaml"))
RUN = 12  # stricter than the 16 of copied.py, which the generator passed even when it held 31 copied runs of 12+

# Wording every report may share: names of laws and notices, standard political formulae and the
# statutory sentences the format asks every report to carry. The statutory labels and headings come
# from the templates and the format itself (see statutory()).
ALLOWED = (
    "中华人民共和国政府信息公开条例", "政府信息公开信息处理费管理办法", "中华人民共和国政府信息公开工作年度报告格式",
    "国务院办公厅政府信息与政务公开办公室", "坚持以习近平新时代中国特色社会主义思想为指导",
    "习近平新时代中国特色社会主义思想", "全面贯彻党的十九大和十九届历次全会精神", "全面贯彻党的二十大和二十届历次全会精神",
    "全面贯彻党的二十大精神", "本年度人大代表建议和政协提案办理情况", "本单位在政务公开制度",
    "内容、形式和平台建设方面的创新实践情况", "因政府信息公开工作被申请行政复议", "提起行政诉讼情况",
    "政府信息公开工作存在的主要问题及改进情况", "本年度报告中所列数据的统计期限", "本报告中所列数据的统计期限",
    "行政机关不再处理其政府信息公开申请",
)
SPACE = re.compile(r"[\s\u3000\u00a0]+")
HAN = re.compile(r"[\u4e00-\u9fff]+")


def _han_strings(node) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _han_strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _han_strings(v)]
    return HAN.findall(str(node)) if isinstance(node, str) else []


@lru_cache(maxsize=1)
def statutory() -> tuple[str, ...]:
    """The allowed phrases, longest first (Han runs of four or more characters)."""
    phrases = set(ALLOWED)
    for path in TEMPLATES:
        phrases.update(_han_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    spec = SHARED / "spec" / "format-2021.md"
    if spec.is_file():
        phrases.update(HAN.findall(SPACE.sub("", spec.read_text(encoding="utf-8"))))
    return tuple(sorted((p for p in phrases if len(p) >= 4), key=len, reverse=True))


def _pdf_text(path: Path) -> str:
    try:
        import pypdfium2
    except ImportError:  # the text layer of the PDFs is then not compared
        return ""
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return "".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


@lru_cache(maxsize=1)
def report_windows() -> frozenset[str]:
    """Every run of RUN Han characters of every shared report."""
    windows: set[str] = set()
    for folder in CORPORA:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".txt", ".html", ".htm"):
                text = path.read_text(encoding="utf-8", errors="ignore")
            elif path.suffix == ".pdf":
                text = _pdf_text(path)
            else:
                continue
            for run in HAN.findall(SPACE.sub("", text)):
                windows.update(run[i:i + RUN] for i in range(len(run) - RUN + 1))
    return frozenset(windows)


def shared_runs(text: str, windows: frozenset[str]) -> list[str]:
    """The longest runs of ``text`` shared with a report, once the allowed wording is cut out."""
    allowed = statutory()
    joined = "|".join(allowed)  # a window inside one allowed phrase (one cut short) is allowed too
    text = re.sub("|".join(map(re.escape, allowed)), "|", SPACE.sub("", text))
    found = []
    for run in HAN.findall(text):
        i = 0
        while i + RUN <= len(run):
            w = run[i:i + RUN]
            if w in windows and w not in joined:
                j = i + RUN
                while j < len(run) and run[j - RUN + 1:j + 1] in windows:
                    j += 1
                found.append(run[i:j])
                i = j
            else:
                i += 1
    return found


def _pieces(path: Path) -> list[tuple[str, str]]:
    """(where, text) pieces of a generator file: the whole file, and each string literal."""
    text = path.read_text(encoding="utf-8", errors="ignore")
    pieces = [(str(path.relative_to(REPO)), text)]
    if path.suffix == ".py":
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                pieces.append((f"{path.relative_to(REPO)}:{node.lineno}", node.value))
    return pieces


def need_shared() -> None:
    if not any(folder.is_dir() for folder in CORPORA):
        pytest.skip(f"the shared real reports ({SHARED / 'corpora'}) are only beside the checkout in CI")


def test_the_generator_writes_its_own_text():
    need_shared()
    windows = report_windows()
    assert windows, "no report text read from the shared corpora"
    files = [p for p in sorted(GENERATOR.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    assert any(p.name == "phrases.py" for p in files)
    hits = [f"{where}: {run}" for path in files for where, text in _pieces(path)
            for run in shared_runs(text, windows)]
    assert not hits, (f"{len(hits)} run(s) of {RUN}+ Han characters shared with a real report; write them in "
                      "the project's own words:\n" + "\n".join(sorted(set(hits))[:40]))


def test_the_check_sees_a_copied_run():
    need_shared()
    windows = report_windows()
    sample = next(iter(sorted(windows)))
    assert shared_runs(f"“{sample}”", windows) == [sample]
    assert not shared_runs("“坚持以习近平新时代中国特色社会主义思想为指导”", windows | {"坚持以习近平新时代中国特色社会主义思"})


@pytest.mark.skipif(not COPIED.exists(), reason="../shared/tools/copied.py is only beside the checkout in CI")
def test_no_line_copies_a_real_report():
    out = subprocess.run([sys.executable, str(COPIED), str(REPO)], capture_output=True, text=True, timeout=300)
    assert out.stdout.strip().endswith("0 line(s) hold 16+ consecutive Han characters copied from a real report"), out.stdout[-2000:]
