"""Setting text: the quote at a size from the campaign's type scale, balanced lines, hyphenation.

A quote takes the largest size of the scale at which it fits the format's lines for that size, so
short quotes do not shout and long ones do not whisper, and the same quote has the same size on
every portrait. Lines are balanced (the shortest width that still gives the fewest lines, as CSS
`text-wrap: balance` does) so no word stands alone on the last line, and a word that does not fit
is hyphenated at a real syllable break (pyphen's dictionaries for the quote's language).

Fast by construction: each word is measured once per font and size (Pillow's `getlength`, about
as many calls as the quote has words) and a line's width is the sum of its words and spaces; the
finished block is measured once more with `multiline_textbbox` to be exact.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portraits.files import cache_dir

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

LINE_SPACING = 0.24  # extra space between lines, as a fraction of the size
HYPHEN = "-"
GLUE = "\x00"        # ends a syllable piece: a hyphen at the end of a line, nothing within one
MIN_PART = 3         # letters on either side of a hyphenation break


@dataclass(frozen=True)
class Fitted:
    text: str  # with line breaks
    size: int
    font: FreeTypeFont
    direction: str | None
    width: int
    height: int

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


@lru_cache(maxsize=512)
def load_font(path: Path, size: int, bold: bool = False, complex_script: bool = True) -> FreeTypeFont:
    """A font at a size. Right-to-left and joined scripts need raqm's shaping; Latin and Cyrillic
    come out the same with FreeType's basic layout, which measures several times faster."""
    from PIL import ImageFont

    engine = ImageFont.Layout.RAQM if complex_script else ImageFont.Layout.BASIC
    font = ImageFont.truetype(str(path if complex_script else basic_copy(path)), size, layout_engine=engine)
    if bold:
        try:
            axes = font.get_variation_axes()
            font.set_variation_by_axes([700.0 if a["name"] in (b"Weight", "Weight") else float(a["default"] or 0)
                                        for a in axes])
        except (OSError, ValueError):
            pass  # not a variable font: its one weight it is
    return font


