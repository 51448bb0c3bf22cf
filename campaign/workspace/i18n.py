"""The interface language: gettext catalogs shipped in campaign/locale, Babel for dates and numbers.

Only what a person reads is translated (messages, help, tables, the report). Command and option
names, `--json` keys and values, exit codes and log lines stay English: scripts rely on them.
Catalogs are compiled (.mo) and shipped in the package, so a fresh install needs no build step.
Domains: `campaign` (the command line and library messages) and `report` (the morning report).
"""
from __future__ import annotations

import contextlib
import gettext as _gettext
import os
import re
import string
from collections.abc import Iterator
from datetime import date, datetime, time
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from portraits.messages import Message, PluralMessage, join

LOCALE_DIR = Path(__file__).parent.parent / "locale"
DOMAINS = ("campaign", "report")
# Click's own texts ("Usage:", "Missing option"), translated by hand in a catalog of their own;
# looked up last, after our domains.
CLICK_DOMAIN = "click"
LANGUAGES = ("de", "en")
DEFAULT = "de"

_current: list[str] = [DEFAULT]


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """All domains' catalogs for `lang`, chained; English (the msgids) when none is shipped."""
    result: _gettext.NullTranslations = _gettext.NullTranslations()
    for domain in (CLICK_DOMAIN, *reversed(DOMAINS)):
        try:
            t = _gettext.translation(domain, LOCALE_DIR, languages=[lang])
        except OSError:
            continue
        t.add_fallback(result)
        result = t
    return result


def language() -> str:
    """The interface language now in use ("de" or "en")."""
    return _current[-1]


def normalise(value: str | None) -> str | None:
    """"de_DE.UTF-8" -> "de"; None for a language we have no catalog for."""
    if not value:
        return None
    code = value.replace("-", "_").split(".")[0].split("_")[0].lower()
    return code if code in LANGUAGES else None


def choose(option: str | None = None, configured: str | None = None,
           campaign_language: str | None = None) -> str:
    """--ui-lang, then CAMPAIGN_UI_LANG, then `ui_language` in campaign.toml, then the system
    locale; German for a workspace whose campaign language is German, else German by default."""
    for candidate in (option, os.environ.get("CAMPAIGN_UI_LANG"), configured):
        if normalise(candidate):
            return normalise(candidate)  # type: ignore[return-value]
    if normalise(campaign_language) == "de":
        return "de"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if normalise(os.environ.get(var)):
            return normalise(os.environ.get(var))  # type: ignore[return-value]
    return DEFAULT


@contextlib.contextmanager
def use(lang: str) -> Iterator[str]:
    """Speak `lang` inside the block (commands and tests)."""
    _current.append(normalise(lang) or DEFAULT)
    try:
        yield _current[-1]
    finally:
        _current.pop()


def gettext(message: str, /, **params: Any) -> str:
    """`message` in the interface language; with `params`, formatted like `str.format`. A
    parameter that is itself a `Message` is translated too."""
    text = translations(language()).gettext(message)
    return _format(text, message, params) if params else text


def ngettext(singular: str, plural: str, n: int, /, **params: Any) -> str:
    text = translations(language()).ngettext(singular, plural, n)
    return _format(text, singular if n == 1 else plural, {"n": n, **params}) if params else text


_ = gettext


def N_(message: str, /, **params: Any) -> str:
    """Mark `message` for the catalog only: help texts are translated when help is shown. With
    `params`, a `Message` (English now, translated then), remembered by its text: click keeps
    option help as a plain `str` (it cleans it up), and `help_text()` finds the message again."""
    if not params:
        return message
    made = Message(message, **params)
    _HELP_MESSAGES[str(made)] = made
    return made


_HELP_MESSAGES: dict[str, Message] = {}


def help_text(text: str) -> str:
    """A help text marked with N_() in the interface language."""
    made = text if isinstance(text, Message) else _HELP_MESSAGES.get(text)
    return translate(made) if made is not None else gettext(text)


def translate(value: Any, lang: str | None = None) -> Any:
    """A `Message` (see portraits.messages) in the interface language; anything else as it is."""
    if not isinstance(value, Message):
        return value
    with use(lang) if lang else contextlib.nullcontext():
        if isinstance(value, PluralMessage):
            n = value.params["n"]
            text = translations(language()).ngettext(value.msgid, value.plural, n)
            return _format(text, value.msgid if n == 1 else value.plural, value.params)
        text = translations(language()).gettext(value.msgid)
        return _format(text, value.msgid, value.params) if value.params else text


# Values of the data a person reads inside a sentence or a table (statuses and the like): shown in
# the interface language, stored and printed by `--json` as the English word. A message parameter
# or table column of one of these names is translated when its value is one of them.
VALUES = {
    "draft": N_("draft"), "approved": N_("approved"), "withdrawn": N_("withdrawn"),
    "planned": N_("planned"), "publishing": N_("publishing"), "published": N_("published"),
    "failed": N_("failed"), "unknown": N_("unknown"), "cancelled": N_("cancelled"),
    "face": N_("face"), "manual": N_("manual"), "upper-third": N_("upper-third"),
    "child": N_("child"), "youth": N_("youth"), "adult": N_("adult"), "senior": N_("senior"),
}
VALUE_NAMES = frozenset({"status", "focus_source", "band"})

