"""Fonts from PyPI packages under the SIL Open Font Licence: Noto Sans (Latin, Greek, Cyrillic) and
Noto Sans Arabic (Arabic, with basic Latin). Each text gets the first font that has every one of its
characters, Arabic text the Arabic font, so no supported text ever shows empty boxes."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from portraits.errors import CampaignError
from portraits.files import cache_dir
from portraits.messages import _m, _mn


def _package_font(module: str) -> Path:
    import importlib

    root: Path = importlib.import_module(module).ROOT / "files"
    return next(p for p in sorted(root.glob("*.ttf")) if "Italic" not in p.name)


@cache
def fallbacks() -> tuple[Path, ...]:
    """The fonts in the order they are tried."""
    return (_package_font("fontpkg_noto_sans"), _package_font("fontpkg_noto_sans_arabic"))


@cache
def _cmap(path: Path) -> frozenset[int]:
    """The characters a font has. Reading them with fontTools costs ~50 ms a start (its import and the
    cmap and post tables); they are kept in the user's cache folder, like the hyphenation patterns."""
    import hashlib
    import marshal

    cached = None
    try:
        stat = Path(path).stat()
        key = hashlib.sha256(f"{Path(path).resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:32]
        cached = cache_dir() / f"cmap-{key}.marshal"
        return frozenset(marshal.loads(cached.read_bytes()))
    except (OSError, ValueError, EOFError, TypeError):
        pass
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        chars = frozenset(font.getBestCmap())
    if cached is not None:
        try:
            from portraits.files import atomic_write_bytes

            cached.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(cached, marshal.dumps(sorted(chars)))
        except OSError:
            pass  # no cache folder to write: read the font again next time
    return chars


def is_rtl(text: str) -> bool:
    """True when the text has Arabic (or Hebrew) letters: it is laid out right to left."""
    return any("\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc" for ch in text)


def covers(path: Path, text: str) -> bool:
    cmap = _cmap(path)
    return all(ord(ch) in cmap for ch in text if not ch.isspace() and ch not in "\u200e\u200f")


def _drawn(text: str) -> list[str]:
    return [ch for ch in text if not ch.isspace() and ch not in "\u200e\u200f"]


def undrawable(text: str, preferred: Path | None = None) -> list[str]:
    """The characters that keep `text` from being set in one font; [] when a font has them all.

    First those no font has at all (emoji, symbols); for a text mixing scripts that no single
    font has together, those the best-covering font lacks."""
    candidates = ([preferred] if preferred else []) + list(fallbacks())
    if any(covers(path, text) for path in candidates):
        return []
    chars = _drawn(text)
    missing = [ch for ch in chars if not any(ord(ch) in _cmap(p) for p in candidates)]
    if not missing:
        best = max(candidates, key=lambda p: sum(ord(ch) in _cmap(p) for ch in chars))
        missing = [ch for ch in chars if ord(ch) not in _cmap(best)]
    return list(dict.fromkeys(missing))


def describe(chars: list[str]) -> str:
    """'😀 (U+1F600 GRINNING FACE)' for each character, so a person can find it in the text."""
    import unicodedata

    return ", ".join(f"{ch if ch.isprintable() else ''} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})".lstrip()
                     for ch in chars[:5]) + (f" and {len(chars) - 5} more" if len(chars) > 5 else "")


def font_for(text: str, preferred: Path | None = None) -> Path:
    """The brand font if it has every character, else the first fallback that has them all."""
    candidates = ([preferred] if preferred else []) + list(fallbacks())
    if is_rtl(text):
        candidates.sort(key=lambda p: not covers(p, "\u0627\u0644"))  # fonts with Arabic letters first
    for path in candidates:
        if covers(path, text):
            return path
    chars = undrawable(text, preferred)
    raise CampaignError(_mn("No font has the character {text}.", "No font has the characters {text}.", len(chars),
                            text=describe(chars)),
                        _m("Remove them from the text, or set a [brand] font in campaign.toml that has them."))
