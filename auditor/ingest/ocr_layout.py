"""OCR boxes -> lines in reading order, by geometry only (coordinates in pixels, y down).

1. Skew: the median slope of the long horizontal boxes, refined by the angle that makes the
   page's rows of ink sharpest, is undone on the boxes' coordinates, not on the image.
2. Rules: horizontal and vertical ruling lines of the tables, found on the page turned straight.
   A box a vertical rule crosses is cut there.
3. Bands: a box between two horizontal rules belongs to that table row. A cell's wrapped label
   comes first, line by line, then the row's figures; a header band of wrapped cells reads cell
   by cell; a vertical label (三、本年度办理结果) is one line a character.
4. Elsewhere, a box joins a line when its vertical extent overlaps that line's first box by half
   the smaller height; a line reads left to right, and lines top to bottom.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any

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
