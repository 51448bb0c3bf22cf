"""The billboard poster painted: the print PDF (reportlab, then pikepdf for the PDF/X keys, output
intent, boxes and XMP) and its PNG preview (portraits/poster_preview.py), from a layout of
portraits/poster.py; each photo is decoded once at the smallest JPEG scale its slot allows (see
portraits/poster.py)."""
from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from portraits.errors import CampaignError
from portraits.messages import _m
from portraits.pdfx import pdfx
from portraits.poster import (
    MARKS_MM,
    PREVIEW_WIDTH,
    PT_PER_MM,
    Band,
    Box,
    Item,
    PosterLayout,
    Spec,
    _slot_layout,
    crop_cell,
    layout,
    shortfall,
)
from portraits.poster_preview import Cell, PngRows, PreviewPainter, colour_rgb, preview_px, shrunk

if TYPE_CHECKING:
    from PIL.ImageCms import ImageCmsTransform

Colour = Callable[[str], tuple[float, ...]]  # '#RRGGBB' -> RGB or CMYK fractions, as the PDF draws it


class Painter(Protocol):
    """What `_draw` paints with, in page millimetres: the PDF or the preview."""

    def rect(self, box: Box, colour: str) -> None: ...
    def photo(self, box: Box, item: Item, index: int) -> None: ...
    def logo(self, box: Box, path: Path) -> None: ...
    def measure(self, text: str, size: float) -> float: ...
    def text(self, x: float, baseline: float, text: str, size: float, colour: str) -> None: ...


def _fit(text: str, size: float, width: float, measure: Callable[[str, float], float]) -> float:
    """The font size (<= size) at which `text` fits `width`."""
    w = measure(text, size)
    return size if w <= width else size * width / w


def _draw(lay: PosterLayout, items: list[Item], band: Band, p: Painter) -> None:
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
    def __init__(self, canvas: Any, spec: Spec, font: str, cells: list[Path], colour: Colour):  # reportlab's Canvas
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

        return float(pdfmetrics.stringWidth(text, self.font, size * PT_PER_MM)) / PT_PER_MM

    def text(self, x: float, baseline: float, text: str, size: float, colour: str) -> None:
        self._fill(colour)
        self.c.setFont(self.font, size * PT_PER_MM)
        self.c.drawString(x * PT_PER_MM, self._y(baseline), text)


def _crop_marks(canvas: Any, spec: Spec) -> None:  # reportlab's Canvas
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


def resolution(spec: Spec, items: list[Item], lay: PosterLayout,
               scales: list[float]) -> tuple[list[dict[str, Any]], list[str]]:
    """Per slot: pixels and effective resolution (at the page's scale and at full size); and one
    warning per photo that is smaller than its slot at the print resolution."""
    slots: list[dict[str, Any]] = []
    warnings: list[str] = []
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


def _colour_of(icc: Path | None) -> Colour:
    """'#RRGGBB' -> what the PDF draws: RGB fractions, or CMYK fractions in the printer's profile."""
    if icc is None:
        return lambda colour: tuple(v / 255 for v in colour_rgb(colour))
    from PIL import Image, ImageCms

    transform = _cmyk_transform(icc)

    def cmyk(colour: str) -> tuple[float, ...]:
        converted = ImageCms.applyTransform(Image.new("RGB", (1, 1), colour_rgb(colour)), transform)
        assert converted is not None  # None only for a transform done in place
        px = converted.getpixel((0, 0))
        assert isinstance(px, tuple)
        return tuple(v / 255 for v in px)
    return cmyk


@lru_cache(maxsize=4)
def _cmyk_transform(icc: Path) -> ImageCmsTransform:
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


def _make_cells(spec: Spec, items: list[Item], lay: PosterLayout, workdir: Path, icc: Path | None,
                pool: ThreadPoolExecutor, preview_k: float | None) -> tuple[list[Path], list[Future[Cell]]]:
    """Each slot's JPEG at the print resolution, started on `pool` (two threads: Pillow decodes and
    resizes outside the GIL), and its copy for a preview of `preview_k` pixels per millimetre made
    from the image in hand (decoding the JPEG again for it cost ~2.5 ms a slot); the paths and the
    futures of the slots."""
    from portraits.imageio import BILLBOARD_SLOT, save_jpeg

    transform = _cmyk_transform(icc) if icc else None
    paths = [workdir / f"slot{i}.jpg" for i in range(len(items))]

    def one(i: int) -> Cell:
        box = lay.photos[i]
        item = items[i]
        cell, scale = crop_cell(item.photo, (spec.px(box[2]), spec.px(box[3])), item.focus, item.face, transform)
        save_jpeg(cell, paths[i], BILLBOARD_SLOT)
        if preview_k is None:
            return Cell(scale, None)
        x0, y0, x1, y1 = preview_px(preview_k, box)
        return Cell(scale, shrunk(cell, (max(1, x1 - x0), max(1, y1 - y0))))
    return paths, [pool.submit(one, i) for i in range(len(items))]


def slot_faces(spec: Spec, items: list[Item], lay: PosterLayout) -> str:
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
        crop = place((W, H), size, _slot_layout(), item.focus, item.face).crop
        fx0, fy0, fx1, fy1 = face_region((item.face[0] * W, item.face[1] * H, item.face[2] * W, item.face[3] * H), W, H)
        whole = crop[0] <= fx0 + 0.5 and crop[1] <= fy0 + 0.5 and fx1 <= crop[2] + 0.5 and fy1 <= crop[3] + 0.5
        marks.append(f"{i + 1}:{'ok' if whole else 'cut'}")
    return " ".join(marks)


