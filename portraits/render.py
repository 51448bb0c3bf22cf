"""Branded images: the cropped photo, the band in the brand colours, the name line, the quote,
the hashtag, the photo credit and the logo, in each social format.

One decode per portrait: the JPEG is decoded at the smallest scale that still gives every crop at
full output resolution (`draft()` asked for the largest crop needed), and every format is cut
from that one image. Each image is composed on a fresh canvas and saved without EXIF, XMP, IPTC,
ICC profile or comment, so nothing of the original file can travel along.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from portraits import fonts, textfit
from portraits.layouts import LAYOUTS, Layout, crop_box

QUOTES = {"de": ("\u201e", "\u201c"), "en": ("\u201c", "\u201d"), "tr": ("\u201c", "\u201d"),
          "uk": ("\u00ab", "\u00bb"), "ru": ("\u00ab", "\u00bb"), "ar": ("\u00ab", "\u00bb"),
          "fr": ("\u00ab\u202f", "\u202f\u00bb"), "pl": ("\u201e", "\u201d"),
          "ro": ("\u201e", "\u201d"), "bg": ("\u201e", "\u201c"), "it": ("\u00ab", "\u00bb"),
          "el": ("\u00ab", "\u00bb"), "fa": ("\u00ab", "\u00bb"), "sq": ("\u201e", "\u201c")}
STRIP = "\"'\u201e\u201c\u201d\u00ab\u00bb\u2039\u203a\u201a\u2018\u2019 \u202f"
JPEG_QUALITY = 90


def typographic(quote: str, lang: str) -> str:
    """The quote in the quotation marks its language uses (any straight or foreign marks replaced)."""
    opening, closing = QUOTES.get(lang, QUOTES["en"])
    return f"{opening}{quote.strip().strip(STRIP)}{closing}"


def name_line(first_name: str, age: int, role: str, lang: str) -> str:
    """"Brigitte, 81, Rentnerin". Arabic uses its own comma, and right-to-left marks keep a Latin
    first name and the age in reading order."""
    if lang == "ar":
        return "\u200f\u060c ".join([first_name, str(age), role])
    return ", ".join([first_name, str(age), role])


@dataclass(frozen=True)
class Brand:
    primary: str = "#E30613"
    secondary: str = "#1D1D1B"
    text: str = "#FFFFFF"
    logo: Path | None = None
    font: Path | None = None


@dataclass(frozen=True)
class Texts:
    lang: str
    name_line: str
    quote: str
    hashtag: str
    credit: str


@dataclass
class Job:
    """One portrait: its clean photo, focal point, and the (format, texts) images to make."""
    photo: Path
    focus: tuple[float, float]
    brand: Brand
    images: list[tuple[str, Texts]] = field(default_factory=list)


def _scale_needed(size: tuple[int, int], layouts: list[Layout], focus) -> float:
    """Output pixels per photo pixel of the most demanding crop (above 1: the photo is upscaled)."""
    w, h = size
    need = 0.0
    for lay in layouts:
        left, top, right, bottom = crop_box(w, h, lay.crop_aspect, focus, lay.anchor)
        need = max(need, lay.photo[2] / (right - left))
    return need


def decode(photo: Path, layouts: list[Layout], focus):
    """The upright RGB photo, decoded at the smallest JPEG scale that still covers every crop."""
    from PIL import Image, ImageOps

    im = Image.open(photo)
    orientation = im.getexif().get(0x0112, 1)
    upright = (im.height, im.width) if orientation in (5, 6, 7, 8) else im.size
    s = _scale_needed(upright, layouts, focus)
    if s < 1:
        req = (math.ceil(im.width * s), math.ceil(im.height * s))
        im.draft("RGB", req)
    im.load()
    if orientation != 1:
        im = ImageOps.exif_transpose(im)
    return im if im.mode == "RGB" else im.convert("RGB")


def _rgb(colour: str) -> tuple[int, int, int]:
    from PIL import ImageColor

    return ImageColor.getrgb(colour)[:3]


def _draw_block(draw, box, fitted: textfit.Fitted, colour, rtl: bool, valign: str = "middle") -> None:
    bx, by, bw, bh = box
    spacing = int(fitted.size * textfit.LINE_SPACING)
    left, top, right, bottom = draw.multiline_textbbox((0, 0), fitted.text, font=fitted.font, spacing=spacing,
                                                       direction=fitted.direction, align="right" if rtl else "left")
    x = bx + bw - right if rtl else bx - left
    free = bh - (bottom - top)
    y = by - top + {"top": 0, "middle": free // 2, "bottom": free}[valign]
    draw.multiline_text((x, y), fitted.text, font=fitted.font, fill=colour, spacing=spacing,
                        direction=fitted.direction, align="right" if rtl else "left")


def _fit(text: str, brand: Brand, box, max_size: int, bold: bool = False) -> tuple[textfit.Fitted, bool]:
    rtl = fonts.is_rtl(text)
    path = fonts.font_for(text, brand.font)
    return textfit.fit(text, path, (box[2], box[3]), max_size, bold=bold, direction="rtl" if rtl else None), rtl


def _logo(canvas, brand: Brand, box, right: bool = False) -> None:
    if not brand.logo:
        return
    from PIL import Image

    with Image.open(brand.logo) as logo:
        logo = logo.convert("RGBA")
        logo.thumbnail((box[2], box[3]))
        x = box[0] + box[2] - logo.width if right else box[0]
        canvas.paste(logo, (x, box[1]), logo)


def compose(photo, focus, lay: Layout, texts: Texts, brand: Brand):
    """One finished image (a fresh RGB canvas) for one format and language."""
    from PIL import Image, ImageDraw

    W, H = lay.size
    px, py, pw, ph = lay.photo
    box = crop_box(photo.width, photo.height, pw / ph, focus, lay.anchor)
    canvas = Image.new("RGB", (W, H))
    # Pillow's bilinear resize is a true antialiasing filter when shrinking; at these factors it
    # looks the same as bicubic and costs half as much.
    canvas.paste(photo.resize((pw, ph), Image.Resampling.BILINEAR, box=box, reducing_gap=2.0), (px, py))
    draw = ImageDraw.Draw(canvas)
    bx, by, bw, bh = lay.band
    draw.rectangle([bx, by, bx + bw - 1, by + bh - 1], fill=_rgb(brand.primary))
    stripe = [bx, by, bx + 9, by + bh - 1] if bh > bw else [bx, by, bx + bw - 1, by + 9]
    draw.rectangle(stripe, fill=_rgb(brand.secondary))
    colour = _rgb(brand.text)
    quote, rtl = _fit(texts.quote, brand, lay.quote, max_size=int(lay.quote[3] * 0.34))
    _draw_block(draw, lay.quote, quote, colour, rtl, "bottom")
    name, rtl_name = _fit(texts.name_line, brand, lay.name_line, max_size=int(lay.name_line[3] * 0.8), bold=True)
    _draw_block(draw, lay.name_line, name, colour, rtl_name)
    fx, fy, fw, fh = lay.footer
    tag_w, credit_w = int(fw * 0.58), fw - int(fw * 0.6)
    tag_box, credit_box = (fx, fy, tag_w, fh), (fx + fw - credit_w, fy, credit_w, fh)
    if rtl:  # mirror the footer for right-to-left text
        tag_box, credit_box = (fx + fw - tag_w, fy, tag_w, fh), (fx, fy, credit_w, fh)
    size = int(fh * 0.55)
    for text, b, right in ((texts.hashtag, tag_box, rtl), (texts.credit, credit_box, not rtl)):
        if text:
            fitted, text_rtl = _fit(text, brand, b, max_size=size)
            _draw_block(draw, b, fitted, colour, right or text_rtl)
    logo_box = lay.logo
    if rtl:  # mirrored within the band's width, and set against the right edge of its box
        lx, ly, lw, lh = logo_box
        logo_box = (bx + bw - (lx - bx) - lw, ly, lw, lh)
    _logo(canvas, brand, logo_box, right=rtl)
    return canvas


def encode(image) -> bytes:
    """JPEG bytes with no metadata at all: no EXIF, XMP, IPTC, ICC or comment."""
    buf = BytesIO()
    image.save(buf, "JPEG", quality=JPEG_QUALITY, exif=b"", icc_profile=None, comment=None)
    return buf.getvalue()


def render_job(job: Job) -> dict[tuple[str, str], bytes]:
    """All images of one portrait from one decode: {(format, lang): JPEG bytes}."""
    layouts = [LAYOUTS[fmt] for fmt, _t in job.images]
    photo = decode(job.photo, layouts, job.focus)
    return {(fmt, texts.lang): encode(compose(photo, job.focus, LAYOUTS[fmt], texts, job.brand))
            for fmt, texts in job.images}
