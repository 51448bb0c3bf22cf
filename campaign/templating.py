"""Jinja2 for what the office may edit or embed: the press release, the gallery, the WhatsApp page.

Built-in templates live in campaign/templates/. A template the office writes itself (campaign.toml
names it) runs in Jinja2's sandbox, so a template can format what it is given and nothing more; it
is only ever given public fields (first names, never a surname). HTML is autoescaped.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from campaign.i18n import format_date, format_number
from portraits.errors import CampaignError
from portraits.messages import _m

BUILT_IN = Path(__file__).parent / "templates"


def german_date(value: date | datetime | str | None) -> str:
    """24.12.2026: Babel's German date, whatever the interface language (the text around it is German)."""
    return format_date(value, "medium", lang="de")


def german_number(value: float | int | None) -> str:
    """1700 -> "1.700", 2.5 -> "2,5": Babel's German figures, at most one decimal."""
    return format_number(round(value, 1) if isinstance(value, float) else value, lang="de")


HASHTAG = r"(?<!\w)#\w+"


def isolate_hashtags(text: str | None):
    """The text HTML-escaped, each hashtag in its own <bdi>: in a right-to-left paragraph a Latin
    hashtag would otherwise show its "#" at the wrong end ("duisburgistechtsolidarisch#")."""
    import re

    from markupsafe import Markup, escape

    parts = re.split(f"({HASHTAG})", text or "")
    return Markup("").join(Markup("<bdi>{}</bdi>").format(part) if i % 2 else escape(part)
                           for i, part in enumerate(parts))


def hyphenate(text: str | None, lang: str | None = None) -> str:
    """Soft hyphens at the syllable breaks of long words (pyphen, the text's language): a card a
    long German word would burst breaks it where a typesetter would."""
    from portraits.textfit import soft_hyphenated

    return soft_hyphenated(text or "", lang)


def render(name: str, context: dict[str, Any], own: Path | None = None, lang: str | None = None) -> str:
    """Render the built-in template `name`, or the office's own file `own` in the sandbox. Public
    pages follow the campaign's language (`lang`, else the context's), never the interface's: the
    filters `date` and `number` format in it; `german_date`/`german_number` always in German."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    folder, template = (own.parent, own.name) if own else (BUILT_IN, name)
    cls = SandboxedEnvironment if own else Environment
    env = cls(loader=FileSystemLoader(str(folder)), undefined=StrictUndefined, keep_trailing_newline=True,
              autoescape=select_autoescape(("html", "htm", "html.j2"), default_for_string=False, default=False))
    lang = lang or context.get("lang") or "de"
    env.filters.update(german_date=german_date, german_number=german_number, isolate_hashtags=isolate_hashtags,
                       hyphenate=hyphenate,
                       date=lambda value, format="medium": format_date(value, format, lang=lang),
                       number=lambda value: format_number(value, lang=lang))
    try:
        return env.get_template(template).render(**context)
    except TemplateError as e:
        where = own or BUILT_IN / name
        line = f" (line {e.lineno})" if getattr(e, "lineno", None) else ""
        raise CampaignError(_m("The template {where}{line} cannot be used: {message_}.", where=where,
                               line=line, message_=e.message),
                            _m("Fix the template (fields it may use are listed in README), or remove it from "
                               "campaign.toml to use the built-in one.")) from None