# Consent scopes and channels as people call them; the ids stay in the store, commands and `--json`.
SCOPE_LABELS = {
    "instagram": N_("Instagram"), "facebook": N_("Facebook"), "whatsapp": N_("WhatsApp"),
    "mastodon": N_("Mastodon"), "bluesky": N_("Bluesky"), "threads": N_("Threads"),
    "billboard": N_("Billboard"), "press": N_("Press"), "website": N_("Website"),
}
# Message parameters and table columns that hold one scope id, or several joined by ", ".
SCOPE_NAMES = frozenset({"scope", "channel"})
SCOPE_LIST_NAMES = frozenset({"scopes", "channels"})
# Message parameters that name a language in prose ("auf Türkisch"); `{lang}` keeps the code for
# command hints such as `--lang {lang}`.
LANGUAGE_NAMES = frozenset({"language"})
# Message parameters and table columns holding a note the store kept as English text (a post's
# reason, a to-do): said in the interface language when a msgid makes that text (`from_english`).
NOTE_NAMES = frozenset({"reason", "note"})


def scope_label(scope: str, lang: str | None = None) -> str:
    """A consent scope's or channel's name in the interface language ("billboard" -> "Plakat");
    an id we have no label for as it is."""
    if scope not in SCOPE_LABELS:
        return scope
    with use(lang) if lang else contextlib.nullcontext():
        return gettext(SCOPE_LABELS[scope])


def language_name(code: str, lang: str | None = None) -> str:
    """A language code as its name in the interface language ("tr" -> "Türkisch"); a code Babel
    does not know as it is."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(lang or language())
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return name or code


def value(name: str, shown: Any) -> Any:
    """A data value (a post's status, a scope, ...) as a person reads it; other values as they are."""
    if name in VALUE_NAMES and isinstance(shown, str) and shown in VALUES:
        return gettext(VALUES[shown])
    if name in SCOPE_NAMES and isinstance(shown, str) and shown in SCOPE_LABELS:
        return scope_label(shown)
    if name in SCOPE_LIST_NAMES and isinstance(shown, (str, list, tuple)):
        items = shown.split(", ") if isinstance(shown, str) else list(shown)
        if items and all(isinstance(i, str) and i in SCOPE_LABELS for i in items):
            return ", ".join(scope_label(i) for i in items)
    if name in LANGUAGE_NAMES and isinstance(shown, str):
        return language_name(shown)
    if name in NOTE_NAMES and isinstance(shown, str):
        return translate(shown if isinstance(shown, Message) else _stored_note(str(shown)))
    return shown


class _Formatter(string.Formatter):
    """`str.format` that writes figures and dates the interface language's way with Babel: a
    message made as `_m("{value:.1f} MP", value=0.5)` reads "0,5 MP" in German, while its English
    text (the store, logs, `--json`, and the English interface) stays "0.5 MP"."""

    def format_field(self, value: Any, format_spec: str) -> str:
        lang = language()
        if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)
                                        and format_spec.startswith(",")):
            spec = re.fullmatch(r",?(?:\.(\d+))?([fg]?)", format_spec)
            if spec and (format_spec or isinstance(value, float)):
                digits = spec.group(1)
                return _figure(value, int(digits) if spec.group(2) == "f" and digits is not None else None, lang)
        if isinstance(value, (date, time)) and format_spec in _DATE_SPECS:
            kind = _DATE_SPECS[format_spec]
            if kind == "time":
                return format_time(value, lang=lang)
            if kind == "date" or not isinstance(value, datetime):
                return format_date(value, lang=lang)
            return format_datetime(value, lang=lang)
        return super().format_field(value, format_spec)


def _figure(value: float, fixed: int | None, lang: str) -> str:
    """A figure the language's way: with `fixed` decimals (rounded as the English text is), else with
    up to three. A German figure from 0 to 999 is written here, a comma for the point, as Babel
    writes it (tests/test_i18n_figures.py): importing Babel's number formatting and its locale data
    costs a cold command ~25 ms, and a billboard export prints only such figures (page and type
    sizes). Everything else goes to Babel."""
    from decimal import Decimal

    number = Decimal(format(value, f".{fixed}f")) if fixed is not None else Decimal(str(value))
    if lang == "de" and number.is_finite() and not number.is_signed() and number < 1000:
        shown = number if fixed is not None else number.quantize(Decimal("0.001"))  # half to even, as Babel
        whole, _point, fraction = f"{shown:f}".partition(".")
        fraction = fraction if fixed is not None else fraction.rstrip("0")
        if shown < 1000:  # 999.9996 rounds to 1.000, which Babel groups
            return whole + ("," + fraction if fraction else "")
    from babel.numbers import format_decimal

    if fixed is not None:
        return format_decimal(number, format="#,##0" + ("." + "0" * fixed if fixed else ""), locale=lang)
    return format_decimal(value, locale=lang)


