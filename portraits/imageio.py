"""Opening photos and writing JPEGs, in one place, so that every picture of a person leaves the tool
the same way: upright, with its pixels only (no EXIF, GPS, XMP, ICC or comment), at the quality
its use was given here by name.

Pillow is imported inside the functions: `campaign --help` and most commands never touch a pixel.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True)
class JpegUse:
    """What one kind of JPEG the tool writes needs from the encoder."""

    quality: int
    subsampling: int | None = None  # None: Pillow's default (4:2:0 at these qualities)
    restart_marker_rows: int = 0
    optimize: bool = False
    progressive: bool = False


# A kept photo is the source of every later image, and the renders and the billboard cut bands out
# of it at its restart markers (portraits.jpeg.restart_strip), which needs a marker after each row
# of blocks and colour at full height (4:4:4 or 4:2:2). A camera's JPEG has its colour halved
# already (4:2:0 or 4:2:2): it is kept at 4:2:2, which holds all of that colour and encodes in
# two thirds of the time 4:4:4 takes (issue 27's import); any other photo keeps full colour.
KEPT_PHOTO = JpegUse(95, subsampling=0, restart_marker_rows=1)
KEPT_CAMERA_PHOTO = JpegUse(95, subsampling=1, restart_marker_rows=1)
# The images that are posted, and a billboard slot before the PDF recompresses nothing.
RENDER = JpegUse(90)
BILLBOARD_SLOT = JpegUse(90)
# Seen by the office only, on screen.
CONTACT_SHEET = JpegUse(88)
# Small images on pages: the report's thumbnails, the website gallery (progressive: it loads on phones).
THUMBNAIL = JpegUse(82)
GALLERY = JpegUse(82, optimize=True, progressive=True)


def save_jpeg(image: Image.Image, target: Path | IO[bytes], use: JpegUse) -> None:
    """Write `image` as a JPEG for `use`, with no metadata whatever the image carries along."""
    options: dict[str, int | bool] = {}
    if use.subsampling is not None:
        options["subsampling"] = use.subsampling
    if use.restart_marker_rows:
        options["restart_marker_rows"] = use.restart_marker_rows
    if use.optimize:
        options["optimize"] = True
    if use.progressive:
        options["progressive"] = True
    image.save(target, "JPEG", quality=use.quality, exif=b"", icc_profile=None, comment=None, xmp=None,
               **options)


def jpeg_bytes(image: Image.Image, use: JpegUse) -> bytes:
    """`save_jpeg` into memory (for an atomic or staged write)."""
    from io import BytesIO

    buf = BytesIO()
    save_jpeg(image, buf, use)
    return buf.getvalue()


def without_metadata(image: Image.Image) -> Image.Image:
    """A new RGB image with `image`'s pixels only: no EXIF, XMP, IPTC or comment can come along,
    whatever a later save is given."""
    from PIL import Image

    fresh = Image.new("RGB", image.size)
    fresh.paste(image)
    return fresh


def bare(image: Image.Image) -> Image.Image:
    """`without_metadata` without copying the pixels: a new image around the same pixel memory
    (`image` is not used afterwards), with no info of its own. A 24 MP photo is not copied for it."""
    from PIL import Image

    if image.mode != "RGB":
        return without_metadata(image)
    return Image.new("RGB", (1, 1))._new(image.im)


def open_upright(path: Path | str, draft_to: tuple[int, int] | None = None) -> Image.Image:
    """The photo decoded and turned upright by its EXIF orientation; a JPEG decoded only at the
    smallest scale (1/2, 1/4, 1/8) still at least `draft_to`, which saves most of the work for a
    thumbnail. The file is closed again."""
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        if draft_to is not None:
            im.draft("RGB", draft_to)
        return ImageOps.exif_transpose(im)