def _pdf_font(band: Band, decoding: list[Future[Cell]]) -> str:
    """The brand font registered with reportlab, by the name the PDF embeds it under; an unreadable
    font stops the slots still waiting to decode and is said so."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font_name = "Brand-" + re.sub(r"\W", "", band.font.stem)[:20]
    try:
        if font_name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(font_name, str(band.font)))
    except Exception:  # noqa: BLE001 - an unreadable brand font: the slots already decoding are stopped
        for future in decoding:
            future.cancel()
        raise CampaignError(_m("The font {name} cannot be used in a PDF.", name=band.font.name),
                            _m("Set [brand] font to a TrueType (.ttf) file, or leave it empty for Noto "
                               "Sans.")) from None
    return font_name


def _write_pdf(path: Path, spec: Spec, lay: PosterLayout, items: list[Item], band: Band, font_name: str,
               cells: list[Path], title: str, icc: Path | None) -> None:
    """The poster as reportlab draws it: fields, names, photos (their JPEG bytes) and crop marks."""
    from reportlab.pdfgen import canvas as rl_canvas

    pw, ph = spec.page
    c = rl_canvas.Canvas(str(path), pagesize=(pw * PT_PER_MM, ph * PT_PER_MM), pageCompression=1,
                         initialFontName=font_name)  # not Helvetica, which a PDF cannot embed
    c.setTitle(title)
    c.setAuthor("")
    c.setSubject(spec.label)
    _draw(lay, items, band, _PdfPainter(c, spec, font_name, cells, _colour_of(icc)))
    _crop_marks(c, spec)
    c.showPage()
    c.save()


def _count_slots(futures: list[Future[Cell]], progress: Callable[[int, int], None] | None) -> None:
    """Tell `progress` as each slot's photo is ready (the PDF itself is the last step)."""
    import threading

    if progress is None:
        return
    lock, ready = threading.Lock(), [0]

    def one_more(_future: Future[Cell]) -> None:
        with lock:
            ready[0] += 1
            progress(ready[0], len(futures) + 1)
    for future in futures:
        future.add_done_callback(one_more)


# long: the steps overlap (photos decoding, preview, PDF) inside one temporary folder and its clean-up
def export(spec: Spec, items: list[Item], band: Band, pdf_path: Path, png_path: Path | None,
           title: str = "Billboard", condition: str = "FOGRA39", icc: Path | None = None,
           progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Write the print PDF (and a PNG preview); return the layout's figures, the slots' effective
    resolution and the resolution warnings. `progress(done, total)` hears of each slot's photo
    (from the decoding threads) and of the finished PDF."""
    from concurrent.futures import wait

    faces = [((i.width, i.height), i.face) if i.face else None for i in items]
    lay = layout(spec, [i.label for i in items], [i.sub for i in items], band.font, band.title, band.hashtag,
                 band.logo is not None, faces)
    icc = Path(icc) if icc is not None else None
    if icc is not None:
        _cmyk_transform(icc)  # refuse a wrong profile before any work
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=pdf_path.parent, prefix=".billboard-") as tmp, \
            ThreadPoolExecutor(max_workers=2) as cell_pool:
        # The photos decode while reportlab is imported and the font is read (that holds the GIL).
        preview_k = PREVIEW_WIDTH / spec.page[0] if png_path is not None else None
        cells, cell_scales = _make_cells(spec, items, lay, Path(tmp), icc, cell_pool, preview_k)
        _count_slots(cell_scales, progress)

        def make_preview() -> Path:
            preview = PreviewPainter(spec, band.font, PREVIEW_WIDTH)
            _draw(lay, items, band, preview)
            tmp_png = Path(tmp) / "preview.png"
            png = PngRows(tmp_png, preview.img.size)
            try:
                preview.paste_photos(cell_scales, png)
            finally:
                png.close(preview.img)
            return tmp_png
        previewing = None
        try:
            from reportlab import rl_config
            from reportlab.pdfgen import canvas  # noqa: F401  (for _write_pdf: imported while the photos decode)

            font_name = _pdf_font(band, cell_scales)
            rl_config.useA85 = 0  # binary streams: reportlab's pure-Python ASCII85 costs a second on nine photos
            import pikepdf  # noqa: F401  (for pdfx: its ~40 ms import while the photos still decode)

            # The preview alongside the photos and the PDF: its band and names are drawn while the
            # photos decode (after the imports above, so that one thread at a time holds the GIL
            # beside them), each photo pasted when ready; zlib compresses outside the GIL.
            if png_path is not None:
                pool = ThreadPoolExecutor(max_workers=1)
                previewing = pool.submit(make_preview)
                pool.shutdown(wait=False)
            scales = [future.result().scale for future in cell_scales]
            partial = Path(tmp) / "poster.pdf"
            _write_pdf(partial, spec, lay, items, band, font_name, cells, title, icc)
            pdfx(partial, spec, title, condition, icc, slot_faces(spec, items, lay))
        except BaseException:
            if previewing is not None:
                wait([previewing])  # it writes into the folder about to be removed
            raise
        if previewing is not None and png_path is not None:
            previewing.result().replace(png_path)
        partial.replace(pdf_path)
    if progress is not None:
        progress(len(items) + 1, len(items) + 1)
    slots, warnings = resolution(spec, items, lay, scales)
    return {"grid": f"{lay.cols}x{lay.rows}", "slots": slots, "warnings": warnings,
            "type_cm": {k: round(v * spec.scale / 10, 1) for k, v in lay.sizes.items()}}
