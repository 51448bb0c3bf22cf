"""Branded images: the cropped photo, the band in the brand colours with the campaign name, the
logo, the quote, the name line, the hashtag and the photo credit, in each social format.

The text is set first (`portraits.typesetting.typeset`, from the texts and the format alone), which
fixes the band; the photo is then cropped into the area the band leaves, with the head found at
intake whole and clear of the band (`layouts.place`). One decode per portrait: the JPEG is decoded
at the smallest scale that still gives every crop at (nearly) full output resolution, and every
format is cut from that one image. Each image is composed on a fresh canvas and saved without
EXIF, XMP, IPTC, ICC profile or comment, so nothing of the original file can travel along.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portraits import fonts
from portraits.imageio import RENDER, jpeg_bytes
from portraits.layouts import LAYOUTS, Box, Layout, Placement, place
from portraits.messages import _m
from portraits.typesetting import (
    NAME_LINES,
    Brand,
    Line,
    Setting,
    Texts,
    choose_size,
    fits,
    name_and_age,
    name_line,
    name_lines_needed,
    quote_limit,
    role_limit,
    typeset,
    typographic,
)

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage
    from PIL.ImageDraw import ImageDraw
    from PIL.ImageFont import FreeTypeFont

RGB = tuple[int, int, int]
Planned = tuple[Layout, Texts, Setting, Placement]  # one image to make: format, texts, band, crop

# The text setting lived here before it had a module of its own; its callers still ask this one.
__all__ = ["NAME_LINES", "Brand", "Job", "Line", "Rendered", "Setting", "Texts", "choose_size", "contrast", "fits",
           "name_and_age", "name_line", "name_lines_needed", "quote_limit", "render_job", "role_limit", "typeset",
           "typographic"]

MAX_UPSCALE = 1.25  # a crop may be enlarged this much from the decoded photo (JPEG's scales are halvings)


@dataclass
class Job:
    """One portrait: its clean photo, focal point, face box, and the (format, texts) images to make."""
    photo: Path
    focus: tuple[float, float]
    brand: Brand
    images: list[tuple[str, Texts]] = field(default_factory=list)
    face: tuple[float, float, float, float] | None = None  # fractions of the photo: x0, y0, x1, y1


@dataclass
class Rendered:
    """One finished image with where its parts went, for the record and the contact sheet."""
    jpeg: bytes
    boxes: dict[str, Any]
    warnings: list[str]
    upscale: float


def _rgb(colour: str) -> RGB:
    from PIL import ImageColor

    r, g, b = ImageColor.getrgb(colour)[:3]
    return r, g, b


def _luminance(rgb: RGB) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else float(((v + 0.055) / 1.055) ** 2.4)
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio of two RGB colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def placements(job: Job, size: tuple[int, int]) -> list[Planned]:
    """Per image: its layout, setting and crop, in the upright photo's pixels."""
    out: list[Planned] = []
    for fmt, texts in job.images:
        lay = LAYOUTS[fmt]
        setting = typeset(lay, texts, job.brand)
        area = setting.photo_area
        out.append((lay, texts, setting, place(size, (area[2], area[3]), lay, job.focus, job.face)))
    return out


