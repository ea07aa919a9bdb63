"""Scanned copies of reports, for the OCR tests and evaluation: a text-layer PDF rasterized into an
image-only PDF at a resolution, with mild noise and a small rotation if asked, as a scanner or a
"print to image" leaves them. Generated reports get their text-layer PDF from Chromium printing
their HTML rendering (``print_pdf``, about a second a report), as the format tests do, or, without a
browser and a hundred times faster, from ``auditor_lab.pdfgen.render_pdf``."""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Condition", "CONDITIONS", "browser", "print_pdf", "scanned"]


@dataclass(frozen=True)
class Condition:
    """How a page is scanned: ``noise`` is the standard deviation of Gaussian grey-level noise (0–255
    scale) plus as many dark specks per million pixels; ``rotate`` is in degrees, anticlockwise."""

    name: str
    dpi: int = 200
    noise: float = 0.0
    rotate: float = 0.0


CONDITIONS = (
    Condition("clean-200"),
    Condition("clean-150", dpi=150),
    Condition("clean-300", dpi=300),
    Condition("noise-200", noise=12.0),
    Condition("rot+2-200", rotate=2.0),
    Condition("rot-2-200", rotate=-2.0),
    Condition("noise+rot-1.5-200", noise=12.0, rotate=-1.5),
)


def browser() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def print_pdf(html: bytes, *, chromium: str | None = None, timeout: float = 120) -> bytes:
    """The HTML page printed to PDF by headless Chromium (text layer, the machine's CJK font)."""
    chromium = chromium or browser()
    if chromium is None:
        raise RuntimeError("Chromium is needed to print generated reports to PDF")
    with tempfile.TemporaryDirectory() as tmp:
        page, pdf = Path(tmp) / "r.html", Path(tmp) / "r.pdf"
        page.write_bytes(html)
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer",
                        f"--print-to-pdf={pdf}", page.as_uri()], check=True, capture_output=True, timeout=timeout)
        return pdf.read_bytes()


def scanned(pdf: bytes, condition: Condition = CONDITIONS[0], *, seed: int = 0) -> bytes:
    """An image-only PDF of ``pdf``'s pages as scanned under ``condition``."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    rng = np.random.default_rng(seed)
    doc = pdfium.PdfDocument(pdf)
    pages = []
    try:
        for i in range(len(doc)):
            img = doc[i].render(scale=condition.dpi / 72).to_pil().convert("L")
            if condition.rotate:
                img = img.rotate(condition.rotate, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
            if condition.noise:
                px = np.asarray(img, dtype=np.float32)
                px = px + rng.normal(0.0, condition.noise, px.shape)
                specks = rng.random(px.shape) < condition.noise * 1e-6
                px[specks] = 0
                img = Image.fromarray(np.clip(px, 0, 255).astype(np.uint8))
            pages.append(img.convert("RGB"))
    finally:
        doc.close()
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=float(condition.dpi))
    return out.getvalue()
