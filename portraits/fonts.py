"""Fonts from PyPI packages under the SIL Open Font Licence: Noto Sans (Latin, Greek, Cyrillic) and
Noto Sans Arabic (Arabic, with basic Latin). Each text gets the first font that has every one of its
characters, Arabic text the Arabic font, so no supported text ever shows empty boxes."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from portraits.errors import CampaignError


def _package_font(module: str) -> Path:
    import importlib

    root = importlib.import_module(module).ROOT / "files"
    return next(p for p in sorted(root.glob("*.ttf")) if "Italic" not in p.name)


@lru_cache(maxsize=None)
def fallbacks() -> tuple[Path, ...]:
    """The fonts in the order they are tried."""
    return (_package_font("fontpkg_noto_sans"), _package_font("fontpkg_noto_sans_arabic"))


@lru_cache(maxsize=None)
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def is_rtl(text: str) -> bool:
    """True when the text has Arabic (or Hebrew) letters: it is laid out right to left."""
    return any("\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc" for ch in text)


def covers(path: Path, text: str) -> bool:
    cmap = _cmap(path)
    return all(ord(ch) in cmap for ch in text if not ch.isspace() and ch not in "\u200e\u200f")


def font_for(text: str, preferred: Path | None = None) -> Path:
    """The brand font if it has every character, else the first fallback that has them all."""
    candidates = ([preferred] if preferred else []) + list(fallbacks())
    if is_rtl(text):
        candidates.sort(key=lambda p: not covers(p, "\u0627\u0644"))  # fonts with Arabic letters first
    for path in candidates:
        if covers(path, text):
            return path
    missing = sorted({ch for ch in text if not any(ord(ch) in _cmap(p) for p in candidates) and not ch.isspace()})
    raise CampaignError(f"No font has the character(s) {' '.join(missing)!s}.",
                        "Remove them from the text, or set a [brand] font in campaign.toml that has them.")
