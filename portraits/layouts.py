"""The social formats of DESIGN.md, their type scale, and where the photo goes in each.

Every format has a photo area and a band in the brand colour that holds the text: under the photo
(feed, square, story) or beside it (facebook). The band's height follows from its text (see
`portraits.textfit`), never from the photo, so the same quote is set the same way on every
portrait. The photo is then cropped so that the head found at intake (chin to top of the hair)
sits whole in the photo area, clear of the band; a photo without a found face is cropped around
its focal point as before.

Sizes are output pixels. The type scale is stated in px at 1080 wide (the Instagram width); the
facebook format (1200 wide) scales it by 1200/1080.
"""
from __future__ import annotations

from dataclasses import dataclass

from portraits.messages import _m, _mn

Box = tuple[int, int, int, int]  # x, y, width, height

# The campaign's type scale, px at 1080 wide. A quote takes the largest size at which it fits the
# format's lines for that size; 36 px is the smallest (13 pt on a phone 390 pt wide, where these
# images show at full width).
QUOTE_SIZES = (60, 50, 42, 36)
MIN_QUOTE_PX = QUOTE_SIZES[-1]
NAME_RATIO = 0.8     # the name line is always 0.8 x the quote size, bold
SMALL_PX = 26        # campaign name, hashtag, credit
LINE_HEIGHT = 1.24   # of the size, baseline to baseline
PAD = 48             # inner margin of the band


@dataclass(frozen=True)
class Layout:
    name: str
    size: tuple[int, int]
    band_side: str                  # "bottom": the band under the photo; "top": above it; "right": beside it
    lines: tuple[int, ...]          # most quote lines at each size of QUOTE_SIZES (the usual band);
    #                                 the smallest size may take more, up to the band's limit
    text_zone: tuple[float, float] = (0.0, 1.0)  # vertical span (fractions) text may use
    band_width: int = 0             # "right" bands: their width
    min_photo: float = 0.5          # "bottom" bands: the photo area keeps at least this share of the height
    headroom: float = 0.07          # space above the head, share of the photo area's height
    head_share: float = 0.62        # the head's height, share of the photo area's height (when the photo allows)
    pad: int = PAD

    @property
    def scale(self) -> float:
        """Output px per px at 1080 wide."""
        return self.size[0] / 1080

    def px(self, size_at_1080: float) -> int:
        return round(size_at_1080 * self.scale)

    @property
    def quote_sizes(self) -> tuple[int, ...]:
        return tuple(self.px(s) for s in QUOTE_SIZES)

    @property
    def text_width(self) -> int:
        width = self.band_width if self.band_side == "right" else self.size[0]
        return width - 2 * self.px(self.pad)

    @property
    def band_limit(self) -> int:
        """The tallest the band's text may make it."""
        w, h = self.size
        if self.band_side == "right":
            return h
        if self.band_side == "top":
            return round(h * min(self.text_zone[1], 1 - self.min_photo)) - round(h * self.text_zone[0])
        return round(h * self.text_zone[1]) - round(h * self.min_photo)

    @property
    def nominal_photo(self) -> tuple[int, int]:
        """The photo area with a band of middling height: what intake checks a photo's size against."""
        w, h = self.size
        if self.band_side == "right":
            return w - self.band_width, h
        if self.band_side == "top":
            return w, h - round(h * self.text_zone[0]) - self.band_limit * 2 // 3
        return w, round(h * self.text_zone[1]) - self.band_limit * 2 // 3


    @property
    def smallest_photo(self) -> tuple[int, int]:
        """The photo area under the tallest band the format allows: the widest proportions a crop
        of this format can have."""
        w, h = self.size
        if self.band_side == "right":
            return w - self.band_width, h
        return w, round(h * self.min_photo)


