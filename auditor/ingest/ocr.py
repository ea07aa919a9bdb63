"""Scanned pages -> characters with boxes and confidences (offline OCR, the ``ocr`` extra).

A PDF page without a text layer is rendered (pdfium, ``dpi``) and read by RapidOCR on ONNX
Runtime with the PP-OCRv6 detection and recognition models that ship inside the ``rapidocr``
wheel: their paths are given explicitly, so nothing is ever downloaded. Each recognised
character keeps its own box and confidence. The boxes are then laid out into lines by geometry
(``ocr_layout``), so that the PDF reader sees what a text layer gives it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import util as importlib_util
from pathlib import Path
from typing import Any

from auditor import errors
from auditor.ingest.ocr_layout import (_NUMERIC, _Box, _levelling, _lines, _rules, _skew, _split_boxes, _split_cells,
                                       _straightener)

__all__ = ["OcrSettings", "available", "read_page"]

# (char, left, bottom, right, top, confidence) in PDF points, y upwards, as pdfium's char boxes
Glyph = tuple[str, float, float, float, float, float]


_MAX_SIDE = 4000  # pixels: an A4 page at 340 dpi


@dataclass(frozen=True)
class OcrSettings:
    """``enabled``: read scanned pages at all; ``dpi``: rendering resolution; ``threads``: ONNX
    Runtime threads a page (0: its default, all cores; a batch worker sets 1)."""

    enabled: bool = True
    dpi: int = 200
    threads: int = 0


def available() -> bool:
    return importlib_util.find_spec("rapidocr") is not None and importlib_util.find_spec("onnxruntime") is not None


_ENGINES: dict[int, Any] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(threads: int) -> Any:
    """One recogniser a process and thread setting: loading the models takes about a second."""
    with _ENGINES_LOCK:
        if threads not in _ENGINES:
            if not available():
                raise errors.E109("no_ocr")
            import onnxruntime
            import rapidocr

            onnxruntime.disable_telemetry_events()  # the reports are a government's: nothing leaves the machine

            models = Path(rapidocr.__file__).parent / "models"
            det = sorted(models.glob("*det*.onnx"))
            rec = sorted(models.glob("*rec*.onnx"))
            if not det or not rec:
                raise errors.E109("no_ocr_models", path=str(models))
            params = {
                "Global.log_level": "error",
                "Global.use_cls": False,
                "Global.return_word_box": True,
                "Global.return_single_char_box": True,
                "Det.model_path": str(det[-1]),
                "Rec.model_path": str(rec[-1]),
            }
            if threads > 0:
                params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
                params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
            _ENGINES[threads] = rapidocr.RapidOCR(params=params)
        return _ENGINES[threads]


def read_page(page: Any, settings: OcrSettings) -> list[list[Glyph]]:
    """The lines of a rendered page as pdfium-style character boxes with confidences."""
    import numpy as np

    width, height = page.get_size()
    # a poster-sized page is not rendered poster-sized: at most _MAX_SIDE pixels on its long side
    scale = min(settings.dpi / 72.0, _MAX_SIDE / max(width, height, 1.0))
    pixels = np.asarray(page.render(scale=scale).to_pil().convert("RGB"))
    # every switch given on every call: the recogniser keeps the last call's switches
    result = _engine(settings.threads)(pixels, use_det=True, use_cls=False, use_rec=True)
    if result is None or result.boxes is None or not len(result.boxes):
        return []
    quads = [[(float(x), float(y)) for x, y in q] for q in result.boxes]
    engine = _engine(settings.threads)
    words = result.word_results or [()] * len(quads)
    read = [_lead_in(pixels, quad, text, float(score), word, engine)
            for quad, text, score, word in zip(quads, result.txts, result.scores, words)]
    angle = _levelling(pixels, _skew(quads))
    centre = (pixels.shape[1] / 2, pixels.shape[0] / 2)
    rules, walls = _rules(pixels, angle)
    boxes = _split_boxes(_boxes(read, _straightener(angle, centre)), walls)
    return [[(ch, x0 / scale, height - y1 / scale, x1 / scale, height - y0 / scale, conf)
             for ch, x0, y0, x1, y1, conf in _split_cells(line, walls)] for line in _lines(boxes, rules, walls)]


def _lead_in(pixels: Any, quad: list, text: str, score: float, word, engine) -> tuple:
    """(quad, text, score, characters) of a recognised box, with the characters the detector left
    out between it and a cell border just to its left: a thin first stroke touching the border (一、
    and 二、 of a label set without cell padding) is taken for part of the rule. The strip between
    the border and the box is read again with the box, the border painted out; what precedes the
    box's own text is added when the rest reads the same."""
    import numpy as np

    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    left, right, top, bottom = int(min(xs)), int(max(xs)), int(min(ys)), int(max(ys))
    height = bottom - top
    if height < 8 or left < 4 or not text or (bottom - top) > 1.5 * (right - left) or text[0] in _NUMERIC:
        return quad, text, score, word  # a figure's cell: its digits are boxed whole
    strip = pixels[top:bottom, max(0, left - 2 * height):left].min(axis=2)
    dark = strip < 160
    grey = strip < 210
    grey = grey | np.roll(grey, 1, axis=1)  # a rule a degree or two off upright spans two columns
    walls = np.flatnonzero(grey.mean(axis=0) >= 0.75)  # columns dark (nearly) top to bottom: a rule
    if not len(walls):
        return quad, text, score, word
    start = int(walls[-1]) + 3  # just right of the rule
    ink = np.flatnonzero(dark[:, start:].any(axis=0))
    if dark[:, start:].sum() < 0.02 * height * height or not len(ink):
        return quad, text, score, word
    x0 = max(0, left - 2 * height) + start + int(ink[0])
    crop = pixels[top:bottom, max(0, x0 - 4):right + 2].copy()
    crop[:, :max(0, min(4, x0))] = 255
    again = engine(crop, use_det=False, use_cls=False, use_rec=True)
    if not again.txts or not again.txts[0].endswith(text) or len(again.txts[0]) == len(text) or again.scores[0] < 0.8:
        return quad, text, score, word
    lead = again.txts[0][:-len(text)]
    if any(ch in _NUMERIC for ch in lead):
        return quad, text, score, word
    step = (left - x0) / len(lead)
    added = tuple((ch, float(again.scores[0]), [[x0 + i * step, top], [x0 + (i + 1) * step, top],
                                                [x0 + (i + 1) * step, bottom], [x0 + i * step, bottom]])
                  for i, ch in enumerate(lead))
    grown = [(x0, quad[0][1]), quad[1], quad[2], (x0, quad[3][1])]
    return grown, lead + text, min(score, float(again.scores[0])), added + tuple(word or ())


