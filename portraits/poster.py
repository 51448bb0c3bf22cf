"""The billboard poster: formats, the grid, face-focused crops, and the print PDF with its preview.

Pure imaging; it knows nothing of the store. Geometry is worked out once in millimetres on the
page (the poster at its scale, plus bleed) and drawn by two painters: reportlab for the PDF
(text and colour fields as vectors, each photo as its own JPEG at the print resolution, embedded
as it is) and Pillow for a small PNG preview. So a 1:1 poster of 14,000 x 10,000 pixels never
exists as one picture in memory: only one cell at a time does.
"""
from __future__ import annotations

import math
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from portraits.errors import CampaignError
from portraits.layouts import crop_box

HEADROOM = (0.5, 0.42)  # where the focal point lands in a slot: centred, a little above the middle

FORMATS = {"18/1": (3560.0, 2520.0), "city-light": (1190.0, 1750.0)}  # full size, millimetres
MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH
PHOTO_ASPECT = 4 / 5          # what cells aim for: studio portraits are upright
BAND_SHARE = 0.14             # the band with campaign name, hashtag, logo and credits
LABEL_SHARE = 0.17            # of a cell, under its photo: first name, age, role
PREVIEW_WIDTH = 2000


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
        w, h = self.trim
        return w + 2 * self.bleed, h + 2 * self.bleed

    def px(self, mm: float) -> int:
        return max(1, round(mm / MM_PER_INCH * self.dpi))

    @property
    def label(self) -> str:
        return f"{self.name} at 1:{self.scale}, {self.dpi} dpi"


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
    raise CampaignError(f"Unknown billboard format {text!r}.",
                        "Use 18/1 (356x252 cm), city-light (119x175 cm) or WIDTHxHEIGHTcm, e.g. 240x340cm.")


def parse_scale(text: str | int) -> int:
    """'1:10' -> 10."""
    m = re.fullmatch(r"\s*1\s*:\s*(\d+)\s*", str(text))
    if not m or not 1 <= int(m.group(1)) <= 100:
        raise CampaignError(f"The scale {text!r} is not like 1:10.", "Use 1:1 (full size) or 1:10 (what printers ask for).")
    return int(m.group(1))


def make_spec(fmt: str, scale: str | int, dpi: int | str, bleed_mm: float | str) -> Spec:
    name, w, h = parse_format(fmt)
    try:
        dpi = int(dpi)
        bleed = float(bleed_mm)
    except (TypeError, ValueError):
        raise CampaignError(f"The resolution {dpi!r} or bleed {bleed_mm!r} is not a number.",
                            "Give --dpi as a whole number (e.g. 300) and bleed_mm in millimetres.") from None
    if not 30 <= dpi <= 1200:
        raise CampaignError(f"A resolution of {dpi} dpi is not usable for print.", "Use 300 at 1:10, or 72-100 at 1:1.")
    if not 0 <= bleed <= 100:
        raise CampaignError(f"A bleed of {bleed} mm is not usable.", "Use 0 to 100 mm at full size (printers ask for about 10).")
    return Spec(name, w, h, parse_scale(scale), dpi, bleed)


def grid(n: int, width: float, height: float) -> tuple[int, int]:
    """Columns and rows for n cells on a width x height area: few empty cells, cells near 4:5."""
    if n < 1:
        raise ValueError("a grid needs at least one cell")
    best = None
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        if (rows - 1) * cols >= n:
            continue
        aspect = (width / cols) / (height / rows * (1 - LABEL_SHARE))
        cost = abs(math.log(aspect / PHOTO_ASPECT)) + 1.0 * (cols * rows - n)
        if best is None or cost < best[0] - 1e-9:
            best = (cost, cols, rows)
    return best[1], best[2]


Box = tuple[float, float, float, float]  # x, y (top-left), width, height in page millimetres


@dataclass
class Layout:
    spec: Spec
    cols: int
    rows: int
    photos: list[Box] = field(default_factory=list)
    labels: list[Box] = field(default_factory=list)
    band: Box = (0, 0, 0, 0)
    trim: Box = (0, 0, 0, 0)


