"""Scanned pages -> characters with boxes and confidences (offline OCR, the ``ocr`` extra).

A PDF page without a text layer is rendered (pdfium, ``dpi``) and read by RapidOCR on ONNX
Runtime with the PP-OCRv6 detection and recognition models that ship inside the ``rapidocr``
wheel: their paths are given explicitly, so nothing is ever downloaded. Each recognised
character keeps its own box and confidence.

Layout, by geometry only, so that the PDF reader sees what a text layer gives it:

1. Skew: the median angle of the long horizontal text boxes (a page scanned a degree or two
   off) is undone on the boxes' coordinates, not on the image.
2. Vertical boxes (a table's row group label written top to bottom, 三、本年度办理结果) become
   one line per character, never merged into a table row.
3. The other boxes are grouped into lines: a box joins a line when its vertical extent overlaps
   that line's first box by half the smaller height; a line reads left to right, and lines
   top to bottom. Cells of one table row are one line; the PDF reader's gap rules then put
   a space between cells.
"""
from __future__ import annotations

import math
import statistics
import threading
from dataclasses import dataclass
from importlib import util as importlib_util
from pathlib import Path
from typing import Any

from auditor import errors

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


@dataclass
class _Box:
    glyphs: list[tuple[str, float, float, float, float, float]]  # pixel coords, y down: (ch, x0, y0, x1, y1, conf)
    vertical: bool

    @property
    def top(self) -> float:
        return min(g[2] for g in self.glyphs)

    @property
    def bottom(self) -> float:
        return max(g[4] for g in self.glyphs)

    @property
    def left(self) -> float:
        return min(g[1] for g in self.glyphs)

    @property
    def right(self) -> float:
        return max(g[3] for g in self.glyphs)


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


def _skew(quads: list) -> float:
    """The page's skew in radians: the median slope of long horizontal boxes' top edges."""
    angles = []
    for q in quads:
        (x0, y0), (x1, y1) = q[0], q[1]
        w = math.hypot(x1 - x0, y1 - y0)
        h = math.hypot(q[3][0] - x0, q[3][1] - y0)
        if w > 4 * h and w > 0:
            angles.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(angles) if len(angles) >= 3 else 0.0


def _levelling(pixels: Any, guess: float) -> float:
    """The skew refined around ``guess`` (radians): the angle that, undone, makes the page's rows of
    ink sharpest (the largest variance of the ink per pixel row, on a half-size copy). Text boxes
    alone are off by a quarter of a degree on a noisy page, seven pixels across a table."""
    import cv2
    import numpy as np

    gray = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    small = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
    ink = (small < 160).astype(np.float32)
    h, w = ink.shape

    def sharpness(angle: float) -> float:
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), math.degrees(angle), 1.0)
        return float(np.var(cv2.warpAffine(ink, turn, (w, h), flags=cv2.INTER_NEAREST).sum(axis=1)))

    best = guess
    for step, span in ((math.radians(0.1), 6), (math.radians(0.02), 5)):
        best = max((best + k * step for k in range(-span, span + 1)), key=sharpness)
    return best if sharpness(best) > 1.01 * sharpness(guess) else guess  # a flat peak: keep the guess


def _straightener(angle: float, centre: tuple[float, float]):
    """Points -> their axis-aligned box once the page's skew is undone (rotation about the centre)."""
    cos, sin = math.cos(-angle), math.sin(-angle)
    cx, cy = centre

    def straighten(points) -> tuple[float, float, float, float]:
        xs, ys = [], []
        for x, y in points:
            dx, dy = x - cx, y - cy
            xs.append(cx + dx * cos - dy * sin)
            ys.append(cy + dx * sin + dy * cos)
        return min(xs), min(ys), max(xs), max(ys)

    return straighten


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


@dataclass(frozen=True)
class _Rule:
    """A horizontal table rule on the straightened page: its height and horizontal extent."""

    y: float
    x0: float
    x1: float


@dataclass(frozen=True)
class _Wall:
    """A vertical table rule on the straightened page: where it stands and its vertical extent."""

    x: float
    y0: float
    y1: float


