"""Small helpers every blueprint uses: the interface language, our messages as flashes, formatting."""
from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache

from flask import current_app, flash

from campaign.workspace import i18n
from portraits.errors import CampaignError
from portraits.messages import from_stored


def lang() -> str:
    return current_app.extensions["campaign.lang"]


def _(message: str, **params) -> str:
    """A message of the web app in the interface language (extracted like the CLI's `_`)."""
    text = i18n.translations(lang()).gettext(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, **params) -> str:
    text = i18n.translations(lang()).ngettext(singular, plural, n)
    return text.format(n=n, **params)


def said(value) -> str:
    """A library message (English with its msgid) in the interface language."""
    return i18n.translate(value, lang())


def done(message: str) -> None:
    flash(message, "ok")


def failed(e: CampaignError) -> None:
    flash(said(e.message) + (" " + said(e.hint) if e.hint else ""), "error")


def install_filters(app) -> None:
    chosen = app.extensions["campaign.lang"]
    ws = app.extensions["campaign.workspace"]

    def local(value):
        return datetime.fromisoformat(value).astimezone(ws.tz) if isinstance(value, str) else value

    app.jinja_env.filters["tr"] = lambda v: i18n.translate(v, chosen)
    app.jinja_env.filters["english"] = lambda v: i18n.translate(i18n.from_english(from_stored(v)), chosen)
    def value(v, name):
        if name in i18n.VALUE_NAMES and isinstance(v, str) and v in i18n.VALUES:
            return i18n.translations(chosen).gettext(i18n.VALUES[v])
        return v

    app.jinja_env.filters["value"] = value
    app.jinja_env.filters["day"] = lambda v: i18n.format_date(local(v) if isinstance(v, str) and "T" in v else v,
                                                              "full", lang=chosen)
    @lru_cache(maxsize=4096)
    def day_text(day: date, form: str) -> str:
        return i18n.format_date(day, form, lang=chosen)

    @lru_cache(maxsize=2048)
    def clock_text(at: time) -> str:
        return i18n.format_time(at, lang=chosen)

    # Babel takes ~0.3 ms a call and Heute shows hundreds of times: each day and clock time once.
    app.jinja_env.filters["shortday"] = lambda v: day_text(date.fromisoformat(v[:10]) if isinstance(v, str) else v,
                                                           "medium") if v else ""
    app.jinja_env.filters["clock"] = lambda v: clock_text(local(v).time())
    app.jinja_env.filters["when"] = lambda v: f"{day_text(local(v).date(), 'medium')}, {clock_text(local(v).time())}"
    app.jinja_env.filters["germandate"] = lambda v: (date.fromisoformat(v) if isinstance(v, str) else v).strftime(
        "%d.%m.%Y") if v else ""