def layout(spec: Spec, n: int) -> Layout:
    """Where every photo, label and the band go (millimetres on the page, bleed included)."""
    tw, th = spec.trim
    b = spec.bleed
    margin = 0.015 * min(tw, th)
    band_h = BAND_SHARE * th
    area_w, area_h = tw - 2 * margin, th - band_h - 2 * margin
    cols, rows = grid(n, area_w, area_h)
    cw, ch = (area_w - (cols - 1) * margin) / cols, (area_h - (rows - 1) * margin) / rows
    out = Layout(spec, cols, rows, trim=(b, b, tw, th), band=(0, b + th - band_h, tw + 2 * b, band_h + b))
    for i in range(n):
        r, c = divmod(i, cols)
        in_row = min(cols, n - r * cols)
        offset = (cols - in_row) * (cw + margin) / 2  # a short last row is centred
        x = b + margin + offset + c * (cw + margin)
        y = b + margin + r * (ch + margin)
        label_h = ch * LABEL_SHARE
        out.photos.append((x, y, cw, ch - label_h))
        out.labels.append((x, y + ch - label_h, cw, label_h))
    return out


def cell_pixels(spec: Spec, n: int) -> tuple[int, int]:
    """The size in pixels a photo fills on the poster at the print resolution."""
    _x, _y, w, h = layout(spec, n).photos[0]
    return spec.px(w), spec.px(h)


def shortfall(photo_w: int, photo_h: int, need_w: int, need_h: int) -> tuple[float, float] | None:
    """(megapixels the photo has, megapixels it would need) if it is too small for the cell, else None."""
    s = max(need_w / photo_w, need_h / photo_h)
    if s <= 1.0001:
        return None
    return photo_w * photo_h / 1e6, photo_w * photo_h * s * s / 1e6


def crop_to_file(src: Path, size: tuple[int, int], focus: Iterable[float], target: Path) -> None:
    """Decode only as much of the photo as the cell needs (JPEG draft), crop around the focus, save JPEG."""
    from PIL import Image, ImageOps

    tw, th = size
    with Image.open(src) as im:
        orientation = im.getexif().get(0x0112, 1)
        w, h = im.size
        upright = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
        box = crop_box(*upright, tw / th, tuple(focus), HEADROOM)
        s = min((box[2] - box[0]) / tw, (box[3] - box[1]) / th)
        if s > 1:
            req = (int(w / s), int(h / s))
            im.draft("RGB", req)
        pic = ImageOps.exif_transpose(im) if orientation != 1 else im
        if pic.mode != "RGB":
            pic = pic.convert("RGB")
        k = pic.size[0] / upright[0]
        box = tuple(v * k for v in box)
        cell = pic.resize((tw, th), Image.LANCZOS, box=box, reducing_gap=3.0)
        del pic
    cell.save(target, "JPEG", quality=90, optimize=False)


@dataclass
class Item:
    photo: Path
    width: int
    height: int
    focus: tuple[float, float]
    label: str
    sub: str


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
        raise CampaignError(f"The colour {colour!r} in campaign.toml [brand] is not a colour.",
                            "Write it as #RRGGBB, e.g. #E30613.") from None


def _fit(text: str, size: float, width: float, measure) -> float:
    """The font size (<= size) at which `text` fits `width`."""
    w = measure(text, size)
    return size if w <= width else size * width / w


