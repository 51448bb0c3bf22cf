"""The text fields of a portrait as they enter the store: checked, normalised, and refused when the
images could not show them or they would put the surname on file in public.

Split out of `portraits.records` (issue 22): records and the intake both check fields here.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from portraits import fonts, identity
from portraits.errors import CampaignError
from portraits.messages import _m, _mn

MAX_QUOTE = 1000  # far beyond what any format holds (about 200 characters): only measured this far
MAX_NAME = 40
MAX_ROLE = 60
MAX_AGE = 120
ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
LANG_PATTERN = re.compile(r"^[a-z]{2,3}$")
NAME_PATTERN = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '’.-])*$")
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")

LABELS = {"first_name": _m("first name"), "surname": _m("surname"), "role": _m("role"),
          "role_category": _m("role category"), "quote": _m("quote"), "credit": _m("photo credit"),
          "lang": _m("language")}
# Letters that draw nothing (Hangul fillers, the blank Braille pattern): spoofing, not text.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def visible(text: str) -> bool:
    """True when the text shows something: not only spaces, zero-width, direction or combining marks."""
    return any(unicodedata.category(ch)[0] not in "CZM" and ch not in _BLANK_LETTERS for ch in text)


def clean_text(value: str, what: str) -> str:
    """Text as it enters the store: NFC (so "José" is one way of writing, however it was typed), and
    never text that came in with bytes that are not UTF-8."""
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise CampaignError(_m("The {what} holds bytes that are not UTF-8 text: {value!r}.", what=what,
                               value=value.encode('utf-8', 'surrogateescape').decode('utf-8', 'backslashreplace')),
                            _m("Type it again, or save the file as UTF-8."))
    return unicodedata.normalize("NFC", value)


# long: one check per field in the order the form reads, each with its own message
def validate_fields(fields: dict[str, Any]) -> dict[str, Any]:  # noqa: C901 - one check per field, in the order the form reads
    """Check and normalise the text fields; raise CampaignError with the first problem."""
    out = dict(fields)
    for key, label in LABELS.items():
        if isinstance(out.get(key), str):
            value = clean_text(out[key], label)
            out[key] = " ".join(value.split()) if key != "quote" else value.strip()
            if out[key] and not visible(out[key]):
                raise CampaignError(_m("The {label} has no visible characters (only spaces, zero-width or "
                                       "direction marks).", label=label),
                                    _m("Type the {label} again as plain text.", label=label))
            identity.check_direction(out[key], label)
    first = out.get("first_name")
    if "first_name" in out:
        if not first:
            raise CampaignError(_m("The first name is empty."),
                                _m("Give --first-name, e.g. --first-name Brigitte."))
        if len(first) > MAX_NAME or not NAME_PATTERN.match(first):
            raise CampaignError(_m("The first name {first!r} is not a name.", first=first),
                                _m("Use letters, spaces or hyphens, at most {max_name} characters.", max_name=MAX_NAME))
    if out.get("surname") is not None and out["surname"] != "":
        if len(out["surname"]) > MAX_NAME or not NAME_PATTERN.match(out["surname"]):
            raise CampaignError(_m("The surname is not a name."),
                                _m("Use letters, spaces or hyphens, at most {max_name} characters.", max_name=MAX_NAME))
    if "age" in out:
        typed = str(out["age"]).strip()
        if len(typed) > 6 and typed.lstrip("+-").isdigit():  # far out of range (and too long to repeat)
            raise CampaignError(_m("The age ({digits} digits) is not possible.", digits=len(typed.lstrip("+-"))),
                                _m("Give an age from 0 to {max_age}.", max_age=MAX_AGE))
        try:
            age = int(typed)
        except (TypeError, ValueError):
            raise CampaignError(_m("The age {age!r} is not a whole number.", age=out['age']),
                                _m("Give the age in years, e.g. --age 81.")) from None
        if not 0 <= age <= MAX_AGE:
            raise CampaignError(_m("The age {age} is not possible.", age=age),
                                _m("Give an age from 0 to {max_age}.", max_age=MAX_AGE))
        out["age"] = age
    if "role" in out:
        if not out["role"]:
            raise CampaignError(_m("The role is empty."), _m("Give --role, e.g. --role Rentnerin."))
        if len(out["role"]) > MAX_ROLE:
            raise CampaignError(_m("The role is {count} characters long.", count=len(out['role'])),
                                _m("Keep it to {max_role}.", max_role=MAX_ROLE))
    if "quote" in out:
        if not out["quote"]:
            raise CampaignError(_m("The quote is empty."), _m("Give --quote with the person's own words."))
        # One rule for how long a quote may be: whether it fits every format (render.quote_limit), which
        # the help, this error and the render all follow. Text no font can draw is refused by
        # check_drawable, naming the characters; measure only the rest (and of a pasted essay, the
        # start: a quote of MAX_QUOTE characters fits no format).
        from portraits import render  # its layouts and fonts only where a quote is checked (~8 ms at start-up)

        measured = out["quote"][:MAX_QUOTE]
        too_long = None if fonts.undrawable(measured) else render.quote_limit(measured, out.get("lang"))
        if too_long:
            fmt, most = too_long
            raise CampaignError(_m("The quote is too long for the {fmt} format ({count} characters; {most} "
                                   "of them fit at the smallest type size).",
                                   fmt=fmt, count=len(out['quote']), most=most),
                                _m("Shorten it to at most {most} characters.", most=most))
    if out.get("role_category"):
        out["role_category"] = slugify(out["role_category"]) or None
        if not out["role_category"]:
            raise CampaignError(_m("The role category has no letters."),
                                _m("Use a word such as health or senior."))
    if "lang" in out and out["lang"] is not None:
        out["lang"] = out["lang"].lower()
        if not LANG_PATTERN.match(out["lang"]):
            raise CampaignError(_m("The language {lang!r} is not a language code.", lang=out['lang']),
                                _m("Use a code such as de, tr, uk, ar."))
    if out.get("credit") and len(out["credit"]) > 80:
        raise CampaignError(_m("The photo credit is over 80 characters."), _m("Shorten it."))
    return out


def check_drawable(portrait: dict[str, Any]) -> None:
    """Refuse, when it is entered, text the images could not show: every language's name line,
    quote and the credit must each be set in one bundled font (Noto Sans or Noto Sans Arabic),
    whatever brand font campaign.toml names later. Emoji and symbols are refused here rather
    than failing when the post is due."""
    from portraits.render import name_line, role_limit, typographic

    for lang in [portrait["lang"], *(portrait.get("translations") or {})]:
        t = text_in(portrait, lang)
        where = "" if lang == portrait["lang"] else f" ({lang})"
        for what, text in ((_m("name and role"), name_line(portrait["first_name"], portrait["age"], t["role"], lang)),
                           (LABELS["quote"], typographic(t["quote"], lang)),
                           (LABELS["credit"], portrait.get("credit") or "")):
            missing = fonts.undrawable(text)
            if not missing:
                continue
            letters = all(unicodedata.category(ch).startswith("L") for ch in missing)
            raise CampaignError(_mn("The {what}{where} has a character the images cannot show: {missing}.",
                                    "The {what}{where} has characters the images cannot show: {missing}.",
                                    len(set(missing)), what=what, where=where, missing=fonts.describe(missing)),
                                _m("Write it in one script; put another language in a translation (campaign "
                                   "portrait translate).") if letters else
                                _m("Leave them out or write them in words (emoji and symbols cannot be "
                                   "printed on the images)."))
        too_long = role_limit(portrait["first_name"], portrait["age"], t["role"], lang)
        if too_long:
            fmt, most = too_long
            raise CampaignError(_m("The role{where} is too long for the {fmt} format: with the name it needs more "
                                   "than two lines at the smallest type size.", where=where, fmt=fmt),
                                _m("Shorten it to at most {most} characters.", most=most))


def check_surname_hidden(portrait: dict[str, Any]) -> None:
    """Refuse a surname on file that also stands in a public field (first name, role, quote, credit,
    a translation's role or quote): it would reach the id, the images, captions and alt texts."""
    surname = portrait.get("surname")
    if not surname:
        return
    public_texts = [(LABELS[key], portrait.get(key)) for key in ("first_name", "role", "quote", "credit")]
    for lang, t in sorted((portrait.get("translations") or {}).items()):
        public_texts += [(_m("{label} ({lang})", label=LABELS[key], lang=lang), t.get(key))
                         for key in ("role", "quote")]
    for label, text in public_texts:
        if text and identity.mentions(text, surname):
            raise CampaignError(_m("The {label} contains the surname on file; the surname never appears in "
                                   "public.", label=label),
                                _m("Leave the surname out of the {label} (it is kept only in the office's "
                                   "records).", label=label))


def _texts_of(fields: dict[str, Any], default_lang: str) -> dict[str, Any]:
    """The texts of a portrait about to be made, in the shape `check_drawable` reads."""
    return {"id": "new", "first_name": fields["first_name"], "age": fields["age"], "role": fields["role"],
            "quote": fields["quote"], "lang": fields.get("lang") or default_lang, "credit": fields.get("credit"),
            "surname": fields.get("surname")}


def text_in(portrait: dict[str, Any], lang: str | None) -> dict[str, Any]:
    """Quote and role in `lang` (falls back to the original language)."""
    if not lang or lang == portrait.get("lang"):
        return {"lang": portrait.get("lang"), "quote": portrait["quote"], "role": portrait["role"]}
    t = (portrait.get("translations") or {}).get(lang)
    if not t:
        raise CampaignError(_m("{id} has no {language} translation.", id=portrait['id'], language=lang),
                            _m("Add one: campaign portrait translate {id} --lang {lang} --quote TEXT.",
                               id=portrait['id'], lang=lang))
    return {"lang": lang, "quote": t["quote"], "role": t.get("role") or portrait["role"]}