# The strftime formats of messages (an ISO date in a sentence) and what they show.
_DATE_SPECS = {"%Y-%m-%d": "date", "%d.%m.%Y": "date", "%H:%M": "time",
               "%Y-%m-%d %H:%M": "datetime", "%d.%m.%Y %H:%M": "datetime"}
_FORMATTER = _Formatter()


def _format(text: str, msgid: str, params: dict[str, Any]) -> str:
    params = {k: value(k, translate(v)) for k, v in params.items()}
    try:
        # English says what the store and the log say (the msgid's own formatting); other languages
        # write figures and dates their way
        return text.format(**params) if language() == "en" else _FORMATTER.format(text, **params)
    except (KeyError, IndexError, ValueError, AttributeError):  # a broken translation must not hide the message
        return msgid.format(**params)


@lru_cache(maxsize=4096)
def _stored_note(text: str) -> Any:
    """`from_english` for the notes of a long listing: the same reason on many posts is looked up once."""
    return from_english(text)


def from_english(text: Any) -> Any:
    """Text stored in English (photo warnings kept from intake, older records) as the `Message`
    it was made from, found by its msgid in the catalog, so that it can be shown in the interface
    language; text that no msgid makes is returned as it is."""
    if isinstance(text, Message) or not isinstance(text, str):
        return text
    import ast

    if text in _catalog_ids():
        return Message(text)
    if "; " in text:  # several messages joined (portraits.messages.join)
        parts = [from_english(part) for part in text.split("; ")]
        if all(isinstance(part, Message) for part in parts):
            return join("; ", parts)
    for pattern, msgid, fields in _english_patterns():
        found = pattern.fullmatch(text)
        if not found:
            continue
        params = {}
        try:
            for name, spec, conv in fields:
                raw = found.group(name)
                params[name] = (ast.literal_eval(raw) if conv == "r" else
                                float(raw) if spec.endswith(("f", "g")) else raw)
            made = Message(msgid, **params)
        except (ValueError, SyntaxError, TypeError, KeyError, IndexError):
            continue
        if made == text:  # the message says exactly what was stored
            return made
    return text


@lru_cache(maxsize=1)
def _catalog_ids() -> frozenset[str]:
    try:
        catalog = _gettext.translation("campaign", LOCALE_DIR, languages=["de"])._catalog  # type: ignore[attr-defined]
    except OSError:
        return frozenset()
    return frozenset(k for k in catalog if isinstance(k, str) and k)


@lru_cache(maxsize=1)
def _english_patterns() -> list[tuple[re.Pattern, str, list[tuple[str, str, str | None]]]]:
    """A regular expression for each msgid of the `campaign` domain that has placeholders."""
    patterns = []
    for msgid in _catalog_ids():
        if "{" not in msgid or not re.search(r"[^\W\d_]{2}", re.sub(r"\{[^}]*\}", "", msgid)):
            continue  # no words of its own ("{column} {problem}"): layout, which would match any text
        try:
            parts = list(string.Formatter().parse(msgid))
        except ValueError:
            continue
        regex = ""
        fields: list[tuple[str, str, str | None]] = []
        for literal, name, spec, conv in parts:
            regex += re.escape(literal)
            if name is None:
                continue
            if not name.isidentifier() or name in {f[0] for f in fields}:
                break
            regex += f"(?P<{name}>.+?)"
            fields.append((name, spec or "", conv))
        else:
            if fields:
                patterns.append((re.compile(regex, re.S), msgid, fields))
    # the most specific first: the one with the most fixed text
    return sorted(patterns, key=lambda p: -len(re.sub(r"\{[^}]*\}", "", p[1])))


def format_number(value: float | int | None, lang: str | None = None) -> str:
    """1700 -> "1.700" in German, "1,700" in English."""
    if value is None:
        return ""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=lang or language())


def format_date(value: date | datetime | str | None, format: str = "medium", lang: str | None = None) -> str:
    """24.12.2026 (German "medium"), Dec 24, 2026 (English)."""
    if not value:
        return ""
    from babel.dates import format_date as _format

    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return _format(value, format=format, locale=lang or language())


def format_time(value: datetime | time, lang: str | None = None) -> str:
    """18:30 Uhr in German, 6:30 PM in English."""
    from babel.dates import format_time as _format

    lang = lang or language()
    return _format(value, "HH:mm 'Uhr'" if lang == "de" else "short", locale=lang)


def format_datetime(value: datetime, lang: str | None = None) -> str:
    """24.12.2026, 18:30 Uhr."""
    return f"{format_date(value, lang=lang)}, {format_time(value, lang=lang)}"