def _boxes(read: list, straighten) -> list[_Box]:
    boxes = []
    for quad, text, score, word in read:
        text = _normalize(text)
        if not text.strip():
            continue
        x0, y0, x1, y1 = straighten(quad)
        vertical = len(text) > 1 and (y1 - y0) > 1.5 * (x1 - x0)
        glyphs = _glyphs(text, float(score), word, (x0, y0, x1, y1), vertical, straighten)
        if glyphs:
            boxes.append(_Box(glyphs, vertical))
    return boxes


_ASCII_PUNCT = str.maketrans({"(": "（", ")": "）"})


def _normalize(text: str) -> str:
    """Brackets as Chinese reports write them (the recogniser often reads （ as ( )."""
    return text.translate(_ASCII_PUNCT)


def _glyphs(text, score, word, box, vertical, straighten) -> list[tuple[str, float, float, float, float, float]]:
    """Each character of a box with its own box and confidence: the recogniser's character boxes
    where it gives one per character, else the box split evenly along its reading direction."""
    chars = [(_normalize(w[0]), float(w[1]), w[2]) for w in word if w and w[0]]
    if not vertical and chars and all(len(c) == 1 for c, _, _ in chars) and "".join(c for c, _, _ in chars) == text.replace(" ", ""):
        return [(c, *straighten(q), conf) for c, conf, q in chars if not c.isspace()]
    confs = [conf for c, conf, _ in chars for _ in c] if chars else []
    if len(confs) != len(text.replace(" ", "")):
        confs = [score] * len(text.replace(" ", ""))
    x0, y0, x1, y1 = box
    n = len(text)
    out, k = [], 0
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        if vertical:
            cell = (x0, y0 + (y1 - y0) * i / n, x1, y0 + (y1 - y0) * (i + 1) / n)
        else:
            cell = (x0 + (x1 - x0) * i / n, y0, x0 + (x1 - x0) * (i + 1) / n, y1)
        out.append((ch, *cell, confs[k]))
        k += 1
    return out