def _rules(pixels: Any, angle: float) -> tuple[list[_Rule], list[_Wall]]:
    """The ruling lines of the page's tables, found on the image turned straight: horizontal dark
    runs at least a tenth of the page wide, vertical ones an 80th of its height, a few pixels thick."""
    import cv2
    import numpy as np

    gray = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    h, w = gray.shape
    if abs(angle) > 1e-4:
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), math.degrees(angle), 1.0)
        gray = cv2.warpAffine(gray, turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    # light grey counts (a browser prints borders grey); a rule broken by scanner noise is mended
    # along its own direction (one or two pixels), so that a 1-pixel rule survives
    ink = (gray < 210).astype(np.uint8)
    dark = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    length = max(30, w // 10)  # a table rule spans cells; a run of text strokes that closing joined does not
    runs = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    thin = max(6, h // 300)
    reach = w / 50  # a rule drawn in pieces, or stopping short of the last column, still reaches it
    rules = _levelled([_Rule(y + hh / 2, x - reach, x + ww + reach)
                       for x, y, ww, hh, _ in stats[1:n] if ww >= length and hh <= thin])
    tall = max(20, h // 80)
    dark = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    runs = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, tall)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    walls = [_Wall(x + ww / 2, y, y + hh) for x, y, ww, hh, _ in stats[1:n] if hh >= tall and ww <= thin]
    return rules, _joined(walls)


def _levelled(rules: list[_Rule]) -> list[_Rule]:
    """Rules a few pixels apart in height (one rule seen in pieces, a double border) at one height."""
    out: list[_Rule] = []
    group: list[_Rule] = []
    for r in sorted(rules, key=lambda r: r.y) + [None]:
        if group and (r is None or r.y - group[-1].y > 4):
            y = sum(g.y for g in group) / len(group)
            out += [_Rule(y, g.x0, g.x1) for g in group]
            group = []
        if r is not None:
            group.append(r)
    return out


def _joined(walls: list[_Wall]) -> list[_Wall]:
    """Segments of one vertical rule (broken where it crosses a horizontal one) as one rule."""
    out: list[_Wall] = []
    for w in sorted(walls, key=lambda w: (round(w.x / 3), w.y0)):
        last = out[-1] if out else None
        if last is not None and abs(last.x - w.x) <= 3 and w.y0 <= last.y1 + 4:
            out[-1] = _Wall(last.x, last.y0, max(last.y1, w.y1))
        else:
            out.append(w)
    return out


_SPACE = (" ", 0.0, 0.0, 0.0, 0.0, 1.0)


def _crosses(a, b, walls: list[_Wall]) -> bool:
    """A vertical rule stands between the centres of characters ``a`` and ``b``, beside most of
    their height, and is half as long again as they are tall (a letter's own stroke, a 1, is not)."""
    ca, cb = (a[1] + a[3]) / 2, (b[1] + b[3]) / 2
    top, bottom = min(a[2], b[2]), max(a[4], b[4])
    tall = bottom - top
    return any(ca < w.x < cb and w.y1 - w.y0 >= 1.5 * tall and min(w.y1, bottom) - max(w.y0, top) >= 0.8 * tall
               for w in walls)


def _split_boxes(boxes: list[_Box], walls: list[_Wall]) -> list[_Box]:
    """Boxes cut where a vertical rule crosses them: the detector reads a label and the figure in
    the next cell, or two narrow cells' figures (0 | 3), as one box."""
    if not walls:
        return boxes
    out = []
    for box in boxes:
        if box.vertical:
            out.append(box)
            continue
        glyphs = sorted(box.glyphs, key=lambda g: g[1])
        piece = [glyphs[0]]
        for a, b in zip(glyphs, glyphs[1:]):
            if _crosses(a, b, walls):
                out.append(_Box(piece, False))
                piece = []
            piece.append(b)
        out.append(_Box(piece, False))
    return out


def _split_cells(line: list, walls: list[_Wall]) -> list:
    """The line with a space wherever a vertical rule stands between two characters' centres: the
    detector reads two narrow cells' figures (0 | 3) as one box "03". A rule counts only where it
    reaches above and below both characters (a letter's own stroke does not)."""
    if not walls or len(line) < 2:
        return line
    out = [line[0]]
    for a, b in zip(line, line[1:]):
        if _crosses(a, b, walls):
            out.append(_SPACE)
        out.append(b)
    return out


def _band(box: _Box, rules: list[_Rule], tol: float) -> tuple[float, float] | None:
    """The rules just above and below a box's centre, where both reach over it: its table cell's
    top and bottom (rounded so that one rule seen in segments is one rule)."""
    cx = (box.left + box.right) / 2
    cy = (box.top + box.bottom) / 2
    above = [r.y for r in rules if r.y < cy and r.x0 - tol <= cx <= r.x1 + tol]
    below = [r.y for r in rules if r.y > cy and r.x0 - tol <= cx <= r.x1 + tol]
    if not above or not below:
        return None
    return round(max(above) / tol), round(min(below) / tol)


def _rows(boxes: list[_Box]) -> list[list[_Box]]:
    """Boxes grouped into lines by vertical overlap with each line's first box, top to bottom."""
    rows: list[tuple[float, float, list[_Box]]] = []
    for box in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        for i in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            top, bottom, members = rows[i]
            overlap = min(bottom, box.bottom) - max(top, box.top)
            if overlap >= 0.5 * min(bottom - top, box.bottom - box.top):
                members.append(box)
                break
        else:
            rows.append((box.top, box.bottom, [box]))
    return [sorted(members, key=lambda b: b.left) for _, _, members in rows]


_NUMERIC = frozenset("0123456789.,%％")
_MAX_CELL_LINES = 3


def _is_numeric(box: _Box) -> bool:
    return all(g[0] in _NUMERIC for g in box.glyphs)


def _cells(boxes: list[_Box], walls: list[_Wall], top: float, bottom: float) -> list[list[_Box]]:
    """A band's boxes split into its cells, left to right, at the vertical rules that cross it."""
    cells: list[list[_Box]] = []
    for box in sorted(boxes, key=lambda b: b.left):
        if cells:
            prev = cells[-1][-1]
            a, b = (prev.left + prev.right) / 2, (box.left + box.right) / 2
            if not any(a < w.x < b and min(w.y1, bottom) - max(w.y0, top) >= 0.7 * (bottom - top) for w in walls):
                cells[-1].append(box)
                continue
        cells.append([box])
    return cells


def _lines(boxes: list[_Box], rules: list[_Rule] | None = None,
           walls: list[_Wall] | None = None) -> list[list[tuple[str, float, float, float, float, float]]]:
    """Lines in reading order. Inside a table cell band (between two rules) a cell's wrapped label
    comes first, line by line, and the row's figures after it, as a text layer has them; a header
    band of several wrapped cells reads cell by cell; a vertical label is one line per character.
    Text outside any band is grouped by overlap."""
    rules, walls = rules or [], walls or []
    tol = 6.0
    banded: dict[tuple, list[_Box]] = {}
    free: list[_Box] = []
    for box in boxes:
        key = _band(box, rules, tol) if rules else None
        (banded.setdefault(key, []) if key else free).append(box)
    placed: list[tuple[tuple, list[_Box]]] = []  # (sort key, a line's boxes)
    for key, members in banded.items():
        flat = [b for b in members if not b.vertical]
        rows = _rows(flat)
        if len(rows) > _MAX_CELL_LINES:  # not a cell: a passage between two tables
            free.extend(members)
            continue
        left = min(b.left for b in members)
        words = [b for b in flat if not _is_numeric(b)]
        cells = _cells(words, walls, key[0] * tol, key[1] * tol)
        if len(cells) > 1 and len(rows) > 1:
            order = [r for cell in cells for r in _rows(cell)]
        else:
            order = _rows(words)
        figures = sorted((b for b in flat if _is_numeric(b)), key=lambda b: b.left)
        if len(rows) == 1:
            order, figures = rows, []
        for b in (b for b in members if b.vertical):
            order = [[_Box([g], False)] for g in b.glyphs] + order
        for i, row in enumerate(order + ([figures] if figures else [])):
            placed.append(((key[0] * tol, left, i), row))
    for row in _rows([b for b in free if not b.vertical]):
        placed.append(((min(b.top for b in row), min(b.left for b in row), 0), row))
    for b in (b for b in free if b.vertical):
        for i, g in enumerate(b.glyphs):
            placed.append(((g[2], g[1], i), [_Box([g], False)]))
    placed.sort(key=lambda p: p[0])
    return [[g for b in row for g in sorted(b.glyphs, key=lambda g: g[1])] for _, row in placed]
