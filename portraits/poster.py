"""The billboard poster: formats, a layout read from the street, face-aware crops, and a print PDF
(a PDF/X-4 candidate) with its preview, and the preflight that reads such a PDF back.

Pure imaging; it knows nothing of the store. Geometry is worked out once in millimetres on the
page (the poster at its scale, plus bleed, plus a zone for the crop marks outside the bleed) and
drawn by two painters: reportlab for the PDF (text and colour fields as vectors, each photo as its
own JPEG at the print resolution, embedded as its bytes: a DCT stream, no re-encoding) and Pillow
for a small PNG preview made from those same JPEGs. Each photo is decoded once, at the smallest
JPEG scale its slot allows, so a 1:1 poster of 14,000 x 10,000 pixels never exists as one picture
in memory: only one slot at a time does. pikepdf then adds what a printer's preflight asks for:
the output intent, TrimBox and BleedBox, the PDF/X keys and XMP, and colour that is not device RGB.

Type is sized for the distance a poster is read from: as a share of its shorter side, so that an
18/1 (2.52 m high) has names of 12.1 cm and the campaign name at 25.2 cm (font size, at 1:1).
"""
from __future__ import annotations

import math
import re
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from portraits.errors import CampaignError
from portraits.jpeg import ROW_MARGIN, load_rows, restart_strip
from portraits.messages import _m, _mn, join

HEADROOM = (0.5, 0.42)  # where the focal point lands in a slot without a face box

FORMATS = {"18/1": (3560.0, 2520.0), "city-light": (1190.0, 1750.0)}  # full size, millimetres
MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH
PHOTO_ASPECT = 4 / 5          # what photo areas aim for: studio portraits are upright
PREVIEW_WIDTH = 2000
MARKS_MM = 8.0                # the zone outside the bleed that holds the crop marks (page mm)
# Font sizes at full size, as a share of the poster's shorter side (18/1: 2520 mm).
NAME_TYPE = 0.048             # "Brigitte, 81": 121 mm on an 18/1
ROLE_TYPE = 0.03              # the role under it: 76 mm
TITLE_TYPE = 0.1              # the campaign name: 252 mm
TAG_TYPE = 0.048              # the hashtag
CREDIT_TYPE = 0.011           # photo credits: 28 mm, read up close
CONDITIONS = {  # registered characterisations (ICC registry) an output intent may name
    "FOGRA39": "Coated FOGRA39 (ISO 12647-2:2004)", "FOGRA51": "PSO Coated v3 (ISO 12647-2:2013)",
    "FOGRA52": "PSO Uncoated v3 (ISO 12647-2:2013)", "FOGRA47": "Uncoated FOGRA47 (ISO 12647-2:2004)",
    "CGATS21_CRPC6": "GRACoL 2013 (CGATS 21-2 CRPC6)", "CGATS TR 006": "SWOP (CGATS TR 006)"}


@dataclass(frozen=True)
class Spec:
    """A poster format at a scale, resolution and bleed."""
    name: str
    width_mm: float           # full size
    height_mm: float
    scale: int = 10           # 1:scale
    dpi: int = 300
    bleed_mm: float = 10.0    # full size

    @property
    def trim(self) -> tuple[float, float]:
        return self.width_mm / self.scale, self.height_mm / self.scale

    @property
    def bleed(self) -> float:
        return self.bleed_mm / self.scale

    @property
    def page(self) -> tuple[float, float]:
        """Trim, bleed and the crop-mark zone outside the bleed."""
        w, h = self.trim
        return w + 2 * (self.bleed + MARKS_MM), h + 2 * (self.bleed + MARKS_MM)

    @property
    def trim_box(self) -> tuple[float, float, float, float]:
        """x, y (from the top left), width, height of the trim on the page, millimetres."""
        o = MARKS_MM + self.bleed
        return o, o, *self.trim

    @property
    def bleed_box(self) -> tuple[float, float, float, float]:
        w, h = self.trim
        return MARKS_MM, MARKS_MM, w + 2 * self.bleed, h + 2 * self.bleed

    def type_mm(self, share: float) -> float:
        """A font size given as a share of the shorter side, in page millimetres."""
        return share * min(self.width_mm, self.height_mm) / self.scale

    def px(self, mm: float) -> int:
        return max(1, round(mm / MM_PER_INCH * self.dpi))

    @property
    def label(self) -> str:
        return _m("{name} at 1:{scale}, {dpi} dpi", name=self.name, scale=self.scale, dpi=self.dpi)


def parse_format(text: str) -> tuple[str, float, float]:
    """'18/1', 'city-light' or 'WIDTHxHEIGHTcm' -> (name, width mm, height mm) at full size."""
    key = str(text).strip().lower()
    if key in FORMATS:
        return key, *FORMATS[key]
    m = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*x\s*(\d+(?:[.,]\d+)?)\s*cm", key)
    if m:
        w, h = (float(v.replace(",", ".")) * 10 for v in m.groups())
        if 10 <= w <= 10000 and 10 <= h <= 10000:
            return f"{m.group(1)}x{m.group(2)}cm", w, h
    raise CampaignError(_m("Unknown billboard format {text!r}.", text=text),
                        _m("Use 18/1 (356x252 cm), city-light (119x175 cm) or WIDTHxHEIGHTcm, e.g. 240x340cm."))


def parse_scale(text: str | int) -> int:
    """'1:10' -> 10."""
    m = re.fullmatch(r"\s*1\s*:\s*(\d+)\s*", str(text))
    if not m or not 1 <= int(m.group(1)) <= 100:
        raise CampaignError(_m("The scale {text!r} is not like 1:10.", text=text),
                            _m("Use 1:1 (full size) or 1:10 (what printers ask for)."))
    return int(m.group(1))


