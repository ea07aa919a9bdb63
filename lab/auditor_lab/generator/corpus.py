"""Public entry points: one report as (text, gold), or a corpus of files with gold files."""
from __future__ import annotations

import json
import random
from pathlib import Path

from .formats import render_docx, render_html
from .report import SynthReport, build_report

FORMAT_EXT = {"txt": "txt", "html": "html", "docx": "docx", "pdf": "pdf"}


def generate_report(seed: int, *, fmt: str = "2021", layout: str = "lines", errors: int | None = None,
                    year: int | None = None, agency: str | None = None, families=None) -> tuple[str, dict]:
    """(report text, gold dict); ``errors=None`` injects a random 0..4 defects.

    ``families`` restricts injection to some check families (e.g. ``("narrative.sum",)``).
    """
    r = build_report(seed, fmt=fmt, layout=layout, errors=errors, year=year, agency=agency, families=families)
    return r.text, r.gold


def _write(out: Path, name: str, report: SynthReport, file_format: str, rng: random.Random) -> Path:
    path = out / name
    if file_format == "txt":
        path.write_text(report.text, encoding="utf-8")
    elif file_format == "html":
        gbk = rng.random() < 0.3
        path.write_bytes(render_html(report, encoding="gbk" if gbk else "utf-8", declare_charset=not gbk))
    elif file_format == "pdf":
        from auditor_lab.pdfgen import render_pdf  # lazy: reportlab is only needed for PDFs

        path.write_bytes(render_pdf(report))
    else:
        path.write_bytes(render_docx(report))
    gold = {**report.gold, "report": name}
    (out / f"{name}.gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def _format_for(rng: random.Random, year: int | None = None) -> tuple[str, int | None]:
    if year is not None:
        return ("2019" if year <= 2020 else "2021"), year
    if rng.random() < 0.12:
        return "2019", (rng.choice((2019, 2020)) if rng.random() < 0.8 else rng.choice((2022, 2023)))
    return "2021", None


def generate_corpus(out_dir, n: int, seed: int, *, layouts=("lines", "rows", "glued", "tabs"), formats=("txt",),
                    pairs: bool = False, errors: int | None = None) -> list[Path]:
    """Write ``n`` reports and their ``FILE.gold.json`` into ``out_dir``; return the report paths.

    HTML, DOCX and PDF reports are written from the ``tabs`` layout (what ingest makes of them; PDFs by
    ``auditor_lab.pdfgen``, ruled tables on A4 pages), so their gold quotes are those of the ``tabs`` text.
    With ``pairs=True`` reports come as consecutive years of one agency (``p003-<agency>-2022.txt``,
    ``p003-<agency>-2023.txt``); the later one's gold names the earlier as ``previous`` and
    lists the cross-year findings.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"corpus:{seed}")
    # round-robin over shuffled formats and layouts: even a small corpus holds every one
    formats, layouts = rng.sample(list(formats), len(formats)), rng.sample(list(layouts), len(layouts))
    paths: list[Path] = []
    i = txt = 0
    while len(paths) < n:
        file_format = formats[i % len(formats)]
        layout = "tabs"
        if file_format == "txt":
            layout, txt = layouts[txt % len(layouts)], txt + 1
        ext = FORMAT_EXT[file_format]
        report_seed = rng.randrange(2**31)
        if pairs and len(paths) + 2 <= n:
            first_year = rng.randint(2020, 2024)
            fmt, year = _format_for(rng, first_year)
            first = build_report(report_seed, fmt=fmt, layout=layout, errors=errors, year=year)
            second_year = first_year + 1
            fmt2, _ = _format_for(rng, second_year)
            second = build_report(rng.randrange(2**31), fmt=fmt2, layout=layout, errors=errors, year=second_year,
                                  previous=first, families=None)
            stem = f"p{i:03d}-{first.agency.slug}"
            a = _write(out, f"{stem}-{first.year}.{ext}", first, file_format, rng)
            b_name = f"{stem}-{second.year}.{ext}"
            second = SynthReport(**{**second.__dict__, "gold": {**second.gold, "previous": a.name}})
            paths += [a, _write(out, b_name, second, file_format, rng)]
        else:
            fmt, year = _format_for(rng)
            r = build_report(report_seed, fmt=fmt, layout=layout, errors=errors, year=year)
            paths.append(_write(out, f"{i:03d}-{r.agency.slug}-{r.year}.{ext}", r, file_format, rng))
        i += 1
    return paths
