"""Scanned pages the tests make themselves: lines of text drawn with the machine's CJK font into an
image-only PDF (no text layer), or a text-layer PDF rasterized by ``auditor_lab.scan``."""
from __future__ import annotations

import io
import shutil
import subprocess
from importlib import util

import pytest


def need_ocr() -> None:
    if util.find_spec("rapidocr") is None or util.find_spec("onnxruntime") is None:
        pytest.skip("the ocr extra is not installed (pip install -e '.[ocr]'; the test extra includes it)")


def cjk_font() -> str:
    if shutil.which("fc-list") is None:
        pytest.skip("no fontconfig to find a CJK font (.ci/run installs Debian fonts-noto-cjk)")
    listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True).stdout.split("\n")
    paths = sorted({line.split(":")[0].strip() for line in listed if line.strip()})
    paths = [p for p in paths if p.lower().endswith((".ttf", ".ttc", ".otf"))]
    if not paths:
        pytest.skip("no CJK font to draw Chinese (.ci/run installs Debian fonts-noto-cjk)")
    return min(paths, key=lambda p: ("Regular" not in p, "Sans" not in p, p))


def drawn_pdf(pages: list[list[str]], *, dpi: int = 200, size: int = 11) -> bytes:
    """An image-only A4 PDF: each page's lines drawn at ``size`` points, one under the other."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(cjk_font(), round(size * dpi / 72))
    images = []
    for lines in pages:
        img = Image.new("RGB", (round(8.27 * dpi), round(11.69 * dpi)), "white")
        draw = ImageDraw.Draw(img)
        y = dpi
        for line in lines:
            draw.text((dpi, y), line, font=font, fill="black")
            y += round(size * dpi / 72 * 1.8)
        images.append(img)
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=float(dpi))
    return out.getvalue()
