"""The band's text set for a format, from the texts and the format alone: the quote on the
campaign's type scale (its size the same on every portrait), the name line, campaign name, logo
room, hashtag and credit, and so the band's height. Entry asks the same rules (`quote_limit`,
`role_limit`) that the render uses, so a quote accepted when typed is never set smaller.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from portraits import fonts, textfit
from portraits.layouts import LAYOUTS, LINE_HEIGHT, NAME_RATIO, SMALL_PX, Box, Layout

QUOTES = {"de": ("\u201e", "\u201c"), "en": ("\u201c", "\u201d"), "tr": ("\u201c", "\u201d"),
          "uk": ("\u00ab", "\u00bb"), "ru": ("\u00ab", "\u00bb"), "ar": ("\u00ab", "\u00bb"),
          "fr": ("\u00ab\u202f", "\u202f\u00bb"), "pl": ("\u201e", "\u201d"),
          "ro": ("\u201e", "\u201d"), "bg": ("\u201e", "\u201c"), "it": ("\u00ab", "\u00bb"),
          "el": ("\u00ab", "\u00bb"), "fa": ("\u00ab", "\u00bb"), "sq": ("\u201e", "\u201c")}
STRIP = "\"'\u201e\u201c\u201d\u00ab\u00bb\u2039\u203a\u201a\u2018\u2019 \u202f"


def typographic(quote: str, lang: str) -> str:
    """The quote in the quotation marks its language uses (any straight or foreign marks replaced)."""
    opening, closing = QUOTES.get(lang, QUOTES["en"])
    return f"{opening}{quote.strip().strip(STRIP)}{closing}"


def _comma(lang: str) -> str:
    # Arabic uses its own comma; the right-to-left mark keeps a Latin first name and the age in order.
    return "\u200f\u060c " if lang == "ar" else ", "


def name_and_age(first_name: str, age: int, lang: str) -> str:
    """"Brigitte, 81": the way a person is named on every image and on the billboard."""
    return _comma(lang).join([first_name, str(age)])


def name_line(first_name: str, age: int, role: str, lang: str) -> str:
    """"Brigitte, 81, Rentnerin"."""
    return _comma(lang).join([name_and_age(first_name, age, lang), role])


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
    campaign: str = ""  # the campaign's name, on every image


@dataclass(frozen=True)
class Line:
    """Text set in a box: what to draw and where (x, y, width, height of the box)."""
    fitted: textfit.Fitted
    box: Box
    align: str  # "left" or "right"


@dataclass(frozen=True)
class Setting:
    """A format's band with its text set: independent of the photo."""
    band: Box
    colour_block: Box            # the band's colour area (the story's runs on below its text)
    photo_area: Box
    lines: tuple[Line, ...]
    logo: Box | None
    quote_size: int
    fits: bool                   # False: the quote needs more lines than the format allows


def _direction(text: str) -> str | None:
    return "rtl" if fonts.is_rtl(text) else None


def _one_line(text: str, brand: Brand, size: int, width: int, min_size: int, bold: bool = False) -> textfit.Fitted:
    return textfit.fit_line(text, fonts.font_for(text, brand.font), size, width, min_size, bold, _direction(text))


def _name_lines(text: str, brand: Brand, size: int, width: int, lang: str | None = None) -> list[textfit.Fitted]:
    """The name line at its fixed size; too wide, it breaks before the role, and a role too wide for
    a line of its own is hyphenated across the lines like the quote (never shrunk, never cut)."""
    path, direction = fonts.font_for(text, brand.font), _direction(text)
    measure = textfit.measure_at(path, size, True, direction)
    if measure.line([text]) <= width:
        return [textfit.fit_line(text, path, size, width, size, True, direction)]
    sep = next((s for s in ("\u200f\u060c ", ", ") if s in text), None)
    if sep is None:
        return [textfit.fit_line(text, path, size, width, round(size * 0.8), True, direction)]
    head, _s, role = text.rpartition(sep)
    if measure.line([role]) <= width and measure.line([head + sep.rstrip()]) <= width:
        return [textfit.fit_line(head + sep.rstrip(), path, size, width, size, True, direction),
                textfit.fit_line(role, path, size, width, size, True, direction)]
    lines = textfit.set_lines(text, path, size, width, lang, bold=True, direction=direction).lines
    return [textfit.fit_line(line, path, size, width, size, True, direction) for line in lines]


NAME_LINES = 2  # the band keeps room for two lines of name and role (choose_size); more is refused at entry


def name_lines_needed(text: str, lang: str) -> tuple[str, int] | None:
    """The first format whose smallest name size needs more than NAME_LINES lines for this name line,
    and how many; None when it fits every format."""
    for lay in LAYOUTS.values():
        size = round(lay.quote_sizes[-1] * NAME_RATIO)
        n = len(_name_lines(text, Brand(), size, lay.text_width, lang))
        if n > NAME_LINES:
            return lay.name, n
    return None


