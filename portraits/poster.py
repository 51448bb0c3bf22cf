"""The billboard poster: formats, a layout read from the street, face-aware crops. The print PDF
(a PDF/X-4 candidate) and its preview are painted in portraits/poster_export.py; the preflight
that reads such a PDF back is portraits/preflight.py.

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
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from portraits.errors import CampaignError
from portraits.jpeg import ROW_MARGIN, decode_band, load_rows
from portraits.messages import _m

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage
    from PIL.ImageCms import ImageCmsTransform

    from portraits.layouts import Layout as SocialLayout

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
class PosterLayout:
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


# Per slot: ((photo width, photo height), face box as fractions), or None (no face box).
Faces = list[tuple[tuple[int, int], tuple[float, float, float, float]] | None]


def _faces_whole(faces: Faces | None, shape: tuple[float, float]) -> bool:
    """Whether a slot of this shape (width, height) keeps every face whole, forehead to chin."""
    from portraits.layouts import face_fits

    return all(f is None or face_fits(f[0], shape, f[1]) for f in faces or [])


def _grid_cost(spec: Spec, n: int, area: Box, names: list[str], roles: list[str], font: Path, margin: float,
               faces: Faces | None = None) -> tuple[float, int, int, float] | None:
    """(cost, cols, rows, plate height) of the best grid for n slots whose names read and whose
    slots keep every face whole, or None."""
    ax, ay, aw, ah = area
    N, R = spec.type_mm(NAME_TYPE), spec.type_mm(ROLE_TYPE)
    pad = 0.25 * N
    plate_h = pad + N * 1.05 + R * 1.2 + pad * 0.5
    widest = max((_em(t, font) * N for t in names), default=0.0)
    widest_role = max((_em(t, font) * R * 0.8 for t in roles), default=0.0)  # roles may take 80 %
    best: tuple[float, int, int, float] | None = None
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
           logo: bool = False, faces: Faces | None = None) -> PosterLayout:
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
    band_y = ty + th - band_h
    out = PosterLayout(spec, cols, rows, trim=(tx, ty, tw, th), band=(bx, band_y, bw, by + bh - band_y),
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


@lru_cache(maxsize=1)
def _slot_layout() -> SocialLayout:
    """The social renders' head placement, with a poster slot's proportions."""
    from portraits.layouts import Layout as Social

    return Social("billboard slot", (1000, 1000), "bottom", lines=(1,), headroom=0.1, head_share=0.6)


def crop_cell(src: Path, size: tuple[int, int], focus: Iterable[float],
              face: tuple[float, float, float, float] | None = None,
              cmyk: ImageCmsTransform | None = None) -> tuple[PILImage, float]:
    """Decode only as much of the photo as the slot needs (JPEG draft), crop (head whole and clear of
    the plate where a face box is known), convert to the printer's CMYK when `cmyk` (an ImageCms
    transform) is given: the slot's image, and the photo pixels per slot pixel (below 1: enlarged)."""
    from PIL import Image, ImageOps

    from portraits.layouts import place

    tw, th = size
    with Image.open(src) as im:
        orientation = im.getexif().get(0x0112, 1)
        w, h = im.size
        upright = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
        fx, fy = focus
        box = place(upright, (tw, th), _slot_layout(), (fx, fy), face).crop
        s = min((box[2] - box[0]) / tw, (box[3] - box[1]) / th)
        if s > 1:
            im.draft("RGB", (int(w / s), int(h / s)))
        band = decode_band(im, math.floor(box[1]), math.ceil(box[3])) if orientation == 1 else None
        if band is not None:  # the slot is a strip of the photo: just that band of rows was decoded
            pic, y0 = band
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
        flt = Image.Resampling.BICUBIC if s > 1 else Image.Resampling.LANCZOS
        cell = pic.resize((tw, th), flt, box=(box[0] * k, box[1] * k, box[2] * k, box[3] * k), reducing_gap=3.0)
        del pic
    if cmyk is not None:
        from PIL import ImageCms

        converted = ImageCms.applyTransform(cell, cmyk)
        assert converted is not None  # None only for a transform done in place
        cell = converted
    return cell, s


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
