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
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from portraits.messages import Message

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAINS = ("campaign", "report")
# Click's own texts ("Usage:", "Missing option"), translated by hand in a catalog of their own;
# looked up last, after our domains.
CLICK_DOMAIN = "click"
LANGUAGES = ("de", "en")
DEFAULT = "de"

_current: list[str] = [DEFAULT]


@lru_cache(maxsize=None)
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
        text = translations(language()).gettext(value.msgid)
        return _format(text, value.msgid, value.params) if value.params else text


def _format(text: str, msgid: str, params: dict[str, Any]) -> str:
    params = {k: translate(v) for k, v in params.items()}
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):  # a broken translation must not hide the message
        return msgid.format(**params)


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