def _draw(layout_: Layout, items: list[Item], band: Band, p) -> None:
    """Paint the poster with painter `p` (all coordinates in page millimetres)."""
    pw, ph = layout_.spec.page
    p.rect((0, 0, pw, ph), band.secondary)
    for item, box, lbox in zip(items, layout_.photos, layout_.labels):
        p.photo(box, item)
        p.rect(lbox, band.primary)
        x, y, w, h = lbox
        pad = 0.06 * w
        p.text(x + pad, y + h * 0.45, item.label, _fit(item.label, h * 0.36, w - 2 * pad, p.measure), band.text)
        p.text(x + pad, y + h * 0.82, item.sub, _fit(item.sub, h * 0.24, w - 2 * pad, p.measure), band.text)
    x, y, w, h = layout_.band
    p.rect(layout_.band, band.primary)
    tx, ty, tw, th = layout_.trim
    inner_h = ty + th - y  # the band's height inside the trim
    left = tx + 0.015 * min(tw, th) * 2
    logo_w = 0.0
    if band.logo:
        logo_h = inner_h * 0.6
        logo_w = logo_h * 2.5
        p.logo((tx + tw - left + tx - logo_w, y + inner_h * 0.2, logo_w, logo_h), band.logo)
    room = tw - 2 * (left - tx) - logo_w - (0.02 * tw if logo_w else 0)
    p.text(left, y + inner_h * 0.42, band.title, _fit(band.title, inner_h * 0.3, room, p.measure), band.text)
    p.text(left, y + inner_h * 0.7, band.hashtag, _fit(band.hashtag, inner_h * 0.2, room, p.measure), band.text)
    if band.credits:
        p.text(left, y + inner_h * 0.9, band.credits, _fit(band.credits, inner_h * 0.09, room, p.measure), band.text)


class _PdfPainter:
    def __init__(self, canvas, spec: Spec, font: str, workdir: Path):
        self.c, self.spec, self.font, self.workdir = canvas, spec, font, workdir
        self.page_h = spec.page[1]
        self.count = 0

    def _y(self, y: float, h: float = 0) -> float:
        return (self.page_h - y - h) * PT_PER_MM

    def rect(self, box: Box, colour: str) -> None:
        x, y, w, h = box
        self.c.setFillColorRGB(*(v / 255 for v in _rgb(colour)))
        self.c.rect(x * PT_PER_MM, self._y(y, h), w * PT_PER_MM, h * PT_PER_MM, stroke=0, fill=1)

    def photo(self, box: Box, item: Item) -> None:
        x, y, w, h = box
        self.count += 1
        target = self.workdir / f"cell{self.count}.jpg"
        crop_to_file(item.photo, (self.spec.px(w), self.spec.px(h)), item.focus, target)
        # A file name (not a PIL image): reportlab embeds the JPEG bytes as they are, no re-encoding.
        self.c.drawImage(str(target), x * PT_PER_MM, self._y(y, h), w * PT_PER_MM, h * PT_PER_MM)

    def logo(self, box: Box, path: Path) -> None:
        x, y, w, h = box
        self.c.drawImage(str(path), x * PT_PER_MM, self._y(y, h), w * PT_PER_MM, h * PT_PER_MM,
                         mask="auto", preserveAspectRatio=True, anchor="e")

    def measure(self, text: str, size: float) -> float:
        from reportlab.pdfbase import pdfmetrics

        return pdfmetrics.stringWidth(text, self.font, size * PT_PER_MM) / PT_PER_MM

    def text(self, x: float, baseline: float, text: str, size: float, colour: str) -> None:
        self.c.setFillColorRGB(*(v / 255 for v in _rgb(colour)))
        self.c.setFont(self.font, size * PT_PER_MM)
        self.c.drawString(x * PT_PER_MM, self._y(baseline), text)


