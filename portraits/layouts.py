"""The social formats of DESIGN.md and where things go on each.

The photo fills the whole canvas in every format (cropped to the format's aspect around the
focal point); a band in the brand colour carries the text. Boxes are (x, y, width, height) in
output pixels. `anchor` is where in the canvas the focal point should land, so the face stays
clear of the band. The story keeps its text out of the top 14 % and the bottom 35 %.
"""
from __future__ import annotations

from dataclasses import dataclass

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Layout:
    name: str
    size: tuple[int, int]
    anchor: tuple[float, float]
    band: Box
    quote: Box
    name_line: Box
    footer: Box
    logo: Box
    safe: tuple[float, float] = (0.0, 1.0)  # the vertical span (fractions) text may use
    photo_box: Box | None = None  # where the photo goes; None: the whole canvas

    @property
    def photo(self) -> Box:
        return self.photo_box or (0, 0, *self.size)

    @property
    def crop_aspect(self) -> float:
        return self.photo[2] / self.photo[3]


LAYOUTS: dict[str, Layout] = {
    "instagram-feed": Layout("instagram-feed", (1080, 1350), (0.5, 0.33),
                             band=(0, 880, 1080, 470), quote=(64, 910, 952, 250), name_line=(64, 1172, 952, 66),
                             footer=(64, 1262, 952, 56), logo=(40, 40, 260, 110)),
    "instagram-square": Layout("instagram-square", (1080, 1080), (0.5, 0.3),
                               band=(0, 660, 1080, 420), quote=(56, 684, 968, 218), name_line=(56, 912, 968, 62),
                               footer=(56, 996, 968, 54), logo=(36, 36, 240, 100)),
    "story": Layout("story", (1080, 1920), (0.5, 0.24),
                    band=(0, 840, 1080, 408), quote=(64, 862, 952, 226), name_line=(64, 1096, 952, 66),
                    footer=(64, 1176, 952, 56), logo=(40, 290, 260, 110), safe=(0.14, 0.65)),
    "facebook": Layout("facebook", (1200, 630), (0.5, 0.4), photo_box=(0, 0, 560, 630),
                       band=(560, 0, 640, 630), quote=(600, 130, 560, 300), name_line=(600, 446, 560, 60),
                       footer=(600, 540, 560, 56), logo=(600, 30, 220, 80)),
}
FORMATS = {name: layout.size for name, layout in LAYOUTS.items()}
# What each format needs of the photo: the size of its photo area.
PHOTO_AREAS = {name: layout.photo[2:] for name, layout in LAYOUTS.items()}


def parse_formats(value: str | None) -> list[str]:
    """`instagram-feed,story` -> names; empty means all four."""
    from portraits.errors import CampaignError

    if not value:
        return list(LAYOUTS)
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in LAYOUTS]
    if unknown:
        raise CampaignError(f"Unknown format(s) {', '.join(unknown)}.", f"Choose from {', '.join(LAYOUTS)}.")
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
    left = min(max(focus[0] * width - anchor[0] * cw, 0.0), width - cw)
    top = min(max(focus[1] * height - anchor[1] * ch, 0.0), height - ch)
    return left, top, left + cw, top + ch


def crop_size(width: int, height: int, aspect: float) -> tuple[int, int]:
    """Pixels of the largest crop of `aspect` a photo gives."""
    box = crop_box(width, height, aspect, (0.5, 0.5))
    return int(round(box[2] - box[0])), int(round(box[3] - box[1]))
