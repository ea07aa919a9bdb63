"""Compare OCR engines on the shared PDFs rendered at 200 dpi: how the engine of the ``ocr`` extra
was chosen (docs/ocr.md). Each engine lives in its own virtual environment:

    python3 -m venv /tmp/v4 && /tmp/v4/bin/pip install rapidocr-onnxruntime pypdfium2
    python3 -m venv /tmp/v6 && /tmp/v6/bin/pip install rapidocr onnxruntime pypdfium2
    apt-get install tesseract-ocr tesseract-ocr-chi-sim            # tess: the Debian binary

    /tmp/v4/bin/python eval/ocr_engines.py v4 [big]
    /tmp/v6/bin/python eval/ocr_engines.py v6 [big]
    /tmp/v6/bin/python eval/ocr_engines.py tess

Per page, the recognised characters are compared with the text layer's as bags of characters
(reading order aside): recall and precision of all characters and of the digits alone, and the
seconds of recognition (rendering excluded). ``big``: detection on a larger image (limit side
1600, max side 3000).
"""
from __future__ import annotations

import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REAL = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "real"
PDFS = ["hongze-2023.pdf", "hongze-2024.pdf", "huaian-2024.pdf"]


def engine(name: str, variant: str):
    """A function image -> recognised texts."""
    if name == "v4":
        from rapidocr_onnxruntime import RapidOCR

        kw = dict(det_limit_side_len=1600, det_limit_type="min", max_side_len=3000) if variant == "big" else {}
        ocr = RapidOCR(**kw)
        return lambda img: [t for _, t, _ in (ocr(img)[0] or [])]
    if name == "v6":
        from rapidocr import RapidOCR

        params = {"Global.log_level": "error"}
        if variant == "big":
            params.update({"Det.limit_side_len": 1600, "Global.max_side_len": 3000})
        ocr = RapidOCR(params=params)
        return lambda img: list(ocr(img).txts or ())
    if name == "tess":
        from PIL import Image

        def run(img):
            with tempfile.NamedTemporaryFile(suffix=".png") as f:
                Image.fromarray(img).save(f.name)
                out = subprocess.run(["tesseract", f.name, "-", "-l", "chi_sim", "--psm", "11"],
                                     capture_output=True, text=True).stdout
            return [line for line in out.splitlines() if line.strip()]
        return run
    raise SystemExit(f"unknown engine {name}: v4, v6 or tess")


def bag(s: str, digits: bool = False) -> collections.Counter:
    return collections.Counter(ch for ch in s if not ch.isspace() and (ch.isdigit() or not digits))


def main() -> None:
    import numpy as np
    import pypdfium2 as pdfium

    name, variant = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
    ocr = engine(name, variant)
    tally = collections.Counter()
    seconds = pages = 0
    for pdf_name in PDFS:
        pdf = pdfium.PdfDocument(str(REAL / pdf_name))
        for i in range(len(pdf)):
            page = pdf[i]
            truth = page.get_textpage().get_text_range()
            img = np.array(page.render(scale=200 / 72).to_pil().convert("RGB"))
            t0 = time.perf_counter()
            got = "".join(ocr(img))
            seconds += time.perf_counter() - t0
            pages += 1
            for kind, digits in (("all", False), ("digits", True)):
                a, b = bag(truth, digits), bag(got, digits)
                tally[kind] += sum(a.values())
                tally[kind + "_hit"] += sum((a & b).values())
                tally[kind + "_got"] += sum(b.values())
    rates = {k: (tally[k + "_hit"] / tally[k], tally[k + "_hit"] / max(1, tally[k + "_got"])) for k in ("all", "digits")}
    print(f"{name} {variant or 'default'}: {seconds / pages:.2f} s/page over {pages} pages; "
          f"characters R {rates['all'][0]:.4f} P {rates['all'][1]:.4f}; digits R {rates['digits'][0]:.4f} P {rates['digits'][1]:.4f}")


if __name__ == "__main__":
    main()