@cache
def basic_copy(path: Path) -> Path:
    """The font without its OpenType layout tables (GSUB, GPOS, GDEF), for the basic layout engine,
    which never reads them. FreeType's autohinter does: each new face (one per size) first asks
    HarfBuzz which glyphs every script can reach through GSUB, ~15 ms a face with Noto Sans's large
    tables, ~0.2 s for the dozen sizes of one portrait's images. Without the tables the glyphs that
    text is set in are hinted and drawn the same (tests/test_render.py compares them pixel by
    pixel). Kept in the user's cache folder; the font itself where that cannot be written."""
    import hashlib

    try:
        stat = Path(path).stat()
        key = hashlib.sha256(f"{Path(path).resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:32]
        cached = cache_dir() / f"basic-{key}{Path(path).suffix.lower()}"
        if cached.is_file():
            return cached
        from io import BytesIO

        from fontTools.ttLib import TTFont

        from portraits.files import atomic_write_bytes

        buf = BytesIO()
        with TTFont(str(path), lazy=True) as font:
            for tag in ("GSUB", "GPOS", "GDEF"):
                if tag in font:
                    del font[tag]
            font.save(buf)
        cached.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(cached, buf.getvalue())
        return cached
    except Exception:  # noqa: BLE001 (a font fontTools cannot rewrite, a cache that cannot be written)
        return Path(path)


@lru_cache(maxsize=64)
def _hyphenator(lang: str | None) -> Any:  # pyphen.Pyphen (pyphen has no type information)
    """pyphen for the language, or None where it has no dictionary (Arabic, Turkish)."""
    import pyphen

    found = pyphen.language_fallback(lang) if lang else None
    if not found:
        return None
    _load_patterns(pyphen, pyphen.LANGUAGES[found])
    return pyphen.Pyphen(lang=found, left=MIN_PART, right=MIN_PART)


def _load_patterns(pyphen: Any, path: str | Path) -> None:
    """pyphen parses a dictionary's ~66,000 German patterns in about 1.5 s on every start; keep the
    parsed patterns in the user's cache folder (marshal, ~60 ms to read) and give them to pyphen."""
    import marshal

    path = Path(path)
    if path in pyphen.hdcache:
        return
    stat = path.stat()
    cached = cache_dir() / f"hyph-{path.stem}-{pyphen.VERSION}-{stat.st_size}-{int(stat.st_mtime)}.marshal"
    hd = object.__new__(pyphen.HyphDict)
    try:
        hd.patterns = marshal.loads(cached.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        parsed = pyphen.HyphDict(path)
        pyphen.hdcache[path] = parsed
        plain = {k: (start, tuple(values)) for k, (start, values) in parsed.patterns.items()}
        if all(type(v) is int for _s, values in plain.values() for v in values):  # noqa: E721 (no special breaks)
            try:
                from portraits.files import atomic_write_bytes

                cached.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(cached, marshal.dumps(plain))
            except OSError:
                pass  # no cache folder to write: parse again next time
        return
    hd.cache = {}
    hd.maxlen = max(len(key) for key in hd.patterns)
    pyphen.hdcache[path] = hd


REF_SIZE = 100  # words are measured once at this size and scaled: one font object per face, not per size
SAFETY = 1.012  # scaled widths of hinted glyphs can be off by about 1 %: measure a little wide


class Measure:
    """Widths of words in one font at one size, each word measured once (at REF_SIZE, for every size)."""

    def __init__(self, ref: dict[str, float], font: FreeTypeFont, direction: str | None, factor: float):
        self.font, self.direction, self.factor = font, direction, factor
        self._widths = ref  # shared by every size of this font
        self.space = self(" ")

    def __call__(self, word: str) -> float:
        w = self._widths.get(word)
        if w is None:
            text = word[:-1] + HYPHEN if word.endswith(GLUE) else word
            w = self._widths[word] = float(self.font.getlength(text, direction=self.direction))
        return w * self.factor

    def line(self, words: list[str]) -> float:
        return sum(self(w) for w in words) + self.space * (len(words) - 1)


VOWELS = set("aeiouyäöüàâéèêëïîôûœæ")
JOINT_ENDINGS = ("ung", "heit", "keit", "schaft", "tion", "tät", "chen", "lein", "ling", "werk", "dienst")
JOINT_SHARE = 0.5  # a compound joint is taken over a later syllable break when it fills this much of the line


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def _is_joint(word: str, p: int) -> bool:
    """Whether a break looks like a compound's joint (a German typesetter's first choice): after a
    linking s ("Nachbarschafts-hilfe"), between two vowels ("hilfe-organisation"), after a noun
    ending ("Versorgungs-", "Gemeinschaft-"), or before "sch" after a consonant ("Kranken-schwester").
    A heuristic: pyphen's patterns mark syllables, not words."""
    left, right = word[:p].lower(), word[p:].lower()
    if not left or not right:
        return False
    if left[-1] == "s" and right[0] not in VOWELS:
        return True
    if left[-1] in VOWELS and right[0] in VOWELS:
        return True
    if right.startswith("sch") and left[-1] not in VOWELS:
        return True
    return left.endswith(JOINT_ENDINGS)


def _pieces(word: str, width: float, measure: Measure, lang: str | None, last: bool = False) -> list[str]:
    """A word too wide for a line, cut at syllable breaks (each piece with its hyphen fits), a
    compound's joint preferred where it fills the line well enough, at least MIN_PART letters on
    either side, and (`last`: the text's last word) never a lone syllable left for the last line;
    between letters only where the language has no hyphenation dictionary or no break helps."""
    hyph = _hyphenator(lang)
    breaks = [p for p in (hyph.positions(word) if hyph else []) if word[p - 1].isalpha() and word[p].isalpha()]
    if last and len(breaks) > 1:
        breaks = breaks[:-1]  # the last syllable alone on the last line ("che.“") reads as a mistake
    out, start = [], 0
    while measure(word[start:]) > width:
        fitting = [p for p in breaks if _letters(word[start:p]) >= MIN_PART and _letters(word[p:]) >= MIN_PART
                   and measure(word[start:p] + HYPHEN) <= width]
        joints = [p for p in fitting if _is_joint(word, p)
                  and measure(word[start:p] + HYPHEN) >= JOINT_SHARE * width]
        if joints:
            cut = max(joints)
        elif fitting:
            cut = max(fitting)
        else:  # no dictionary break fits: between letters, the last resort
            cut = start + 1
            while cut < len(word) - 1 and measure(word[start:cut + 1] + HYPHEN) <= width:
                cut += 1
        out.append(word[start:cut] + GLUE)
        start = cut
    return out + [word[start:]]


SOFT_HYPHEN = "\u00ad"


def soft_hyphenated(text: str, lang: str | None, longer_than: int = 10) -> str:
    """The text with soft hyphens at the syllable breaks of its long words, for a web page: browsers
    break there with a visible hyphen where the word needs it (Chromium on Linux has no hyphenation
    dictionaries of its own, so CSS `hyphens: auto` alone breaks nowhere)."""
    hyph = _hyphenator(lang)
    if hyph is None:
        return text

    def one(word: str) -> str:
        if len(word) <= longer_than:
            return word
        cuts = [p for p in hyph.positions(word) if word[p - 1].isalpha() and word[p].isalpha()]
        for p in reversed(cuts):
            word = word[:p] + SOFT_HYPHEN + word[p:]
        return word
    return " ".join(one(w) for w in text.split(" "))


def _greedy(words: list[str], width: float, measure: Measure) -> list[list[str]]:
    lines: list[list[str]] = [[]]
    used = 0.0
    for word in words:
        w = measure(word)
        if lines[-1] and used + measure.space + w > width:
            lines.append([])
            used = 0.0
        used += (measure.space if lines[-1] else 0) + w
        lines[-1].append(word)
    return lines


def _hyphenate_long(words: list[str], width: float, measure: Measure, lang: str | None) -> list[str]:
    """Words wider than the line become their syllable pieces (the pieces keep their hyphens)."""
    out = []
    for i, word in enumerate(words):
        out.extend(_pieces(word, width, measure, lang, i == len(words) - 1) if measure(word) > width else [word])
    return out


def _join(line: list[str]) -> str:
    """Words with spaces; syllable pieces joined again within the line, hyphenated at its end."""
    text = " ".join(line)
    if GLUE not in text:
        return text
    text = text.replace(GLUE + " ", "")
    return text[:-1] + HYPHEN if text.endswith(GLUE) else text


def _balanced(words: list[str], width: float, count: int, measure: Measure) -> list[list[str]] | None:
    """`words` in `count` lines no wider than `width`, as even as can be: the least sum of squared
    gaps (the last line counted too, and a last line of one word made costly). Dynamic programming."""
    n = len(words)
    widths = [measure(w) for w in words]
    INF = float("inf")
    best = [[INF] * (n + 1) for _ in range(count + 1)]
    back = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0.0
    for k in range(1, count + 1):
        for j in range(1, n + 1):
            line = -measure.space
            for i in range(j - 1, -1, -1):  # the line holds words i..j-1
                line += widths[i] + measure.space
                if line > width:
                    break
                if best[k - 1][i] == INF:
                    continue
                cost = (width - line) ** 2
                if k == count and j == n and j - i == 1 and n > 1:
                    cost += width ** 2  # one word alone at the end
                if best[k - 1][i] + cost < best[k][j]:
                    best[k][j], back[k][j] = best[k - 1][i] + cost, i
    if best[count][n] == INF:
        return None
    lines, j = [], n
    for k in range(count, 0, -1):
        i = back[k][j]
        lines.append(words[i:j])
        j = i
    return lines[::-1]


def wrap(text: str, width: float, measure: Measure, lang: str | None = None) -> list[str]:
    """Balanced lines: as few as greedy wrapping gives, as even in length as they can be."""
    words = _hyphenate_long(text.split(), width, measure, lang)
    greedy = _greedy(words, width, measure)
    lines = _balanced(words, width, len(greedy), measure) or greedy
    return [_join(line) for line in lines]


def count_lines(text: str, font_path: Path, size: int, width: int, lang: str | None = None,
                direction: str | None = None) -> tuple[int, float]:
    """How many lines the text takes at a size (the balanced lines are as many), and its widest word
    whole (wider than `width`: the word is hyphenated at this size)."""
    measure = measure_at(font_path, size, False, direction)
    whole = text.split()
    words = _hyphenate_long(whole, width, measure, lang)
    return len(_greedy(words, width, measure)), max((measure(w) for w in whole), default=0.0)


def spacing(size: int) -> int:
    return round(size * LINE_SPACING)


def set_lines(text: str, font_path: Path, size: int, width: int, lang: str | None = None, bold: bool = False,
              direction: str | None = None) -> Fitted:
    """The text wrapped (balanced, hyphenated) at one size for a column `width` px wide."""
    font = load_font(font_path, size, bold, direction is not None)
    measure = measure_at(font_path, size, bold, direction)
    lines = wrap(text, width, measure, lang)
    w = max((measure.line(line.split()) for line in lines), default=0.0)
    h = size + (len(lines) - 1) * (size + spacing(size))
    return Fitted("\n".join(lines), size, font, direction, round(w), h)


def fit_line(text: str, font_path: Path, size: int, width: int, min_size: int, bold: bool = False,
             direction: str | None = None) -> Fitted:
    """One line of text (name line, hashtag, credit) at `size`, smaller down to `min_size` if it must,
    and shortened with an ellipsis only if even that is too wide."""
    size = int(size)
    w = measure_at(font_path, size, bold, direction).line([text])
    if w > width and size > min_size:
        size = max(min_size, int(size * width / w))
        w = measure_at(font_path, size, bold, direction).line([text])
    measure = measure_at(font_path, size, bold, direction)
    while text and w > width:
        text = text[:-2].rstrip() + "…"
        w = measure.line([text])
    return Fitted(text, size, load_font(font_path, size, bold, direction is not None), direction, round(w), size)


_REF_WIDTHS: dict[tuple[Path, bool, str | None], dict[str, float]] = {}


@lru_cache(maxsize=256)
def measure_at(font_path: Path, size: int, bold: bool = False, direction: str | None = None) -> Measure:
    """Word widths at `size`, from one measurement per word at REF_SIZE."""
    ref = load_font(font_path, REF_SIZE, bold, direction is not None)
    widths = _REF_WIDTHS.setdefault((font_path, bold, direction), {})
    return Measure(widths, ref, direction, size / REF_SIZE * SAFETY)