def role_limit(first_name: str, age: int, role: str, lang: str) -> tuple[str, int] | None:
    """None when the role fits every format in the name line's two lines; otherwise the first format
    it does not fit and how many characters of it would."""
    over = name_lines_needed(name_line(first_name, age, role, lang), lang)
    if over is None:
        return None
    lo, hi = 0, len(role)
    while lo < hi:  # the longest start of the role that fits
        mid = (lo + hi + 1) // 2
        if name_lines_needed(name_line(first_name, age, role[:mid], lang), lang) is None:
            lo = mid
        else:
            hi = mid - 1
    return over[0], lo


def _wordmark(name: str, brand: Brand, size: int, width: int) -> list[textfit.Fitted]:
    """The campaign name in bold capitals: one line, or two balanced lines beside a logo."""
    if not name:
        return []
    text = name.upper()
    one = _one_line(text, brand, size, width, size, bold=True)
    if one.text == text:
        return [one]
    path, direction = fonts.font_for(text, brand.font), _direction(text)
    two = textfit.set_lines(text, path, size, width, bold=True, direction=direction).lines
    if len(two) > 2:
        return [_one_line(text, brand, size, width, round(size * 0.75), bold=True)]
    return [_one_line(t, brand, size, width, round(size * 0.75), bold=True) for t in two]


def _row(size: int) -> int:
    return round(size * LINE_HEIGHT)


def _stack(lay: Layout, size: int, quote_lines: int, name_lines: int, footer_rows: int, logo: bool) -> dict[str, int]:
    """Heights (px) of the band's rows, top to bottom."""
    small = lay.px(SMALL_PX)
    rows = {"top": round(lay.px(lay.pad) * 0.75),
            "header": max(round(small * 2.2) if logo else 0, _row(small)),
            "gap1": round(size * 0.7), "quote": quote_lines * _row(size),
            "gap2": round(size * 0.42), "name": name_lines * _row(round(size * NAME_RATIO)),
            "gap3": round(small * 1.1), "footer": footer_rows * _row(small),
            "bottom": round(lay.px(lay.pad) * 0.75)}
    return rows


def choose_size(lay: Layout, quote: str, lang: str, font: Path | None = None,
                logo: bool = False) -> int | None:
    """The largest size of the scale whose lines the quote keeps to, with the band (for the longest
    name and credit) inside the format's limit; the smallest size may take more lines, as many as
    the limit allows. None: it does not fit. Depends on the quote alone, so the same quote has the
    same size on every portrait."""
    path, direction = fonts.font_for(quote, font), _direction(quote)
    sizes = lay.quote_sizes
    for i, size in enumerate(sizes):
        last = i == len(sizes) - 1
        if last:
            return size if fits(lay, quote, lang, font, logo) else None
        n, widest = textfit.count_lines(quote, path, size, lay.text_width, lang, direction)
        tall = sum(_stack(lay, size, n, NAME_LINES, 2, logo).values())
        # A larger size only where no word must be hyphenated; the smallest hyphenates what it must.
        if tall <= lay.band_limit and n <= lay.lines[i] and widest <= lay.text_width:
            return size
    return None


def fits(lay: Layout, quote: str, lang: str, font: Path | None = None, logo: bool = False) -> bool:
    """Whether the quote fits the format at its smallest size (where it fits if it fits at all).
    The one rule: entry (`quote_limit`) asks it for the bundled font, `choose_size` (the render)
    with the brand's font and logo; where only the logo's taller header row is in the way, the
    render sets the logo in the wordmark's row instead (`typeset`), so a quote accepted when it
    is typed is never set smaller than the campaign's sizes."""
    size = lay.quote_sizes[-1]
    n, _widest = textfit.count_lines(quote, fonts.font_for(quote, font), size, lay.text_width, lang,
                                     _direction(quote))
    return sum(_stack(lay, size, n, NAME_LINES, 2, logo).values()) <= lay.band_limit


def quote_limit(quote: str, lang: str | None = None) -> tuple[str, int] | None:
    """None when the quote fits every format on the type scale; otherwise the first format it does
    not fit and how many characters of it would (cut at a word)."""
    lang = lang or "de"
    for lay in LAYOUTS.values():
        if fits(lay, typographic(quote, lang), lang):
            continue
        words = quote.split()
        lo, hi = 0, len(words)  # the most words that fit
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(lay, typographic(" ".join(words[:mid]), lang), lang):
                lo = mid
            else:
                hi = mid - 1
        return lay.name, len(" ".join(words[:lo]))
    return None


