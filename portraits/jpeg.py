"""Decoding only part of a JPEG: a billboard slot is a strip of a tall photo and the social formats'
crops end at the chest, so much of a 24 MP file need not be decoded at all (the speed targets of the
billboard export and of `campaign render`). Two ways, both giving exactly the pixels a full decode
gives there: stop the decoder below the last row needed (`load_rows`, any baseline JPEG), or cut a
band of rows out of a photo intake wrote with a restart marker after each row of blocks
(`restart_strip`), which skips the rows above too.
"""
from __future__ import annotations

import os
import re
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageFile import ImageFile

ROW_MARGIN = 16  # rows below a crop that the resampling filter still reads
READ_CHUNK = 1 << 22  # bytes of JPEG handed to the decoder at a time (see load_rows)

# The bands `restart_strip` cut lately, as (first row, number of rows): how a test sees that the
# billboard really decodes bands, where its pixels alone would look the same after a full decode.
# Bounded, and appending to a deque is thread-safe (the billboard cuts its slots on a pool).
BANDS_CUT: deque[tuple[int, int]] = deque(maxlen=64)


def load_rows(im: ImageFile, rows: int) -> None:
    """Decode a JPEG (after `draft`) only down to row `rows`: a slot of the billboard is a wide strip
    of a tall photo, and the social formats' crops end where the portrait's chest does, so much of
    the file need not be decoded at all. The rows decoded are exactly
    those a full decode gives (libjpeg decodes top to bottom); below them the image stays black and
    is never read. Anything but a plain one-part JPEG is decoded whole, as `load()` does. (The
    photos are the store's own JPEGs, written by intake: a damaged one is found there.)"""
    from PIL import Image

    if im.format != "JPEG" or rows >= im.size[1] or len(im.tile or ()) != 1:
        im.load()
        return
    try:
        decoder_name, _extents, offset, args = im.tile[0]
        im.load_prepare()
        decoder = Image._getdecoder(im.mode, decoder_name, args, im.decoderconfig)
    except (AttributeError, TypeError, ValueError):  # Pillow changed its inner workings: decode it all
        im.load()
        return
    fp = im.fp
    if fp is None:  # already read and closed: nothing left to decode in part
        im.load()
        return
    try:
        decoder.setimage(im.im, (0, 0, im.size[0], rows))
        fp.seek(offset)
        data = b""
        while True:
            # Large reads: each decode call gives up the GIL once, and a thread that decodes beside
            # Python work (imports, drawing) waits up to the switch interval (5 ms) to get it back,
            # so 64 KiB reads (Pillow's own) made a billboard's photos decode twice as slowly.
            more = fp.read(READ_CHUNK)
            if not more:
                raise OSError(f"{os.fsdecode(im.filename)}: the photo file is truncated")
            data += more
            consumed, _err = decoder.decode(data)
            if consumed < 0:  # done: the rows asked for are decoded (libjpeg then stops with an error code)
                break
            data = data[consumed:]
    finally:
        decoder.cleanup()
    im.tile = []


_RESTART = re.compile(rb"\xff[\xd0-\xd7]")