@dataclass
class Decoded:
    """The upright photo decoded at one reduced JPEG scale (rows no crop needs may be left black)."""
    photo: PILImage
    scale: float  # decoded pixels per upright photo pixel

    def box(self, crop: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """A crop in upright photo pixels as a box in `photo`."""
        x0, y0, x1, y1 = (v * self.scale for v in crop)
        return x0, y0, x1, y1


def decode(photo: Path, crops: list[tuple[tuple[float, float, float, float], int]], parts: int = 1) -> Decoded:
    """The upright RGB photo, decoded at the smallest JPEG scale that serves every crop
    ((box, output width) pairs) with at most MAX_UPSCALE enlargement, and only from the highest
    crop's top to the lowest crop's bottom. A photo intake kept (a restart marker after each row of
    blocks) is cut into that band (`jpeg.decode_bands`, the billboard's band decode), in `parts`
    bands decoded side by side; any other photo is decoded down to the lowest crop's last row."""
    from PIL import Image, ImageOps

    from portraits.jpeg import ROW_MARGIN, decode_bands, draft_scale, load_rows

    im = Image.open(photo)  # not closed by a `with`: closing it would free the pixels decoded in place
    orientation = im.getexif().get(0x0112, 1)
    upright = (im.height, im.width) if orientation in (5, 6, 7, 8) else im.size
    need = max((out_w / (box[2] - box[0]) for box, out_w in crops), default=1.0) / MAX_UPSCALE
    if need < 1:
        im.draft("RGB", (math.ceil(im.width * need), math.ceil(im.height * need)))
    top = math.floor(min((box[1] for box, _w in crops), default=0))
    bottom = math.ceil(max((box[3] for box, _w in crops), default=upright[1]))
    # One band pays only where it skips rows at the top (below the lowest crop `load_rows` stops anyway).
    cut = orientation == 1 and (parts > 1 or top >= 64 + ROW_MARGIN * draft_scale(im))
    # The bands are placed in a black image of the whole photo's size: Pillow's resize picks the
    # order of its two passes by the source's height, and the same order gives the same pixels.
    banded = decode_bands(im, top, bottom, parts) if cut else None
    if banded is not None:
        pic = banded
        im.close()
    else:
        if orientation == 1 and crops:  # down to the lowest crop's last row only (the rest is never read)
            load_rows(im, math.ceil(bottom * im.size[1] / upright[1]) + ROW_MARGIN)
        im.load()
        pic = ImageOps.exif_transpose(im) if orientation != 1 else im
    pic = pic if pic.mode == "RGB" else pic.convert("RGB")
    return Decoded(pic, pic.width / upright[0])


def _draw_line(draw: ImageDraw, line: Line, colour: RGB) -> None:
    """One line on the baseline of its row (capitals centred in the row), left or right aligned."""
    f = line.fitted
    x, y, w, h = line.box
    baseline = y + round((h + 0.71 * f.size) / 2)
    right = line.align == "right"
    at, anchor = (x + w if right else x, baseline), "rs" if right else "ls"
    if "\n" in f.text:  # several lines: ImageDraw spaces them
        draw.text(at, f.text, font=f.font, fill=colour, direction=f.direction, anchor=anchor)
        return
    mask, (dx, dy) = _glyphs(f.font, f.text, f.direction, anchor)
    draw.bitmap((at[0] + dx, at[1] + dy), mask, fill=colour)


@lru_cache(maxsize=256)
def _glyphs(font: FreeTypeFont, text: str, direction: str | None, anchor: str) -> tuple[PILImage, tuple[int, int]]:
    """A line's glyphs as the mask `ImageDraw.text` draws (the same call with the same arguments, at
    a whole-pixel position), and its offset from the anchor. FreeType's rendering is most of a
    band's cost; kept, a line set again at the same size costs nothing: the campaign name, hashtag
    and credit on every portrait, and every line when a portrait is made again (a new focal point
    in the web app)."""
    from PIL import Image

    mask, offset = font.getmask2(text, "L", direction, None, None, 0, anchor, 0, (0.0, 0.0), stroke_filled=True)
    return Image.new("L", (1, 1))._new(mask), offset


@lru_cache(maxsize=8)
def _logo_image(path: Path, height: int) -> PILImage:
    from PIL import Image

    with Image.open(path) as opened:
        logo = opened.convert("RGBA")
        logo.thumbnail((height * 3, height))
        return logo


def _logo_colour(logo: PILImage) -> RGB:
    from PIL import ImageStat

    stat = ImageStat.Stat(logo.convert("RGB"), mask=logo.getchannel("A").point(lambda a: 255 if a > 128 else 0))
    if not stat.count[0]:
        return 255, 255, 255
    r, g, b = (int(v) for v in stat.mean[:3])
    return r, g, b


def _paste_logo(canvas: PILImage, draw: ImageDraw, logo_path: Path, brand: Brand, box: Box, band_rgb: RGB,
                rtl: bool) -> Box:
    """The logo in its box on the band; on a plate when it would not stand out from the band."""
    x, y, w, h = box
    logo = _logo_image(logo_path, h)
    colour = _logo_colour(logo)
    lx = x if rtl else x + w - logo.width
    placed = (lx, y + (h - logo.height) // 2, logo.width, logo.height)
    if contrast(colour, band_rgb) < 2.5:
        plate = max((_rgb(brand.text), (255, 255, 255), _rgb(brand.secondary)), key=lambda c: contrast(c, colour))
        m = max(6, h // 8)
        logo = logo.copy()
        logo.thumbnail((logo.width - 2 * m, logo.height - 2 * m))
        draw.rounded_rectangle([placed[0], placed[1], placed[0] + placed[2] - 1, placed[1] + placed[3] - 1],
                               radius=m, fill=plate)
        canvas.paste(logo, (placed[0] + (placed[2] - logo.width) // 2, placed[1] + (placed[3] - logo.height) // 2),
                     logo)
    else:
        canvas.paste(logo, placed[:2], logo)
    return placed


def _meets(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def band_apart(setting: Setting) -> bool:
    """Whether band, text (with room for its glyphs) and logo lie wholly outside the photo's area, so
    the text can be drawn before the photo is decoded and the photo pasted after, giving exactly the
    same pixels as drawing it over the photo."""
    area = setting.photo_area
    glyphs = [(x - f.size // 2, y - f.size, w + f.size, h + 2 * f.size)
              for (x, y, w, h), f in ((line.box, line.fitted) for line in setting.lines)]
    logo = [setting.logo] if setting.logo else []
    return not any(_meets(box, area) for box in [setting.colour_block, *glyphs, *logo])


def _band(lay: Layout, texts: Texts, brand: Brand, setting: Setting,
          canvas: PILImage | None = None) -> tuple[PILImage, Box | None]:
    """Band, stripe, text and logo on `canvas` (a fresh black one when None); the canvas and the logo's box."""
    from PIL import Image, ImageDraw

    if canvas is None:
        # The colour block and the photo's area tile the canvas: each pixel is painted once, so the
        # canvas need not be cleared first (a gap, were there one, gets the black a new canvas has).
        (_bx, _by, bw, bh), (_ax, _ay, aw, ah) = setting.colour_block, setting.photo_area
        W, H = lay.size
        within = all(x >= 0 and y >= 0 and x + w <= W and y + h <= H for x, y, w, h in (setting.colour_block,
                                                                                  setting.photo_area))
        tiled = within and bw * bh + aw * ah == W * H and not _meets(setting.colour_block, setting.photo_area)
        canvas = Image.new("RGB", lay.size, None if tiled else 0)
    draw = ImageDraw.Draw(canvas)
    band_rgb = _rgb(brand.primary)
    cx, cy, cw, ch = setting.colour_block
    draw.rectangle([cx, cy, cx + cw - 1, cy + ch - 1], fill=band_rgb)
    stripe: list[int] = {"right": [cx, cy, cx + 9, cy + ch - 1], "bottom": [cx, cy, cx + cw - 1, cy + 9],
              "top": [cx, cy + ch - 10, cx + cw - 1, cy + ch - 1]}[lay.band_side]
    draw.rectangle(stripe, fill=_rgb(brand.secondary))
    colour = _rgb(brand.text)
    for line in setting.lines:
        _draw_line(draw, line, colour)
    rtl = fonts.is_rtl(texts.quote)
    logo = (_paste_logo(canvas, draw, brand.logo, brand, setting.logo, band_rgb, rtl)
            if setting.logo and brand.logo else None)
    return canvas, logo


def _paste_photo(canvas: PILImage, decoded: Decoded, setting: Setting, placement: Placement) -> None:
    from PIL import Image

    ax, ay, aw, ah = setting.photo_area
    box = decoded.box(placement.crop)
    # Pillow's bilinear resize is a true antialiasing filter when shrinking; at these factors it
    # looks the same as bicubic and costs half as much.
    canvas.paste(decoded.photo.resize((aw, ah), Image.Resampling.BILINEAR, box=box, reducing_gap=2.0), (ax, ay))


def _boxes(setting: Setting, placement: Placement, logo: Box | None) -> dict[str, Any]:
    ax, ay, _aw, _ah = setting.photo_area
    return {"band": list(setting.colour_block), "photo": list(setting.photo_area),
            "text": [list(line.box) for line in setting.lines], "logo": list(logo) if logo else None,
            "head": [ax + placement.head[0], ay + placement.head[1], *placement.head[2:]] if placement.head else None,
            "quote_size": setting.quote_size}


def compose(decoded: Decoded, lay: Layout, texts: Texts, brand: Brand, setting: Setting,
            placement: Placement) -> tuple[PILImage, dict[str, Any]]:
    """One finished image (a fresh RGB canvas) and the boxes of its parts."""
    from PIL import Image

    canvas = Image.new("RGB", lay.size)
    _paste_photo(canvas, decoded, setting, placement)
    canvas, logo = _band(lay, texts, brand, setting, canvas)
    return canvas, _boxes(setting, placement, logo)


def encode(image: PILImage) -> bytes:
    """JPEG bytes with no metadata at all: no EXIF, XMP, IPTC, ICC or comment."""
    return jpeg_bytes(image, RENDER)


def _core_idle() -> bool:
    """Whether a core is free for the second half of a decode: on a machine whose cores are busy
    with other work, two halves cost ~10 ms more CPU and wait for two time slices instead of one
    (measured at a load average of 10 on two cores: 264 ms against 191 ms for one band)."""
    import os

    try:
        return os.getloadavg()[0] < (os.cpu_count() or 1) - 0.5
    except OSError:
        return False


def render_job(job: Job, threads: bool = True) -> dict[tuple[str, str], Rendered]:
    """All images of one portrait from one decode: {(format, lang): Rendered}.

    With `threads`, the photo decodes in a thread (Pillow's JPEG decoder runs outside the GIL)
    while the bands and their text are drawn here, then both threads resize, compose and encode the
    formats (also outside the GIL). `threads=False` does it all in this thread, for a process of a
    pool that already keeps every core busy."""
    from PIL import Image

    with Image.open(job.photo) as probe:
        orientation = probe.getexif().get(0x0112, 1)
        size = (probe.height, probe.width) if orientation in (5, 6, 7, 8) else probe.size
    planned = placements(job, size)
    crops = crops_of(planned)
    made = _on_two_threads(job, planned, crops) if threads else make_formats(job, planned, decode(job.photo, crops))
    return {(lay.name, texts.lang): r for (lay, texts, _s, _p), r in zip(planned, made)}


def crops_of(planned: list[Planned]) -> list[tuple[tuple[float, float, float, float], int]]:
    """What `decode` serves: each planned format's crop and the width it is shown at."""
    return [(placement.crop, setting.photo_area[2]) for _lay, _texts, setting, placement in planned]


def make_formats(job: Job, planned: list[Planned], decoded: Decoded) -> list[Rendered]:
    """Every planned format from the decoded photo, in this thread: all of a render's pixel work
    but the decode (the benchmark's floor for a render)."""
    return [_make(job, item, decoded, _band_apart(job, item)) for item in planned]


def _band_apart(job: Job, item: Planned) -> tuple[PILImage, Box | None] | None:
    """The format's band drawn before its photo when it lies apart from it (`band_apart`); None
    when it must be drawn over the photo, after it (`_make`)."""
    lay, texts, setting, _placement = item
    return _band(lay, texts, job.brand, setting) if band_apart(setting) else None


def _make(job: Job, item: Planned, decoded: Decoded, drawn: tuple[PILImage, Box | None] | None) -> Rendered:
    """One format from the decoded photo and its band (drawn beforehand when it lies apart from the
    photo, else drawn over it here, as `compose` does)."""
    lay, texts, setting, placement = item
    if drawn is None:
        image, boxes = compose(decoded, lay, texts, job.brand, setting, placement)
    else:
        image, logo = drawn
        _paste_photo(image, decoded, setting, placement)
        boxes = _boxes(setting, placement, logo)
    warnings = [placement.warning] if placement.warning else []
    if not setting.fits:
        warnings.append(_m("the quote is too long for {name}: it is set smaller than the campaign's "
                           "sizes allow", name=lay.name))
    upscale = setting.photo_area[2] / (placement.crop[2] - placement.crop[0])
    return Rendered(encode(image), boxes, warnings, round(upscale, 2))


def _on_two_threads(job: Job, planned: list[Planned], crops: list[tuple[tuple[float, float, float, float], int]]
                    ) -> list[Rendered]:
    """`render_job`'s images on this thread and one more: the other decodes while the bands are
    drawn here, then each takes the next format from a queue, the largest first, so neither waits
    for the other at the end (this thread used to wait while the pool made all four)."""
    import queue
    from concurrent.futures import ThreadPoolExecutor

    ready: queue.SimpleQueue[int | None] = queue.SimpleQueue()
    drawn: list[tuple[PILImage, Box | None] | None] = [None] * len(planned)
    made: list[Rendered | None] = [None] * len(planned)
    with ThreadPoolExecutor(max_workers=1) as pool:
        decoding = pool.submit(decode, job.photo, crops, 2 if _core_idle() else 1)

        def make_ready() -> None:
            decoded = decoding.result()
            while (i := ready.get()) is not None:
                made[i] = _make(job, planned[i], decoded, drawn[i])
            ready.put(None)  # the end, for the other thread too

        helper = pool.submit(make_ready)  # starts when the photo is decoded
        try:
            # The costliest resize first: the horizontal pass reads each of the crop's rows.
            for i in sorted(range(len(planned)), key=lambda i: -_resize_cost(planned[i])):
                drawn[i] = _band_apart(job, planned[i])
                ready.put(i)
        finally:
            ready.put(None)  # also when a band failed: the helper must not wait for more
        make_ready()
        helper.result()
    return [r for r in made if r is not None]


def _resize_cost(item: Planned) -> float:
    """How much a format's resize costs, relative to the other formats of the same photo."""
    _lay, _texts, setting, placement = item
    return (placement.crop[3] - placement.crop[1]) * setting.photo_area[2]