def _band_boxes(lay: Layout, rows: dict[str, int]) -> tuple[Box, Box, Box]:
    """The band (where its text goes), its colour block and the photo's area, for a band of these
    rows; a band beside the photo centres its text in the free height (`rows` changed so)."""
    W, H = lay.size
    total = sum(rows.values())
    if lay.band_side == "top":
        text_top = round(H * lay.text_zone[0]) - rows["top"]
        band_bottom = min(text_top + total, round(H * (1 - lay.min_photo)))
        return (0, text_top, W, band_bottom - text_top), (0, 0, W, band_bottom), (0, band_bottom, W, H - band_bottom)
    if lay.band_side == "right":
        band = (W - lay.band_width, 0, lay.band_width, H)
        spare = max(0, H - total)
        rows["gap1"] += spare // 2  # the quote and the name in the middle of the free height
        rows["gap3"] += spare - spare // 2
        return band, band, (0, 0, W - lay.band_width, H)
    text_bottom = round(H * lay.text_zone[1])
    band_top = max(text_bottom - total, round(H * lay.min_photo))
    return (0, band_top, W, text_bottom - band_top), (0, band_top, W, H - band_top), (0, 0, W, band_top)


@lru_cache(maxsize=256)
def typeset(lay: Layout, texts: Texts, brand: Brand) -> Setting:
    """Set the band's text for a format: the quote on the type scale, the name line at its fixed
    relation, campaign name and logo above, hashtag and credit below; the band is as tall as that."""
    pad, small = lay.px(lay.pad), lay.px(SMALL_PX)
    width = lay.text_width
    rtl = fonts.is_rtl(texts.quote)
    chosen = choose_size(lay, texts.quote, texts.lang, brand.font, brand.logo is not None)
    # A quote that fits the format (as entry checked) but not beside a logo of its usual height:
    # the logo takes the wordmark's row, and the quote keeps the campaign's sizes.
    compact_logo = chosen is None and brand.logo is not None
    if compact_logo:
        chosen = choose_size(lay, texts.quote, texts.lang, brand.font, False)
    size = chosen or lay.quote_sizes[-1]
    quote_path = fonts.font_for(texts.quote, brand.font)
    quote_lines = textfit.set_lines(texts.quote, quote_path, size, width, texts.lang,
                                    direction=_direction(texts.quote)).lines
    quote_font = textfit.load_font(quote_path, size, False, rtl)
    name = _name_lines(texts.name_line, brand, round(size * NAME_RATIO), width, texts.lang)
    logo_h = (_row(small) if compact_logo else round(small * 2.2)) if brand.logo else 0
    campaign = _wordmark(texts.campaign, brand, small, width - (logo_h * 3 + small if brand.logo else 0))
    footer = [_one_line(t, brand, small, width, round(small * 0.75)) for t in (texts.hashtag, texts.credit) if t]
    side_by_side = len(footer) == 2 and sum(f.width for f in footer) + 2 * small <= width
    rows = _stack(lay, size, len(quote_lines), len(name), 1 if side_by_side else len(footer),
                  bool(brand.logo) and not compact_logo)
    rows["header"] = max(rows["header"], len(campaign) * _row(small))
    if not footer:
        rows["gap3"] = 0
    (bx, by, bw, bh), block, photo_area = _band_boxes(lay, rows)
    x0 = bx + pad
    align = "right" if rtl else "left"
    lines: list[Line] = []
    y = by + rows["top"]
    for i, f in enumerate(campaign):
        lines.append(Line(f, (x0, y + (rows["header"] - len(campaign) * _row(small)) // 2 + i * _row(small),
                              width, _row(small)), align))
    logo = ((x0 if rtl else bx + bw - pad - logo_h * 3), y, logo_h * 3, logo_h) if brand.logo else None
    y += rows["header"] + rows["gap1"]
    quote_measure = textfit.measure_at(quote_path, size, False, _direction(texts.quote))
    for text in quote_lines:
        f = textfit.Fitted(text, size, quote_font, _direction(texts.quote), round(quote_measure.line(text.split())),
                           _row(size))
        lines.append(Line(f, (x0, y, width, _row(size)), align))
        y += _row(size)
    y += rows["gap2"]
    for f in name:
        lines.append(Line(f, (x0, y, width, _row(f.size)), align))
        y += _row(f.size)
    y += rows["gap3"]
    if side_by_side:
        lines.append(Line(footer[0], (x0, y, width, _row(small)), align))
        lines.append(Line(footer[1], (x0, y, width, _row(small)), "left" if rtl else "right"))
    else:
        for f in footer:
            lines.append(Line(f, (x0, y, width, _row(small)), align))
            y += _row(small)
    return Setting((bx, by, bw, bh), block, photo_area, tuple(lines), logo, size, chosen is not None)
