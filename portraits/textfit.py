"""Fit text into a box at the largest size that fits: wrap by words, shrink, break an over-long word.

Pillow's own fitting helpers give wrong sizes for wrapped text, so every line is measured here with
`textlength` and the block with `multiline_textbbox`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LINE_SPACING = 0.18  # extra space between lines, as a fraction of the size


@dataclass(frozen=True)
class Fitted:
    text: str  # with line breaks
    size: int
    font: object  # PIL.ImageFont.FreeTypeFont
    direction: str | None
    width: int
    height: int


@lru_cache(maxsize=512)
def load_font(path: Path, size: int, bold: bool = False, complex_script: bool = True):
    """A font at a size. Right-to-left and joined scripts need raqm's shaping; Latin and Cyrillic
    come out the same with FreeType's basic layout, which measures several times faster."""
    from PIL import ImageFont

    engine = ImageFont.Layout.RAQM if complex_script else ImageFont.Layout.BASIC
    font = ImageFont.truetype(str(path), size, layout_engine=engine)
    if bold:
        try:
            axes = font.get_variation_axes()
            font.set_variation_by_axes([700 if a["name"] in (b"Weight", "Weight") else a["default"] for a in axes])
        except (OSError, ValueError):
            pass  # not a variable font: its one weight it is
    return font


def _break_word(word: str, fits) -> list[str]:
    parts, current = [], ""
    for ch in word:
        if current and not fits(current + ch):
            parts.append(current)
            current = ch
        else:
            current += ch
    return parts + ([current] if current else [])


def wrap(text: str, width: float, length) -> list[str]:
    """Greedy word wrap; a word wider than the box is broken between characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if length(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            if length(word) <= width:
                line = word
            else:
                *full, line = _break_word(word, lambda s: length(s) <= width)
                lines.extend(full)
        lines.append(line)
    return lines


def _measure(text: str, font, direction: str | None, spacing: int) -> tuple[int, int]:
    from PIL import Image, ImageDraw

    draw = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = draw.multiline_textbbox((0, 0), text, font=font, spacing=spacing,
                                                       direction=direction)
    return right - min(left, 0), bottom - min(top, 0)


def fit(text: str, font_path: Path, box: tuple[int, int], max_size: int, min_size: int = 8,
        bold: bool = False, direction: str | None = None) -> Fitted:
    """The largest size from max_size down at which the wrapped text fits the box (width, height)."""
    bw, bh = box

    def attempt(size: int) -> Fitted | None:
        font = load_font(font_path, size, bold, direction is not None)
        lines = wrap(text, bw, lambda s: font.getlength(s, direction=direction))
        block = "\n".join(lines)
        w, h = _measure(block, font, direction, int(size * LINE_SPACING))
        if w <= bw and h <= bh:
            return Fitted(block, size, font, direction, w, h)
        return None

    lo, hi = min_size, max_size
    best = None
    while lo <= hi:  # fitting is monotone in the size: binary search, then confirm
        mid = (lo + hi) // 2
        got = attempt(mid)
        if got:
            best, lo = got, mid + 1
        else:
            hi = mid - 1
    if best is None:
        best = attempt(min_size) or _forced(text, font_path, box, min_size, bold, direction)
    return best


def _forced(text, font_path, box, size, bold, direction) -> Fitted:
    """Even the smallest size overflows: keep the lines that fit and end with an ellipsis."""
    font = load_font(font_path, size, bold, direction is not None)
    lines = wrap(text, box[0], lambda s: font.getlength(s, direction=direction))
    while len(lines) > 1:
        lines = lines[:-1]
        lines[-1] = lines[-1].rstrip(" .,") + "…"
        w, h = _measure("\n".join(lines), font, direction, int(size * LINE_SPACING))
        if h <= box[1]:
            return Fitted("\n".join(lines), size, font, direction, w, h)
    return Fitted(lines[0] if lines else "", size, font, direction, box[0], box[1])