LAYOUTS: dict[str, Layout] = {
    "instagram-feed": Layout("instagram-feed", (1080, 1350), "bottom", lines=(3, 4, 5, 6)),
    "instagram-square": Layout("instagram-square", (1080, 1080), "right", lines=(5, 6, 8, 12), band_width=580,
                               headroom=0.12, head_share=0.5),
    # Instagram covers the top 14 % (profile, progress) and the bottom 35 % (reply, stickers) of a
    # story: the colour block starts at the top edge, its text below the 14 %, and the photo fills
    # the lower half, the face in the middle of the screen where nothing covers it.
    "story": Layout("story", (1080, 1920), "top", lines=(4, 5, 6, 7), text_zone=(0.14, 0.65),
                    min_photo=0.5, headroom=0.08, head_share=0.6),
    "facebook": Layout("facebook", (1200, 630), "right", lines=(3, 4, 5, 6), band_width=790, pad=34,
                       headroom=0.1, head_share=0.58),
}
FORMATS = {name: layout.size for name, layout in LAYOUTS.items()}
# What each format needs of the photo: the size of its photo area with a band of average height.
PHOTO_AREAS = {name: layout.nominal_photo for name, layout in LAYOUTS.items()}


def parse_formats(value: str | None) -> list[str]:
    """`instagram-feed,story` -> names; empty means all four."""
    from portraits.errors import CampaignError

    if not value:
        return list(LAYOUTS)
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in LAYOUTS]
    if unknown:
        raise CampaignError(_mn("Unknown format {unknown}.", "Unknown formats {unknown}.", len(unknown),
                                unknown=", ".join(unknown)),
                            _m("Choose from {layouts}.", layouts=', '.join(LAYOUTS)))
    return list(dict.fromkeys(names))


def crop_box(width: int, height: int, aspect: float, focus: tuple[float, float],
             anchor: tuple[float, float] = (0.5, 0.5)) -> tuple[float, float, float, float]:
    """The largest box of `aspect` inside the photo that puts `focus` at `anchor` (clamped to the photo)."""
    if width / height > aspect:
        ch = float(height)
        cw = ch * aspect
    else:
        cw = float(width)
        ch = cw / aspect
    left = max(0.0, min(max(focus[0] * width - anchor[0] * cw, 0.0), width - cw))  # never a hair below 0
    top = max(0.0, min(max(focus[1] * height - anchor[1] * ch, 0.0), height - ch))
    return left, top, left + cw, top + ch


def crop_size(width: int, height: int, aspect: float) -> tuple[int, int]:
    """Pixels of the largest crop of `aspect` a photo gives."""
    box = crop_box(width, height, aspect, (0.5, 0.5))
    return int(round(box[2] - box[0])), int(round(box[3] - box[1]))


# The face finder's box runs from the brows to about the chin. The head around it, with the hair,
# reaches ~0.6 of its height higher and a little lower and wider: that is what must stay clear.
HEAD_ABOVE, HEAD_BELOW, HEAD_SIDES = 0.6, 0.18, 0.25
FACE_ABOVE = 0.12  # the face alone (brows up to the hairline): what is kept when the head cannot be


