"""Who someone is, as text: the rules that keep a name from being faked or hidden.

Two approvals must come from two people and a minor's consent from every guardian, so a name that
only looks different ("Anna" and "anna", a zero-width space, a Cyrillic "а" among Latin letters) must
not count as another person. `person_key` is the one comparison of such names (the CLI's --user, the
web app's accounts later, guardians). Text a person types for the images and captions must also
read in the order it was typed: direction overrides and isolates are refused (`check_direction`).
And a surname kept for the office's files must not come back through a public field (`mentions`).
"""
from __future__ import annotations

import re
import unicodedata

from portraits.errors import CampaignError
from portraits.messages import _m

# Overrides and embeddings (U+202A-202E) and isolates (U+2066-2069) turn the following text around
# on the platforms and draw as boxes on the images; the bidi algorithm orders our texts by itself.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters that draw nothing (Hangul fillers, the blank Braille pattern).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Scripts whose letters look like Latin ones: mixed with Latin in one name they are a disguise.
_LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK")


def check_direction(text: str, label: str) -> None:
    """Refuse direction overrides and isolates in a text a person typed."""
    found = sorted({ch for ch in text if ch in DIRECTION_CONTROLS})
    if found:
        codes = ", ".join(f"U+{ord(ch):04X}" for ch in found)
        raise CampaignError(_m("The {label} holds a direction control character ({codes}) that would turn the "
                               "text around on the platforms.", label=label, codes=codes),
                            _m("Type the {label} again as plain text (without copying it from a formatted "
                               "document).", label=label))


def without_direction(text: str) -> str:
    """The text with direction overrides and isolates left out, where refusing it would do harm (a
    withdrawal is never refused)."""
    return "".join(ch for ch in text if ch not in DIRECTION_CONTROLS)


def _script(ch: str) -> str:
    return unicodedata.name(ch, "").split(" ", 1)[0]


def person_key(name: str, label: str | None = None) -> str:
    """The form in which two names of people are compared: NFKC, case-folded, spaces collapsed.

    Raises CampaignError for a name with invisible or format characters (zero-width, direction
    marks), with no visible letter, or mixing Latin with Cyrillic or Greek letters."""
    label = label or _m("user name")
    text = unicodedata.normalize("NFKC", name)
    hidden = sorted({ch for ch in text if unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cs", "Cn", "Zl", "Zp")
                     or ch in _BLANK_LETTERS})
    if hidden:
        codes = ", ".join(f"U+{ord(ch):04X}" for ch in hidden)
        raise CampaignError(_m("The {label} {name!r} holds invisible characters ({codes}).", label=label,
                               name=name, codes=codes),
                            _m("Type the {label} again with visible letters only.", label=label))
    text = " ".join(text.split())
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        raise CampaignError(_m("The {label} {name!r} has no visible letters.", label=label, name=name),
                            _m("Type the {label} again with visible letters only.", label=label))
    scripts = {_script(ch) for ch in text if unicodedata.category(ch).startswith("L")}
    if "LATIN" in scripts and scripts.intersection(_LOOKALIKE_SCRIPTS):
        raise CampaignError(_m("The {label} {name!r} mixes Latin letters with Cyrillic or Greek ones that look "
                               "the same.", label=label, name=name),
                            _m("Type the {label} again in one alphabet.", label=label))
    return unicodedata.normalize("NFKC", text.casefold())


def person_key_or_none(name: str) -> str | None:
    """`person_key` for a name already stored: None where it would be refused today (it counts for nobody)."""
    try:
        return person_key(name)
    except CampaignError:
        return None


def _folded(text: str) -> str:
    """Lower case without accents: "Schmidt", "SCHMIDT" and "Schmídt" read the same."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def mentions(text: str, name: str) -> bool:
    """True when `text` holds `name` as a whole word (case and accents ignored)."""
    name = " ".join(_folded(name).split())
    if not name or not text:
        return False
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(part) for part in name.split(" ")) + r"(?!\w)"
    return re.search(pattern, _folded(text)) is not None