def make_spec(fmt: str, scale: str | int, dpi: int | str, bleed_mm: float | str) -> Spec:
    name, w, h = parse_format(fmt)
    try:
        dpi = int(dpi)
        bleed = float(bleed_mm)
    except (TypeError, ValueError):
        raise CampaignError(_m("The resolution {dpi!r} or bleed {bleed_mm!r} is not a number.", dpi=dpi,
                               bleed_mm=bleed_mm),
                            _m("Give --dpi as a whole number (e.g. 300) and bleed_mm in millimetres.")) from None
    if not 30 <= dpi <= 1200:
        raise CampaignError(_m("A resolution of {dpi} dpi is not usable for print.", dpi=dpi),
                            _m("Use 300 at 1:10, or 72-100 at 1:1."))
    if not 0 <= bleed <= 100:
        raise CampaignError(_m("A bleed of {bleed} mm is not usable.", bleed=bleed),
                            _m("Use 0 to 100 mm at full size (printers ask for about 10)."))
    return Spec(name, w, h, parse_scale(scale), dpi, bleed)


Box = tuple[float, float, float, float]  # x, y (top-left), width, height in page millimetres


@lru_cache(maxsize=4096)
def _em(text: str, font: Path) -> float:
    """Width of `text` in ems of `font` (measured once at 200 px)."""
    from portraits.textfit import load_font

    return load_font(font, 200, False, False).getlength(text) / 200 if text else 0.0


@dataclass
class Layout:
    spec: Spec
    cols: int
    rows: int
    photos: list[Box] = field(default_factory=list)   # the photo area of each slot (above its plate)
    plates: list[Box] = field(default_factory=list)   # the name plate under it
    band: Box = (0, 0, 0, 0)                           # the campaign band, into the bleed
    trim: Box = (0, 0, 0, 0)
    sizes: dict[str, float] = field(default_factory=dict)  # font sizes, page millimetres
    title_lines: list[str] = field(default_factory=list)
    tag_row: int = 0                                   # 0: hashtag beside the name; 1: on its own row
    margin: float = 0.0


def _band(spec: Spec, title: str, hashtag: str, font: Path, logo: bool) -> tuple[float, list[str], int, float]:
    """The band's height, the campaign name's lines and where the hashtag goes; refuses a name
    that cannot be set at the reading size."""
    tx, ty, tw, th = spec.trim_box
    margin = 0.025 * min(tw, th)
    T, H, C = spec.type_mm(TITLE_TYPE), spec.type_mm(TAG_TYPE), spec.type_mm(CREDIT_TYPE)
    logo_w = T * 2.5 if logo else 0.0
    room = tw - 2 * margin
    title_w, tag_w = _em(title, font) * T, _em(hashtag, font) * H
    if title_w + margin + tag_w + margin + logo_w <= room:
        lines, tag_row = [title], 0
    else:
        tag_row = 1
        lines = [title]
        if title_w > room - (logo_w + margin if logo else 0):
            words = title.split()
            splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
            splits = [pair for pair in splits if max(_em(x, font) for x in pair) * T <= room]
            if not splits:
                most = int(len(title) * room / title_w)
                raise CampaignError(_m("The campaign name is too long to be read on this billboard ({count} "
                                       "characters at {value:.0f} cm).", count=len(title), value=T * spec.scale / 10),
                                    _m("Use a shorter name for the poster (about {most} characters per "
                                       "line), or a larger format.", most=most))
            lines = list(min(splits, key=lambda pair: max(_em(x, font) for x in pair)))
    height = margin * 0.7 + len(lines) * T * 1.05 + tag_row * H * 1.2 + C * 1.7 + margin * 0.4
    return height, lines, tag_row, margin


Faces = list  # per slot: ((photo width, photo height), face box as fractions) or None (no face box)


def _faces_whole(faces: Faces | None, shape: tuple[float, float]) -> bool:
    """Whether a slot of this shape (width, height) keeps every face whole, forehead to chin."""
    from portraits.layouts import face_fits

    return all(f is None or face_fits(f[0], shape, f[1]) for f in faces or [])


def _grid_cost(spec: Spec, n: int, area: Box, names: list[str], roles: list[str], font: Path, margin: float,
               faces: Faces | None = None):
    """(cost, cols, rows, plate height) of the best grid for n slots whose names read and whose
    slots keep every face whole, or None."""
    ax, ay, aw, ah = area
    N, R = spec.type_mm(NAME_TYPE), spec.type_mm(ROLE_TYPE)
    pad = 0.25 * N
    plate_h = pad + N * 1.05 + R * 1.2 + pad * 0.5
    widest = max((_em(t, font) * N for t in names), default=0.0)
    widest_role = max((_em(t, font) * R * 0.8 for t in roles), default=0.0)  # roles may take 80 %
    best = None
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        if (rows - 1) * cols >= n:
            continue
        cw, ch = (aw - (cols - 1) * margin) / cols, (ah - (rows - 1) * margin) / rows
        photo_h = ch - plate_h
        if widest + 2 * pad > cw or widest_role + 2 * pad > cw or photo_h < 0.25 * cw:
            continue
        if not _faces_whole(faces, (cw, photo_h)):
            continue  # a slot this shape would cut a face through the eyes: not offered
        cost = abs(math.log((cw / photo_h) / PHOTO_ASPECT)) + 1.0 * (cols * rows - n)
        if best is None or cost < best[0] - 1e-9:
            best = (cost, cols, rows, plate_h)
    return best