def head_box(face: tuple[float, float, float, float], hair: bool = True) -> tuple[float, float, float, float]:
    """The head (or, with hair=False, the face alone) around a face box, in the same units (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = face
    w, h = x1 - x0, y1 - y0
    above = HEAD_ABOVE if hair else FACE_ABOVE
    return x0 - HEAD_SIDES * w, y0 - above * h, x1 + HEAD_SIDES * w, y1 + HEAD_BELOW * h


def face_region(face: tuple[float, float, float, float], width: float,
                height: float) -> tuple[float, float, float, float]:
    """The face from forehead to chin (the finder's box, brows to chin, with the forehead above), in
    the photo: what no crop may cut."""
    x0, y0, x1, y1 = face
    return max(0.0, x0), max(0.0, y0 - FACE_ABOVE * (y1 - y0)), min(float(width), x1), min(float(height), y1)


def face_fits(photo: tuple[int, int], area: tuple[float, float], face: tuple[float, float, float, float]) -> bool:
    """Whether a crop of the photo with the area's proportions can hold the whole face (face box as
    fractions of the photo)."""
    W, H = photo
    x0, y0, x1, y1 = face_region((face[0] * W, face[1] * H, face[2] * W, face[3] * H), W, H)
    aspect = area[0] / area[1]
    max_w = min(float(W), H * aspect)
    return x1 - x0 <= max_w + 1e-6 and y1 - y0 <= max_w / aspect + 1e-6


def face_misfits(photo: tuple[int, int], face: tuple[float, float, float, float] | None) -> list[str]:
    """The formats whose photo area cannot hold the whole face at any band height the format allows."""
    if face is None:
        return []
    return [lay.name for lay in LAYOUTS.values() if not face_fits(photo, lay.smallest_photo, face)]


@dataclass(frozen=True)
class Placement:
    crop: tuple[float, float, float, float]   # in photo pixels
    head: Box | None                          # where the head lands in the photo area (output px)
    warning: str | None = None


def place(photo: tuple[int, int], area: tuple[int, int], lay: Layout, focus: tuple[float, float],
          face: tuple[float, float, float, float] | None = None) -> Placement:
    """The crop of the photo for a photo area: the head whole and clear of the band when there is a face box
    (fractions of the photo, x0 y0 x1 y1); otherwise the largest crop around the focal point."""
    W, H = photo
    aw, ah = area
    aspect = aw / ah
    if face is None:
        return Placement(crop_box(W, H, aspect, focus, (0.5, 0.42)), None)
    fx0, fy0, fx1, fy1 = face[0] * W, face[1] * H, face[2] * W, face[3] * H
    max_w = min(float(W), H * aspect)
    warning = None
    for hair in (True, False):
        hx0, hy0, hx1, hy1 = head_box((fx0, fy0, fx1, fy1), hair)
        head_h, head_w = hy1 - hy0, hx1 - hx0
        room = 1 - lay.headroom * 0.5 - 0.04  # the most the head may take: a little air above, clear of the band
        # Crop width that makes the head `head_share` of the area; never wider than the photo allows,
        # never so tight that the head fills more than the room or a tiny face is blown up.
        cw = head_h / lay.head_share * aspect
        cw = max(cw, head_h / room * aspect, head_w / 0.8, max_w * 0.35)
        cw = min(cw, max_w)
        ch = cw / aspect
        k = aw / cw
        if head_h * k <= ah * room + 0.5 and head_w * k <= aw + 0.5:
            break
        warning = (_m("the head is too large for the {name} photo area: the top of the hair is cut", name=lay.name)
                   if hair else _m("the face is too large for the {name} photo area: it is cut at the edge; a "
                                   "photo with more room around the head fits", name=lay.name))
    # Head centred across; its top at the headroom, or lower where the area has room to spare.
    spare = ah - head_h * k - ah * lay.headroom - ah * 0.04
    top_out = ah * lay.headroom + max(0.0, spare) * 0.35 if warning is None else ah - 0.04 * ah - head_h * k
    left = (hx0 + hx1) / 2 - cw / 2
    top = hy0 - top_out / k
    # Whatever the head did, the face itself (forehead to chin) stays in the crop where it can.
    gx0, gy0, gx1, gy1 = face_region((fx0, fy0, fx1, fy1), W, H)
    if gx1 - gx0 <= cw:
        left = min(max(left, gx1 - cw), gx0)
    if gy1 - gy0 <= ch:
        top = min(max(top, gy1 - ch), gy0)
    # Clamped to the photo; the outer max() because W - cw or H - ch can come out a hair below zero
    # in floating point when the crop is as wide or as tall as the photo (Pillow refuses that box).
    left = max(0.0, min(max(left, 0.0), W - cw))
    top = max(0.0, min(max(top, 0.0), H - ch))
    head = (round((hx0 - left) * k), round((hy0 - top) * k), round(head_w * k), round(head_h * k))
    if warning is None and head[1] + head[3] > ah:
        warning = _m("the photo ends too close under the face for {name}: the chin is cut", name=lay.name)
    return Placement((left, top, left + cw, top + ch), head, warning)