class _PreviewPainter:
    def __init__(self, spec: Spec, font: Path, width_px: int):
        from PIL import Image, ImageDraw

        pw, ph = spec.page
        self.k = width_px / pw
        self.img = Image.new("RGB", (width_px, max(1, round(ph * self.k))))
        self.draw = ImageDraw.Draw(self.img)
        self.font_path = font
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

    def photo(self, box: Box, item: Item) -> None:
        from PIL import Image

        x0, y0, x1, y1 = self._px(box)
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "cell.jpg"
            crop_to_file(item.photo, (max(1, x1 - x0), max(1, y1 - y0)), item.focus, target)
            with Image.open(target) as cell:
                self.img.paste(cell, (x0, y0))

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
    """Crop marks in the bleed, pointing at the trim corners but stopping short of the trim."""
    b = spec.bleed
    if b <= 0:
        return
    tw, th = spec.trim
    pw, ph = spec.page
    gap = b * 0.3
    canvas.setLineWidth(0.25)
    for cx in (b, b + tw):
        for cy in (b, b + th):
            for colour, width in (((1, 1, 1), 0.9), ((0, 0, 0), 0.3)):  # white halo, black line
                canvas.setStrokeColorRGB(*colour)
                canvas.setLineWidth(width)
                hx = (0, cx - gap) if cx == b else (cx + gap, pw)
                vy = (0, cy - gap) if cy == b else (cy + gap, ph)
                canvas.line(hx[0] * PT_PER_MM, (ph - cy) * PT_PER_MM, hx[1] * PT_PER_MM, (ph - cy) * PT_PER_MM)
                canvas.line(cx * PT_PER_MM, (ph - vy[0]) * PT_PER_MM, cx * PT_PER_MM, (ph - vy[1]) * PT_PER_MM)


def resolution_warnings(spec: Spec, items: list[Item], names: list[str]) -> list[str]:
    """One line per photo that is smaller than its cell at the print resolution."""
    lay = layout(spec, len(items))
    out = []
    for name, item, box in zip(names, items, lay.photos):
        need_w, need_h = spec.px(box[2]), spec.px(box[3])
        short = shortfall(item.width, item.height, need_w, need_h)
        if short:
            s = max(need_w / item.width, need_h / item.height)
            out.append(f"{name}: photo {short[0]:.1f} MP, needs {short[1]:.1f} MP for {spec.label} "
                       f"(it prints at about {spec.dpi / s:.0f} dpi)")
    return out


def export(spec: Spec, items: list[Item], band: Band, pdf_path: Path, png_path: Path | None,
           names: list[str] | None = None, title: str = "Billboard") -> list[str]:
    """Write the print PDF (and a PNG preview); return the resolution warnings."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas as rl_canvas

    if not items:
        raise CampaignError("There is nothing to put on the billboard.", "Pick portraits first: campaign billboard pick.")
    lay = layout(spec, len(items))
    font_name = "Brand-" + re.sub(r"\W", "", band.font.stem)[:20]
    try:
        if font_name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(font_name, str(band.font)))
    except Exception:
        raise CampaignError(f"The font {band.font.name} cannot be used in a PDF.",
                            "Set [brand] font to a TrueType (.ttf) file, or leave it empty for Noto Sans.") from None
    pw, ph = spec.page
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=pdf_path.parent, prefix=".billboard-") as tmp:
        partial = Path(tmp) / "poster.pdf"
        c = rl_canvas.Canvas(str(partial), pagesize=(pw * PT_PER_MM, ph * PT_PER_MM), pageCompression=1)
        c.setTitle(title)
        c.setAuthor("")
        c.setSubject(spec.label)
        trim = (lay.trim[0] * PT_PER_MM, lay.trim[1] * PT_PER_MM,
                (lay.trim[0] + lay.trim[2]) * PT_PER_MM, (lay.trim[1] + lay.trim[3]) * PT_PER_MM)
        c.setTrimBox(trim)
        c.setBleedBox((0, 0, pw * PT_PER_MM, ph * PT_PER_MM))
        _draw(lay, items, band, _PdfPainter(c, spec, font_name, Path(tmp)))
        _crop_marks(c, spec)
        c.showPage()
        c.save()
        partial.replace(pdf_path)
    if png_path is not None:
        preview = _PreviewPainter(spec, band.font, PREVIEW_WIDTH)
        _draw(lay, items, band, preview)
        tmp_png = Path(png_path).with_suffix(".tmp.png")
        preview.img.save(tmp_png, "PNG")
        tmp_png.replace(png_path)
    return resolution_warnings(spec, items, names or [i.label for i in items])