def layout(spec: Spec, names: list[str], roles: list[str], font: Path, title: str = "", hashtag: str = "",
           logo: bool = False, faces: Faces | None = None) -> Layout:
    """Where every photo, name plate and the band go (page millimetres), with type for reading at a
    distance and slots that keep every face whole (`faces`, per portrait). Refuses more portraits
    than the format can name legibly, saying how many it can."""
    n = len(names)
    if n < 1:
        raise CampaignError(_m("There is nothing to put on the billboard."),
                            _m("Pick portraits first: campaign billboard pick."))
    tx, ty, tw, th = spec.trim_box
    band_h, title_lines, tag_row, margin = _band(spec, title, hashtag, font, logo)
    area = (tx + margin, ty + margin, tw - 2 * margin, th - band_h - 2 * margin)
    gap = margin * 0.6
    best = _grid_cost(spec, n, area, names, roles, font, gap, faces)
    if best is None and faces and _grid_cost(spec, n, area, names, roles, font, gap) is not None:
        raise CampaignError(_m("On a {name} poster with {n} portraits every layout would cut a face (the slots are "
                               "too wide and low for the photos).", name=spec.name, n=n),
                            _m("Pick a different number of portraits (campaign billboard pick --slots N) or photos "
                               "with more room above and below the face."))
    if best is None:
        most = next((k for k in range(n - 1, 0, -1)
                     if _grid_cost(spec, k, area, names[:k], roles[:k], font, gap)), 0)
        name_cm = spec.type_mm(NAME_TYPE) * spec.scale / 10
        raise CampaignError(_m("{n} portraits do not fit a {name} poster with names {name_cm:.0f} cm high "
                               "(what reads from the street); it holds {most}.",
                               n=n, name=spec.name, name_cm=name_cm, most=most),
                            _m("Pick {most}: campaign billboard pick --slots {most}, or choose a larger "
                               "format.", most=most) if most else _m("Choose a larger format (--format)."))
    _cost, cols, rows, plate_h = best
    ax, ay, aw, ah = area
    cw, ch = (aw - (cols - 1) * gap) / cols, (ah - (rows - 1) * gap) / rows
    bx, by, bw, bh = spec.bleed_box
    out = Layout(spec, cols, rows, trim=(tx, ty, tw, th), band=(bx, ty + th - band_h, bw, by + bh - (ty + th - band_h)),
                 sizes={"name": spec.type_mm(NAME_TYPE), "role": spec.type_mm(ROLE_TYPE),
                        "title": spec.type_mm(TITLE_TYPE), "tag": spec.type_mm(TAG_TYPE),
                        "credit": spec.type_mm(CREDIT_TYPE)},
                 title_lines=title_lines, tag_row=tag_row, margin=margin)
    for i in range(n):
        r, c = divmod(i, cols)
        in_row = min(cols, n - r * cols)
        offset = (cols - in_row) * (cw + gap) / 2  # a short last row is centred
        x = ax + offset + c * (cw + gap)
        y = ay + r * (ch + gap)
        out.photos.append((x, y, cw, ch - plate_h))
        out.plates.append((x, y + ch - plate_h, cw, plate_h))
    return out


TYPICAL_NAME = ("Maximilian, 45", "Intensivkrankenschwester")  # what the pick checks slot sizes with


def cell_pixels(spec: Spec, n: int) -> tuple[int, int]:
    """The size in pixels a photo fills on the poster at the print resolution (with typical names)."""
    from portraits.fonts import fallbacks

    lay = layout(spec, [TYPICAL_NAME[0]] * n, [TYPICAL_NAME[1]] * n, fallbacks()[0])
    _x, _y, w, h = lay.photos[0]
    return spec.px(w), spec.px(h)


def shortfall(photo_w: int, photo_h: int, need_w: int, need_h: int) -> tuple[float, float] | None:
    """(megapixels the photo has, megapixels it would need) if it is too small for the cell, else None."""
    s = max(need_w / photo_w, need_h / photo_h)
    if s <= 1.0001:
        return None
    return photo_w * photo_h / 1e6, photo_w * photo_h * s * s / 1e6


_SLOT = None


def _slot_layout():
    """The social renders' head placement, with a poster slot's proportions."""
    global _SLOT
    if _SLOT is None:
        from portraits.layouts import Layout as Social

        _SLOT = Social("billboard slot", (1000, 1000), "bottom", lines=(1,), headroom=0.1, head_share=0.6)
    return _SLOT


