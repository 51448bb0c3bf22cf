"""The billboard's PNG preview: the poster painted small from the same layout as the print PDF
(portraits/poster_export.py), each slot pasted from its print image as it is made, and the PNG
written top to bottom while later photos still decode."""
from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from portraits.errors import CampaignError
from portraits.messages import _m
from portraits.poster import Box, Item, Spec

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageFont import FreeTypeFont


def colour_rgb(colour: str) -> tuple[int, int, int]:
    from PIL import ImageColor

    try:
        return ImageColor.getrgb(colour)[:3]
    except ValueError:
        raise CampaignError(_m("The colour {colour!r} in campaign.toml [brand] is not a colour.", colour=colour),
                            _m("Write it as #RRGGBB, e.g. #E30613.")) from None


class PngRows:
    """A PNG written top to bottom while its image is still being made: rows that are final go out
    (Up filter, zlib level 1) as soon as the caller says so, so the preview's compression runs
    while later photos still decode instead of after the last one. Pillow's own PNG writer takes
    the whole image at once (~0.1 s for the 2000 px preview, all of it after the last photo).
    Compressed with ISA-L's deflate (isal), which writes the same zlib stream format as zlib at level 1
    in a quarter of the time: 41 -> 9 ms of CPU for the 2000 px preview, and 1 % smaller."""

    def __init__(self, path: Path, size: tuple[int, int]):
        import struct
        import zlib

        from isal import isal_zlib

        self._zlib, self._struct = zlib, struct
        self.size, self.done = size, 0
        self.file = open(path, "wb")
        self.deflate = isal_zlib.compressobj(1)
        self.file.write(b"\x89PNG\r\n\x1a\n")
        self._chunk(b"IHDR", struct.pack(">IIBBBBB", size[0], size[1], 8, 2, 0, 0, 0))  # 8-bit RGB

    def _chunk(self, kind: bytes, data: bytes) -> None:
        if data or kind != b"IDAT":  # an IDAT with nothing compressed yet is left out
            self.file.write(self._struct.pack(">I", len(data)) + kind + data
                            + self._struct.pack(">I", self._zlib.crc32(kind + data)))

    def rows(self, img: Image, end: int) -> None:
        """Write rows up to `end` (exclusive) of `img` (RGB, self.size)."""
        from PIL import ImageChops

        w, start = self.size[0], self.done
        if end <= start:
            return
        # Up filter: each byte minus the one above it, modulo 256 (row 0 has zeros above it).
        up = ImageChops.subtract_modulo(img.crop((0, start, w, end)), img.crop((0, start - 1, w, end - 1)))
        raw, stride = memoryview(up.tobytes()), 3 * w
        lines = b"".join(b"\x02" + raw[i:i + stride] for i in range(0, len(raw), stride))
        self._chunk(b"IDAT", self.deflate.compress(lines))
        self.done = end

    def close(self, img: Image) -> None:
        self.rows(img, self.size[1])
        self._chunk(b"IDAT", self.deflate.flush())
        self._chunk(b"IEND", b"")
        self.file.close()


@dataclass(frozen=True)
class Cell:
    """A slot's photo, made: the photo pixels per slot pixel (below 1: enlarged), and the slot at
    its size on the preview (None when no preview is made)."""
    scale: float
    shown: Image | None


def preview_px(k: float, box: Box) -> tuple[int, int, int, int]:
    """A box in page millimetres on a preview of `k` pixels per millimetre: left, top, right, bottom."""
    x, y, w, h = box
    return round(x * k), round(y * k), round((x + w) * k), round((y + h) * k)


class PreviewPainter:
    def __init__(self, spec: Spec, font: Path, width_px: int):
        from PIL import Image, ImageDraw

        pw, ph = spec.page
        self.k = width_px / pw
        self.img = Image.new("RGB", (width_px, max(1, round(ph * self.k))), "white")
        self.draw = ImageDraw.Draw(self.img)
        self.font_path = font
        self.pending: list[tuple[tuple[int, int, int, int], int]] = []

    def _px(self, box: Box) -> tuple[int, int, int, int]:
        return preview_px(self.k, box)

    def _font(self, size: float) -> FreeTypeFont:
        """The font at a preview size, set as the PDF sets it: left to right without OpenType layout
        (reportlab draws each glyph at its advance; the layout measures the same way, `poster._em`).
        FreeType's basic layout on the font without its layout tables also draws it 3-4 times faster
        than raqm on the whole font (HarfBuzz shaping each name, the autohinter's script analysis
        for every new size): ~35 ms of the preview's ~50 ms of text."""
        from portraits.textfit import load_font

        return load_font(self.font_path, max(1, round(size * self.k)), False, False)

    def rect(self, box: Box, colour: str) -> None:
        self.draw.rectangle(self._px(box), fill=colour_rgb(colour))

    def photo(self, box: Box, item: Item, index: int) -> None:
        # Pasted by paste_photos once the slot is made: the rest of the preview is drawn while the
        # photos still decode. Nothing else is drawn inside a photo's box.
        self.pending.append((self._px(box), index))

    def paste_photos(self, ready: list[Future[Cell]], png: PngRows | None = None) -> None:
        """Paste each slot's photo as soon as `ready[index]` (its future) is done; with `png`, write
        out the rows above every photo still to come as they become final."""
        pending = sorted(self.pending, key=lambda p: p[1])
        for n, ((x0, y0, _x1, _y1), index) in enumerate(pending):
            shown = ready[index].result().shown
            assert shown is not None  # made for every slot when a preview is made
            self.img.paste(shown, (x0, y0))
            if png is not None:
                png.rows(self.img, min((box[1] for box, _i in pending[n + 1:]), default=self.img.height))
        self.pending = []

    def logo(self, box: Box, path: Path) -> None:
        from PIL import Image, ImageOps

        x0, y0, x1, y1 = self._px(box)
        with Image.open(path) as opened:
            logo = ImageOps.contain(opened.convert("RGBA"), (max(1, x1 - x0), max(1, y1 - y0)))
            self.img.paste(logo, (x1 - logo.width, y0 + (y1 - y0 - logo.height) // 2), logo)

    def measure(self, text: str, size: float) -> float:
        return float(self._font(size).getlength(text)) / self.k if text else 0.0

    def text(self, x: float, baseline: float, text: str, size: float, colour: str) -> None:
        self.draw.text((x * self.k, baseline * self.k), text, font=self._font(size), fill=colour_rgb(colour),
                       anchor="ls")


def shrunk(cell: Image, size: tuple[int, int]) -> Image:
    """A slot at its size on the preview: reduced by the largest of 2, 4 or 8 that keeps it at least
    that size (as a JPEG draft would decode it), then bilinear; RGB (a CMYK slot as Pillow converts it)."""
    from PIL import Image as PILImage

    rgb = cell if cell.mode == "RGB" else cell.convert("RGB")
    factor = max((f for f in (8, 4, 2) if rgb.width // f >= size[0] and rgb.height // f >= size[1]), default=1)
    return (rgb.reduce(factor) if factor > 1 else rgb).resize(size, PILImage.Resampling.BILINEAR)