# long: one walk over the JPEG markers, each kind of segment handled where it is met
def restart_strip(data: bytes, top: int, bottom: int) -> tuple[bytes, int] | None:  # noqa: C901 - one walk over the markers
    """Rows `top` to `bottom` (at least) of a JPEG as a JPEG of their own, and the row it starts at,
    without decoding anything: intake writes the store's photos with a restart marker after every
    row of blocks (colour at full height: 4:4:4, or 4:2:2 with blocks of 16x8 pixels), so a band of
    rows is a run of independently coded segments that can be cut out and given the photo's headers
    (height changed). Decoding that band gives exactly the pixels a full decode gives there, at every
    JPEG scale: no colour is shared across rows of blocks. None for any other kind of JPEG (older
    photos, colour at half height, progressive): those are decoded as before."""
    if data[:2] != b"\xff\xd8":
        return None
    pos, sof, interval = 2, None, 0
    while True:
        if pos + 4 > len(data) or data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker in (0xC0, 0xC1):
            sof = pos
        elif 0xC2 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return None  # progressive, lossless or arithmetic-coded
        elif marker == 0xDD:
            interval = int.from_bytes(data[pos + 4:pos + 6], "big")
        elif marker == 0xDA:
            break
        pos += 2 + length
    if sof is None:
        return None
    height, width = int.from_bytes(data[sof + 5:sof + 7], "big"), int.from_bytes(data[sof + 7:sof + 9], "big")
    parts = data[sof + 9]
    sampling = [data[sof + 11 + 3 * i] for i in range(parts)]
    wide = max(factor >> 4 for factor in sampling)  # blocks across in a unit: 1 (4:4:4) or 2 (4:2:2)
    if height == 0 or data[pos + 4] != parts or any(factor & 0x0F != 1 for factor in sampling):
        return None  # not one interleaved scan, or colour shared between rows of blocks (4:2:0)
    rows = (height + 7) // 8
    if interval != -(-width // (8 * wide)):
        return None  # no restart marker at the end of each row of blocks
    first = max(0, top) // 64 * 8  # a multiple of eight rows of blocks: the markers keep their numbers
    last = min(rows, -(-min(bottom, height) // 8))  # exclusive
    if last <= first:
        return None
    ends: list[int] = []  # where the segment of each row of blocks ends (its marker), up to `last`
    for found in _RESTART.finditer(data, pos + 2 + length):
        if data[found.start() + 1] != 0xD0 + len(ends) % 8:
            return None
        ends.append(found.start())
        if len(ends) == last:
            break
    if len(ends) < last:
        if len(ends) != rows - 1 or last != rows:
            return None
        eoi = data.find(b"\xff\xd9", ends[-1] if ends else pos)
        if eoi < 0:
            return None
        ends.append(eoi)
    start = pos + 2 + length if first == 0 else ends[first - 1] + 2
    head = bytearray(data[:pos + 2 + length])
    band_rows = min(height, last * 8) - first * 8
    head[sof + 5:sof + 7] = band_rows.to_bytes(2, "big")
    BANDS_CUT.append((first * 8, band_rows))
    # One join: one copy of the band's megabytes (a + b + c made three, each a fresh allocation).
    return b"".join((head, memoryview(data)[start:ends[last - 1]], b"\xff\xd9")), first * 8


def draft_scale(im: ImageFile) -> int:
    """The JPEG scale `draft` chose for `im`: 1, 2, 4 or 8 (1 without a draft)."""
    config = getattr(im, "decoderconfig", None) or (1,)
    return int(config[0])


def decode_band(im: ImageFile, top: int, bottom: int) -> tuple[Image, int] | None:
    """Rows `top` to `bottom` (the file's full-size rows) of `im` (opened, after any `draft`) decoded
    at the scale the draft chose, with ROW_MARGIN rows of that scale around them for the resampling
    filter: the band image and the full-size row it starts at. Exactly the pixels a full decode at
    that scale gives there (see restart_strip). None where the file has no restart marker after each
    row of blocks (older photos, other kinds of JPEG): decode those as before. The billboard's slots
    and the social formats' crops use this one band decode."""
    if im.format != "JPEG" or im.fp is None:
        return None
    margin = ROW_MARGIN * draft_scale(im)
    band = restart_strip(_file_bytes(im), top - margin, bottom + margin)
    if band is None:
        return None
    return _decode_cut(band[0], draft_scale(im)), band[1]


def decode_bands(im: ImageFile, top: int, bottom: int, parts: int = 2) -> Image | None:
    """`im` (opened, after any `draft`) at its drafted size with rows `top` to `bottom` (full-size
    rows, ROW_MARGIN around them) decoded in `parts` bands at once, each on a thread of its own
    (libjpeg runs outside the GIL), the rows outside them black: on two cores a photo decodes in
    about half the time. The pixels a full decode gives there (the bands meet at restart markers).
    None where the file has no restart marker after each row of blocks."""
    from concurrent.futures import ThreadPoolExecutor

    from PIL import Image as PILImage

    if im.format != "JPEG" or im.fp is None:
        return None
    scale, height = draft_scale(im), im.size[1] * draft_scale(im)
    lo, hi = max(0, top - ROW_MARGIN * scale) // 64 * 64, min(height, bottom + ROW_MARGIN * scale)
    edges = sorted({lo, *((lo + (hi - lo) * i // parts) // 64 * 64 for i in range(1, parts)), hi})
    data = _file_bytes(im)
    cuts = [restart_strip(data, a, b) for a, b in zip(edges, edges[1:]) if b > a]
    if not cuts or any(cut is None for cut in cuts):
        return None
    # Black without a fill: zeroed memory that the kernel hands over only where a band is written.
    canvas = PILImage.new("RGB", im.size, None)

    def one(cut: tuple[bytes, int] | None) -> None:
        assert cut is not None
        _decode_cut_into(canvas, cut[0], scale, cut[1] // scale)  # a multiple of 64 rows: exact

    with ThreadPoolExecutor(max_workers=max(1, len(cuts) - 1)) as pool:
        others = [pool.submit(one, cut) for cut in cuts[1:]]
        one(cuts[0])
        for other in others:
            other.result()
    return canvas


def _file_bytes(im: ImageFile) -> bytes:
    """The whole JPEG file of `im` for `restart_strip`: mapped into memory, so its bytes are read
    in place from the page cache (reading a 3-7 MB photo into a fresh bytes object cost ~2-4 ms of
    copying and page faults, as much as cutting the band); read where the file cannot be mapped."""
    import mmap
    from typing import cast

    assert im.fp is not None
    try:
        # An mmap reads as bytes do for restart_strip (slices, indexing, find, regular expressions);
        # closed when the last slice of it is gone.
        return cast(bytes, mmap.mmap(im.fp.fileno(), 0, access=mmap.ACCESS_READ))
    except (AttributeError, OSError, ValueError):  # not a file on disk (BytesIO), or empty
        im.fp.seek(0)
        return im.fp.read()


def _decode_cut(jpeg: bytes, scale: int) -> Image:
    """A band `restart_strip` cut, decoded at JPEG scale 1/`scale` in one decoder call."""
    from io import BytesIO

    from PIL import Image as PILImage

    pic = PILImage.open(BytesIO(jpeg))
    pic.draft("RGB", (pic.size[0] // scale, 1))
    pic.decodermaxblock = len(jpeg)  # one decode call: one GIL hand-back (see load_rows)
    pic.load()
    return pic


def _decode_cut_into(canvas: Image, jpeg: bytes, scale: int, row: int) -> None:
    """A band `restart_strip` cut, decoded at JPEG scale 1/`scale` straight into `canvas`'s rows from
    `row` on, in one decoder call: no band image of its own to fill and copy over (a 24 MP photo's
    two halves were ~25 MB of copying and fresh pages)."""
    from io import BytesIO

    from PIL import Image as PILImage

    pic = PILImage.open(BytesIO(jpeg))
    pic.draft("RGB", (pic.size[0] // scale, 1))
    try:
        decoder_name, _extents, offset, args = pic.tile[0]
        decoder = PILImage._getdecoder(pic.mode, decoder_name, args, pic.decoderconfig)
    except (AttributeError, TypeError, ValueError, IndexError):  # Pillow changed its inner workings
        decoder = None
    if decoder is None or pic.mode != canvas.mode or len(pic.tile) != 1:
        canvas.paste(_decode_cut(jpeg, scale), (0, row))
        return
    try:
        decoder.setimage(canvas.im, (0, row, pic.size[0], row + pic.size[1]))
        consumed, error = decoder.decode(jpeg[offset:])
    finally:
        decoder.cleanup()
    if consumed >= 0 or error < 0:  # the decoder wants more, or gave up: as Pillow's `load` would say
        raise OSError("the photo file is truncated or damaged")