def crop_to_file(src: Path, size: tuple[int, int], focus: Iterable[float], target: Path,
                 face: tuple[float, float, float, float] | None = None, cmyk=None) -> float:
    """Decode only as much of the photo as the slot needs (JPEG draft), crop (head whole and clear of
    the plate where a face box is known), convert to the printer's CMYK when `cmyk` (an ImageCms
    transform) is given, save as JPEG. Returns the photo pixels per slot pixel (below 1: enlarged)."""
    from PIL import Image, ImageOps

    from portraits.layouts import place

    tw, th = size
    with Image.open(src) as im:
        orientation = im.getexif().get(0x0112, 1)
        w, h = im.size
        upright = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
        box = place(upright, (tw, th), _slot_layout(), tuple(focus), face).crop
        s = min((box[2] - box[0]) / tw, (box[3] - box[1]) / th)
        if s > 1:
            im.draft("RGB", (int(w / s), int(h / s)))
        scale = (getattr(im, "decoderconfig", None) or (1,))[0]  # the JPEG scale draft chose: 1, 2, 4 or 8
        band = None
        if orientation == 1 and im.format == "JPEG":  # the slot is a strip of the photo
            margin = ROW_MARGIN * scale  # rows above and below the crop that the filter reads
            im.fp.seek(0)
            band = restart_strip(im.fp.read(), math.floor(box[1]) - margin, math.ceil(box[3]) + margin)
        if band is not None:  # decode just that band of rows
            from io import BytesIO

            jpeg, y0 = band
            pic = Image.open(BytesIO(jpeg))
            pic.draft("RGB", (w // scale, 1))
            pic.decodermaxblock = len(jpeg)  # one decode call: one GIL hand-back (see load_rows)
            pic.load()
            box = (box[0], box[1] - y0, box[2], box[3] - y0)
        else:
            if orientation == 1:  # decode down to the crop's last row only
                load_rows(im, math.ceil(box[3] * im.size[0] / w) + ROW_MARGIN)
            pic = ImageOps.exif_transpose(im) if orientation != 1 else im
        if pic.mode != "RGB":
            pic = pic.convert("RGB")
        k = pic.size[0] / upright[0]
        # Shrinking (after draft, by 1-2x): bicubic, within 4/255 of Lanczos (PSNR 58 dB) at two
        # thirds of its cost; enlarging keeps Lanczos's sharper edges.
        flt = Image.BICUBIC if s > 1 else Image.LANCZOS
        cell = pic.resize((tw, th), flt, box=tuple(v * k for v in box), reducing_gap=3.0)
        del pic
    if cmyk is not None:
        from PIL import ImageCms

        cell = ImageCms.applyTransform(cell, cmyk)
    from portraits.imageio import BILLBOARD_SLOT, save_jpeg

    save_jpeg(cell, target, BILLBOARD_SLOT)
    return s


@dataclass
class Item:
    photo: Path
    width: int
    height: int
    focus: tuple[float, float]
    label: str              # "Brigitte, 81" (portraits.render.name_and_age)
    sub: str                # the role
    face: tuple[float, float, float, float] | None = None
    name: str = ""          # the portrait's id, for messages


@dataclass
class Band:
    title: str
    hashtag: str
    credits: str
    logo: Path | None
    primary: str
    secondary: str
    text: str
    font: Path


def _rgb(colour: str) -> tuple[int, int, int]:
    from PIL import ImageColor

    try:
        return ImageColor.getrgb(colour)[:3]
    except ValueError:
        raise CampaignError(_m("The colour {colour!r} in campaign.toml [brand] is not a colour.", colour=colour),
                            _m("Write it as #RRGGBB, e.g. #E30613.")) from None


def _fit(text: str, size: float, width: float, measure) -> float:
    """The font size (<= size) at which `text` fits `width`."""
    w = measure(text, size)
    return size if w <= width else size * width / w


def _draw(lay: Layout, items: list[Item], band: Band, p) -> None:
    """Paint the poster with painter `p` (all coordinates in page millimetres)."""
    p.rect(lay.spec.bleed_box, band.secondary)
    S = lay.sizes
    pad = 0.25 * S["name"]
    # One size for every slot's name and one for every role: the smallest any slot needs, so the
    # poster reads as one hierarchy rather than a long role set smaller than its neighbours.
    name_size = min((_fit(item.label, S["name"], plate[2] - 2 * pad, p.measure)
                     for item, plate in zip(items, lay.plates)), default=S["name"])
    role_size = min((_fit(item.sub, S["role"], plate[2] - 2 * pad, p.measure)
                     for item, plate in zip(items, lay.plates)), default=S["role"])
    for i, (item, box, plate) in enumerate(zip(items, lay.photos, lay.plates)):
        p.photo(box, item, i)
        p.rect(plate, band.primary)
        x, y, w, h = plate
        p.text(x + pad, y + pad + S["name"] * 0.85, item.label, name_size, band.text)
        p.text(x + pad, y + pad + S["name"] * 1.05 + S["role"] * 0.95, item.sub, role_size, band.text)
    p.rect(lay.band, band.primary)
    tx, ty, tw, th = lay.trim
    x0 = tx + lay.margin
    y = lay.band[1] + lay.margin * 0.7
    if band.logo:
        logo_h = S["title"]
        p.logo((tx + tw - lay.margin - logo_h * 2.5, y + S["title"] * 0.1, logo_h * 2.5, logo_h), band.logo)
    for line in lay.title_lines:
        y += S["title"] * 1.05
        p.text(x0, y - S["title"] * 0.22, line, S["title"], band.text)
    if lay.tag_row:
        y += S["tag"] * 1.2
        p.text(x0, y - S["tag"] * 0.2, band.hashtag, S["tag"], band.text)
    else:
        tag_w = p.measure(band.hashtag, S["tag"])
        right = tx + tw - lay.margin - (S["title"] * 2.5 + lay.margin if band.logo else 0)
        p.text(right - tag_w, y - S["title"] * 0.22, band.hashtag, S["tag"], band.text)
    if band.credits:
        room = tw - 2 * lay.margin
        p.text(x0, y + S["credit"] * 1.6, band.credits, _fit(band.credits, S["credit"], room, p.measure), band.text)


class _PdfPainter:
    def __init__(self, canvas, spec: Spec, font: str, cells: list[Path], colour):
        self.c, self.spec, self.font, self.cells, self.colour = canvas, spec, font, cells, colour
        self.page_h = spec.page[1]

    def _y(self, y: float, h: float = 0) -> float:
        return (self.page_h - y - h) * PT_PER_MM

    def _fill(self, colour: str) -> None:
        value = self.colour(colour)
        if len(value) == 4:
            self.c.setFillColorCMYK(*value)
        else:
            self.c.setFillColorRGB(*value)

    def rect(self, box: Box, colour: str) -> None:
        x, y, w, h = box
        self._fill(colour)
        self.c.rect(x * PT_PER_MM, self._y(y, h), w * PT_PER_MM, h * PT_PER_MM, stroke=0, fill=1)

    def photo(self, box: Box, item: Item, index: int) -> None:
        x, y, w, h = box
        # A file name (not a PIL image): reportlab embeds the JPEG bytes as they are, no re-encoding.
        self.c.drawImage(str(self.cells[index]), x * PT_PER_MM, self._y(y, h), w * PT_PER_MM, h * PT_PER_MM)

    def logo(self, box: Box, path: Path) -> None:
        x, y, w, h = box
        self.c.drawImage(str(path), x * PT_PER_MM, self._y(y, h), w * PT_PER_MM, h * PT_PER_MM,
                         mask="auto", preserveAspectRatio=True, anchor="e")

    def measure(self, text: str, size: float) -> float:
        from reportlab.pdfbase import pdfmetrics

        return pdfmetrics.stringWidth(text, self.font, size * PT_PER_MM) / PT_PER_MM

    def text(self, x: float, baseline: float, text: str, size: float, colour: str) -> None:
        self._fill(colour)
        self.c.setFont(self.font, size * PT_PER_MM)
        self.c.drawString(x * PT_PER_MM, self._y(baseline), text)


class _PngRows:
    """A PNG written top to bottom while its image is still being made: rows that are final go out
    (Up filter, zlib level 1) as soon as the caller says so, so the preview's compression runs
    while later photos still decode instead of after the last one. Pillow's own PNG writer takes
    the whole image at once (~0.1 s for the 2000 px preview, all of it after the last photo)."""

    def __init__(self, path: Path, size: tuple[int, int]):
        import struct
        import zlib

        self._zlib, self._struct = zlib, struct
        self.size, self.done = size, 0
        self.file = open(path, "wb")
        self.deflate = zlib.compressobj(1)
        self.file.write(b"\x89PNG\r\n\x1a\n")
        self._chunk(b"IHDR", struct.pack(">IIBBBBB", size[0], size[1], 8, 2, 0, 0, 0))  # 8-bit RGB

    def _chunk(self, kind: bytes, data: bytes) -> None:
        if data or kind != b"IDAT":  # an IDAT with nothing compressed yet is left out
            self.file.write(self._struct.pack(">I", len(data)) + kind + data
                            + self._struct.pack(">I", self._zlib.crc32(kind + data)))

    def rows(self, img, end: int) -> None:
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

    def close(self, img) -> None:
        self.rows(img, self.size[1])
        self._chunk(b"IDAT", self.deflate.flush())
        self._chunk(b"IEND", b"")
        self.file.close()


class _PreviewPainter:
    def __init__(self, spec: Spec, font: Path, width_px: int, cells: list[Path]):
        from PIL import Image, ImageDraw

        pw, ph = spec.page
        self.k = width_px / pw
        self.img = Image.new("RGB", (width_px, max(1, round(ph * self.k))), "white")
        self.draw = ImageDraw.Draw(self.img)
        self.font_path = font
        self.cells = cells
        self.pending: list[tuple[tuple[int, int, int, int], int]] = []
        self._fonts: dict[int, object] = {}

    def _px(self, box: Box) -> tuple[int, int, int, int]:
        x, y, w, h = box
        return round(x * self.k), round(y * self.k), round((x + w) * self.k), round((y + h) * self.k)

    def _font(self, size: float):
        from PIL import ImageFont

        px = max(1, round(size * self.k))
        if px not in self._fonts:
            self._fonts[px] = ImageFont.truetype(str(self.font_path), px)
        return self._fonts[px]

    def rect(self, box: Box, colour: str) -> None:
        self.draw.rectangle(self._px(box), fill=_rgb(colour))

    def photo(self, box: Box, item: Item, index: int) -> None:
        # Pasted by paste_photos once the slot's JPEG is written: the rest of the preview is drawn
        # while the photos still decode. Nothing else is drawn inside a photo's box.
        self.pending.append((self._px(box), index))

    def paste_photos(self, ready, png: _PngRows | None = None) -> None:
        """Paste each slot's photo as soon as `ready[index]` (its future) is done; with `png`, write
        out the rows above every photo still to come as they become final."""
        from PIL import Image

        pending = sorted(self.pending, key=lambda p: p[1])
        for n, ((x0, y0, x1, y1), index) in enumerate(pending):
            ready[index].result()
            with Image.open(self.cells[index]) as cell:  # the print JPEG, decoded small: no second full decode
                cell.draft("RGB", (max(1, x1 - x0), max(1, y1 - y0)))
                cell = cell.convert("RGB").resize((max(1, x1 - x0), max(1, y1 - y0)), Image.BILINEAR)
                self.img.paste(cell, (x0, y0))
            if png is not None:
                png.rows(self.img, min((box[1] for box, _i in pending[n + 1:]), default=self.img.height))
        self.pending = []

    def logo(self, box: Box, path: Path) -> None:
        from PIL import Image, ImageOps

        x0, y0, x1, y1 = self._px(box)
        with Image.open(path) as logo:
            logo = ImageOps.contain(logo.convert("RGBA"), (max(1, x1 - x0), max(1, y1 - y0)))
            self.img.paste(logo, (x1 - logo.width, y0 + (y1 - y0 - logo.height) // 2), logo)

    def measure(self, text: str, size: float) -> float:
        return self._font(size).getlength(text) / self.k if text else 0.0

    def text(self, x: float, baseline: float, text: str, size: float, colour: str) -> None:
        self.draw.text((x * self.k, baseline * self.k), text, font=self._font(size), fill=_rgb(colour), anchor="ls")


def _crop_marks(canvas, spec: Spec) -> None:
    """Crop marks on the lines of the trim, drawn only in the zone outside the bleed (a printer trims
    through them; inside the bleed they would print on the poster's edge)."""
    tx, ty, tw, th = spec.trim_box
    pw, ph = spec.page
    gap = 1.0  # mm between the bleed and a mark
    outer = MARKS_MM - gap
    canvas.setStrokeColorCMYK(1, 1, 1, 1)  # registration black: on every plate
    canvas.setLineWidth(0.25)
    for cx in (tx, tx + tw):
        for cy in (ty, ty + th):
            hx = (0.5, outer) if cx == tx else (pw - outer, pw - 0.5)
            vy = (0.5, outer) if cy == ty else (ph - outer, ph - 0.5)
            canvas.line(hx[0] * PT_PER_MM, (ph - cy) * PT_PER_MM, hx[1] * PT_PER_MM, (ph - cy) * PT_PER_MM)
            canvas.line(cx * PT_PER_MM, (ph - vy[0]) * PT_PER_MM, cx * PT_PER_MM, (ph - vy[1]) * PT_PER_MM)


def resolution(spec: Spec, items: list[Item], lay: Layout, scales: list[float]) -> tuple[list[dict], list[str]]:
    """Per slot: pixels and effective resolution (at the page's scale and at full size); and one
    warning per photo that is smaller than its slot at the print resolution."""
    slots, warnings = [], []
    for item, box, s in zip(items, lay.photos, scales):
        need_w, need_h = spec.px(box[2]), spec.px(box[3])
        effective = spec.dpi * min(1.0, s)
        slots.append({"portrait_id": item.name, "slot_pixels": [need_w, need_h], "effective_dpi": round(effective),
                      "full_size_dpi": round(effective / spec.scale, 1)})
        short = shortfall(item.width, item.height, need_w, need_h)
        if s < 0.999 and short:
            warnings.append(_m("{name}: photo {short:.1f} MP, needs {short2:.1f} MP for {label} (it prints "
                               "at about {effective:.0f} dpi)",
                               name=item.name, short=short[0], short2=short[1], label=spec.label,
                               effective=effective))
        elif s < 0.999:
            warnings.append(_m("{name}: the crop around the face is enlarged for {label} (it prints at about "
                               "{effective:.0f} dpi)", name=item.name, label=spec.label, effective=effective))
    return slots, warnings


def _colour_of(icc: Path | None):
    """'#RRGGBB' -> what the PDF draws: RGB fractions, or CMYK fractions in the printer's profile."""
    if icc is None:
        return lambda colour: tuple(v / 255 for v in _rgb(colour))
    from PIL import Image, ImageCms

    transform = _cmyk_transform(icc)

    def cmyk(colour: str):
        px = ImageCms.applyTransform(Image.new("RGB", (1, 1), _rgb(colour)), transform).getpixel((0, 0))
        return tuple(v / 255 for v in px)
    return cmyk


@lru_cache(maxsize=4)
def _cmyk_transform(icc: Path):
    from PIL import ImageCms

    try:
        profile = ImageCms.getOpenProfile(str(icc))
    except (OSError, ImageCms.PyCMSError):
        raise CampaignError(_m("{name} is not an ICC profile.", name=Path(icc).name),
                            _m("Give --icc the printer's CMYK profile (.icc).")) from None
    if profile.profile.xcolor_space.strip() != "CMYK":
        raise CampaignError(_m("{name} is a {strip} profile, not CMYK.", name=Path(icc).name,
                               strip=profile.profile.xcolor_space.strip()),
                            _m("Give --icc the printer's CMYK profile (e.g. their FOGRA39 or FOGRA51 .icc)."))
    return ImageCms.buildTransform(ImageCms.createProfile("sRGB"), profile, "RGB", "CMYK",
                                   renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                   flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)


def _make_cells(spec: Spec, items: list[Item], lay: Layout, workdir: Path, icc: Path | None,
                pool) -> tuple[list[Path], list]:
    """Each slot's JPEG at the print resolution, started on `pool` (two threads: Pillow decodes and
    resizes outside the GIL); the paths and the futures of the slots' scales."""
    transform = _cmyk_transform(icc) if icc else None
    paths = [workdir / f"slot{i}.jpg" for i in range(len(items))]

    def one(i: int) -> float:
        x, y, w, h = lay.photos[i]
        return crop_to_file(items[i].photo, (spec.px(w), spec.px(h)), items[i].focus, paths[i], items[i].face, transform)
    return paths, [pool.submit(one, i) for i in range(len(items))]


def slot_faces(spec: Spec, items: list[Item], lay: Layout) -> str:
    """Per slot, whether its crop holds the whole face ("ok"), cuts it ("cut"), or has no face box
    ("none"): "1:ok 2:none ...", kept in the PDF for preflight to read back."""
    from portraits.layouts import face_region, place

    marks = []
    for i, item in enumerate(items):
        if not item.face:
            marks.append(f"{i + 1}:none")
            continue
        _x, _y, w, h = lay.photos[i]
        size = (spec.px(w), spec.px(h))
        W, H = item.width, item.height
        crop = place((W, H), size, _slot_layout(), tuple(item.focus), item.face).crop
        fx0, fy0, fx1, fy1 = face_region((item.face[0] * W, item.face[1] * H, item.face[2] * W, item.face[3] * H), W, H)
        whole = crop[0] <= fx0 + 0.5 and crop[1] <= fy0 + 0.5 and fx1 <= crop[2] + 0.5 and fy1 <= crop[3] + 0.5
        marks.append(f"{i + 1}:{'ok' if whole else 'cut'}")
    return " ".join(marks)


def _pdfx(path: Path, spec: Spec, title: str, condition: str, icc: Path | None, faces: str = "") -> None:
    """What a PDF/X-4 preflight asks of the file reportlab wrote: boxes, output intent, PDF/X keys and
    XMP, and RGB made device-independent (sRGB) where the images are not the printer's CMYK."""
    from datetime import datetime, timezone

    import pikepdf
    from PIL import ImageCms

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        pw, ph = spec.page

        def box(x, y, w, h):  # page millimetres from the top left -> PDF points from the bottom left
            return pikepdf.Array([x * PT_PER_MM, (ph - y - h) * PT_PER_MM, (x + w) * PT_PER_MM, (ph - y) * PT_PER_MM])
        page.obj.MediaBox = box(0, 0, pw, ph)
        page.obj.BleedBox = box(*spec.bleed_box)
        page.obj.TrimBox = box(*spec.trim_box)
        intent = pikepdf.Dictionary(Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
                                    OutputConditionIdentifier=condition, RegistryName="http://www.color.org",
                                    Info=CONDITIONS.get(condition, condition))
        if icc is not None:
            profile = pdf.make_stream(Path(icc).read_bytes())
            profile.N = 4
            profile.Alternate = pikepdf.Name.DeviceCMYK
            intent.DestOutputProfile = profile
            described = ImageCms.getOpenProfile(str(icc)).profile.profile_description
            intent.OutputConditionIdentifier = "Custom"  # the profile itself says what it characterises
            intent.OutputCondition = described or Path(icc).stem
            intent.Info = described or Path(icc).stem
        pdf.Root.OutputIntents = pikepdf.Array([intent])
        if icc is None:  # sRGB for every RGB image and for the page's RGB fills (DefaultRGB)
            srgb = pdf.make_stream(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
            srgb.N = 3
            srgb.Alternate = pikepdf.Name.DeviceRGB
            tagged = pikepdf.Array([pikepdf.Name.ICCBased, srgb])
            resources = page.obj.Resources
            colour_spaces = resources.get("/ColorSpace", pikepdf.Dictionary())
            colour_spaces.DefaultRGB = tagged
            resources.ColorSpace = colour_spaces
            for _name, image in _images(page):
                if image.get("/ColorSpace") == pikepdf.Name.DeviceRGB:
                    image.ColorSpace = tagged
        now = datetime.now(timezone.utc)
        stamp = now.strftime("D:%Y%m%d%H%M%SZ")
        info = pdf.docinfo
        info.Title = title
        info.Creator = "campaign billboard export"
        info.GTS_PDFXVersion = "PDF/X-4"
        info.Trapped = pikepdf.Name("/False")
        info.CreationDate = stamp
        info.ModDate = stamp
        info.CampaignScale = spec.scale
        info.CampaignDPI = spec.dpi
        info.CampaignFaces = faces
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
            meta["pdfxid:GTS_PDFXVersion"] = "PDF/X-4"
            meta["xmp:CreateDate"] = now.isoformat(timespec="seconds")
            meta["xmp:ModifyDate"] = now.isoformat(timespec="seconds")
            meta["xmp:CreatorTool"] = "campaign billboard export"
            meta["pdf:Trapped"] = "False"
        pdf.save(path, min_version="1.6")


def export(spec: Spec, items: list[Item], band: Band, pdf_path: Path, png_path: Path | None,
           title: str = "Billboard", condition: str = "FOGRA39", icc: Path | None = None) -> dict:
    """Write the print PDF (and a PNG preview); return the layout's figures, the slots' effective
    resolution and the resolution warnings."""
    from concurrent.futures import ThreadPoolExecutor, wait

    faces = [((i.width, i.height), i.face) if i.face else None for i in items]
    lay = layout(spec, [i.label for i in items], [i.sub for i in items], band.font, band.title, band.hashtag,
                 band.logo is not None, faces)
    if icc is not None:
        _cmyk_transform(Path(icc))  # refuse a wrong profile before any work
    pw, ph = spec.page
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=pdf_path.parent, prefix=".billboard-") as tmp, \
            ThreadPoolExecutor(max_workers=2) as cell_pool:
        # The photos decode while reportlab is imported and the font is read (that holds the GIL).
        cells, cell_scales = _make_cells(spec, items, lay, Path(tmp), Path(icc) if icc else None, cell_pool)

        def make_preview() -> Path:
            preview = _PreviewPainter(spec, band.font, PREVIEW_WIDTH, cells)
            _draw(lay, items, band, preview)
            tmp_png = Path(tmp) / "preview.png"
            png = _PngRows(tmp_png, preview.img.size)
            try:
                preview.paste_photos(cell_scales, png)
            finally:
                png.close(preview.img)
            return tmp_png
        previewing = None
        try:
            from reportlab import rl_config
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont
            from reportlab.pdfgen import canvas as rl_canvas

            font_name = "Brand-" + re.sub(r"\W", "", band.font.stem)[:20]
            try:
                if font_name not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(TTFont(font_name, str(band.font)))
            except Exception:
                for future in cell_scales:
                    future.cancel()
                raise CampaignError(_m("The font {name} cannot be used in a PDF.", name=band.font.name),
                                    _m("Set [brand] font to a TrueType (.ttf) file, or leave it empty for Noto "
                                       "Sans.")) from None
            rl_config.useA85 = 0  # binary streams: reportlab's pure-Python ASCII85 costs a second on nine photos
            import pikepdf  # noqa: F401  (for _pdfx: its ~40 ms import while the photos still decode)

            # The preview alongside the photos and the PDF: its band and names are drawn while the
            # photos decode (after the imports above, so that one thread at a time holds the GIL
            # beside them), each photo pasted when ready; zlib compresses outside the GIL.
            if png_path is not None:
                pool = ThreadPoolExecutor(max_workers=1)
                previewing = pool.submit(make_preview)
                pool.shutdown(wait=False)
            scales = [future.result() for future in cell_scales]
            partial = Path(tmp) / "poster.pdf"
            c = rl_canvas.Canvas(str(partial), pagesize=(pw * PT_PER_MM, ph * PT_PER_MM), pageCompression=1,
                                 initialFontName=font_name)  # not Helvetica, which a PDF cannot embed
            c.setTitle(title)
            c.setAuthor("")
            c.setSubject(spec.label)
            _draw(lay, items, band, _PdfPainter(c, spec, font_name, cells, _colour_of(Path(icc) if icc else None)))
            _crop_marks(c, spec)
            c.showPage()
            c.save()
            _pdfx(partial, spec, title, condition, Path(icc) if icc else None, slot_faces(spec, items, lay))
        except BaseException:
            if previewing is not None:
                wait([previewing])  # it writes into the folder about to be removed
            raise
        if previewing is not None:
            previewing.result().replace(png_path)
        partial.replace(pdf_path)
    slots, warnings = resolution(spec, items, lay, scales)
    return {"grid": f"{lay.cols}x{lay.rows}", "slots": slots, "warnings": warnings,
            "type_cm": {k: round(v * spec.scale / 10, 1) for k, v in lay.sizes.items()}}


def _matrix_mul(m, n):
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _walk(page):
    """Stroked line segments and placed images of a page: ([(x0, y0, x1, y1)], [(name, width_pt, height_pt)]),
    in page points (the current transformation matrix applied)."""
    import pikepdf

    ctm, stack, segments, images, path = (1, 0, 0, 1, 0, 0), [], [], [], []
    point = None

    def at(x, y):
        a, b, c, d, e, f = ctm
        return a * x + c * y + e, b * x + d * y + f
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else ctm
        elif op == "cm":
            ctm = _matrix_mul(tuple(float(v) for v in operands), ctm)
        elif op == "m":
            point = at(float(operands[0]), float(operands[1]))
        elif op == "l" and point is not None:
            nxt = at(float(operands[0]), float(operands[1]))
            path.append((*point, *nxt))
            point = nxt
        elif op in ("S", "s"):
            segments.extend(path)
            path = []
        elif op in ("n", "f", "F", "f*", "B", "b", "B*", "b*"):
            path = []
        elif op == "Do":
            images.append((str(operands[0]), abs(ctm[0]) + abs(ctm[2]), abs(ctm[1]) + abs(ctm[3])))
    return segments, images


def preflight(path: Path) -> list[dict]:
    """Read a PDF back (pikepdf) and check it as a PDF/X-4 preflight would: [{check, ok, detail}]."""
    import pikepdf

    checks: list[dict] = []

    def check(name: str, ok: bool, detail: str, where: int | None = None) -> None:
        # names and details are messages: English in --json, the interface language on screen
        if where is not None:
            name = _m("{check} (page {number})", check=name, number=where)
        checks.append({"check": name, "ok": bool(ok), "detail": detail})
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PdfError:
        raise CampaignError(_m("{name} is not a readable PDF.", name=Path(path).name),
                            _m("Give the PDF that billboard export wrote.")) from None
    with pdf:
        version = tuple(int(v) for v in pdf.pdf_version.split("."))
        check(_m("PDF version"), version >= (1, 6),
              _m("{version} (PDF/X-4 needs 1.6 or later)", version=str(pdf.pdf_version)))
        info = pdf.docinfo
        pdfx = str(info.get("/GTS_PDFXVersion", ""))
        with pdf.open_metadata() as meta:
            xmp_pdfx = meta.get("pdfxid:GTS_PDFXVersion", "")
        missing = _m("missing")
        check(_m("PDF/X version"), pdfx.startswith("PDF/X-4") and xmp_pdfx == pdfx,
              _m("info {info}, XMP {xmp}", info=pdfx or missing, xmp=xmp_pdfx or missing))
        trapped = str(info.get("/Trapped", ""))
        check(_m("Trapped key"), trapped in ("/True", "/False"), trapped or missing)
        intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == pikepdf.Name.GTS_PDFX]
        cmyk_intent = False
        if not intents:
            check(_m("Output intent"), False, _m("no GTS_PDFX output intent"))
        else:
            intent = intents[0]
            condition = str(intent.get("/OutputConditionIdentifier", ""))
            profile = intent.get("/DestOutputProfile")
            if profile is not None:
                cmyk_intent = int(profile.get("/N", 0)) == 4
                check(_m("Output intent"), cmyk_intent,
                      _m("{condition}: {info}, CMYK profile embedded", condition=condition,
                         info=str(intent.get('/Info', ''))) if cmyk_intent else
                      _m("{condition}: the embedded profile is not CMYK", condition=condition))
            else:
                check(_m("Output intent"), condition in CONDITIONS,
                      _m("{condition} ({registered}); no profile embedded: export with --icc to embed the printer's",
                         condition=condition, registered=CONDITIONS.get(condition) or _m("not a registered condition")))
        dpi_wanted = int(info.get("/CampaignDPI", 72))
        if "/CampaignFaces" in info:  # our own export: each slot's crop against its face box
            slots = str(info.CampaignFaces).split()
            cut = [s.split(":")[0] for s in slots if s.endswith(":cut")]
            check("Faces whole (per slot)", not cut,
                  f"slot(s) {', '.join(cut)} cut through the face" if cut else
                  f"{sum(s.endswith(':ok') for s in slots)} of {len(slots)} slot(s) checked, every face whole "
                  "from forehead to chin")
        for number, page in enumerate(pdf.pages, 1):
            where = number if len(pdf.pages) > 1 else None
            media = [float(v) for v in page.obj.MediaBox]
            trim, bleed = page.obj.get("/TrimBox"), page.obj.get("/BleedBox")
            if trim is None or bleed is None:
                check(_m("TrimBox and BleedBox"), False, missing, where)
                continue
            trim, bleed = [float(v) for v in trim], [float(v) for v in bleed]
            inside = (media[0] <= bleed[0] <= trim[0] and media[1] <= bleed[1] <= trim[1]
                      and trim[2] <= bleed[2] <= media[2] and trim[3] <= bleed[3] <= media[3])
            sides = min(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]) / PT_PER_MM
            check(_m("TrimBox and BleedBox"), inside and sides > 0,
                  _m("trim {width:.1f} x {height:.1f} mm, bleed {sides:.1f} mm a side, inside the page",
                     width=(trim[2] - trim[0]) / PT_PER_MM, height=(trim[3] - trim[1]) / PT_PER_MM, sides=sides), where)
            segments, placed = _walk(page)
            inner = [s for s in segments if max(s[0], s[2]) > bleed[0] + 0.01 and min(s[0], s[2]) < bleed[2] - 0.01
                     and max(s[1], s[3]) > bleed[1] + 0.01 and min(s[1], s[3]) < bleed[3] - 0.01]
            check(_m("Crop marks outside the bleed"), len(segments) >= 8 and not inner,
                  _mn("{n} mark line, {inner} reaching into the BleedBox",
                      "{n} mark lines, {inner} reaching into the BleedBox", len(segments), inner=len(inner)), where)
            fonts_ok, names = True, []
            for font in _fonts(page.obj.Resources):
                descriptor = font.get("/FontDescriptor")
                if descriptor is None and "/DescendantFonts" in font:
                    descriptor = font.DescendantFonts[0].get("/FontDescriptor")
                embedded = descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                fonts_ok &= embedded
                base = str(font.get("/BaseFont", "?")).lstrip("/")
                names.append(base if embedded else _m("{font} (not embedded)", font=base))
            check(_m("Fonts embedded"), fonts_ok, join(", ", names) if names else _m("no fonts"), where)
            spaces, low = [], []
            default_rgb = "/DefaultRGB" in page.obj.Resources.get("/ColorSpace", {})
            for name, image in _images(page):
                cs = image.get("/ColorSpace")
                kind = str(cs if not isinstance(cs, pikepdf.Array) else f"{cs[0]} N={int(cs[1].get('/N', 0))}")
                spaces.append(kind)
                for used, w_pt, _h in placed:
                    if used == str(name) and w_pt > 0:
                        ppi = int(image.Width) / (w_pt / 72)
                        if ppi < dpi_wanted * 0.95:
                            low.append(_m("{image} {ppi:.0f} ppi", image=str(name).lstrip('/'), ppi=ppi))
            if cmyk_intent:
                colour_ok = all(s in ("/DeviceCMYK", "/DeviceGray") or s.endswith("N=4") for s in spaces)
                detail = _m("CMYK images only") if colour_ok else _m("RGB images in a CMYK file")
            else:
                colour_ok = all(s != "/DeviceRGB" or default_rgb for s in spaces)
                detail = (_m("RGB tagged sRGB (ICC-based), the printer converts") if colour_ok
                          else _m("untagged device RGB"))
            check(_m("Colour"), colour_ok, _m("{detail}: {spaces}", detail=detail,
                                              spaces=", ".join(sorted(set(spaces))) or _m("no images")), where)
            check(_m("Image resolution"), not low,
                  _m("every image at least {dpi} ppi at the page's size", dpi=dpi_wanted) if not low
                  else join(", ", low), where)
    return checks


def _fonts(resources, seen=None):
    """Every font of a resource dictionary and of the forms inside it."""
    seen = set() if seen is None else seen
    for _name, font in (resources.get("/Font") or {}).items():
        if font.objgen not in seen:
            seen.add(font.objgen)
            yield font
    for _name, xobject in (resources.get("/XObject") or {}).items():
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject and xobject.objgen not in seen:
            seen.add(xobject.objgen)
            yield from _fonts(xobject.Resources, seen)


def _images(page):
    """(name, image) of the page's own image XObjects."""
    xobjects = page.obj.Resources.get("/XObject") or {}
    return [(name, x) for name, x in xobjects.items() if x.get("/Subtype") == "/Image"]
