"""Jinja2 for what the office may edit or embed: the press release, the gallery, the WhatsApp page.

Built-in templates live in campaign/templates/. A template the office writes itself (campaign.toml
names it) runs in Jinja2's sandbox, so a template can format what it is given and nothing more; it
is only ever given public fields (first names, never a surname). HTML is autoescaped.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from portraits.errors import CampaignError
from portraits.messages import _m

BUILT_IN = Path(__file__).parent / "templates"


def german_date(value: date | datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value:%d.%m.%Y}"


def german_number(value: float | int | None) -> str:
    """1700 -> "1.700" (German thousands), 2.5 -> "2,5"."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def render(name: str, context: dict[str, Any], own: Path | None = None) -> str:
    """Render the built-in template `name`, or the office's own file `own` in the sandbox."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    folder, template = (own.parent, own.name) if own else (BUILT_IN, name)
    cls = SandboxedEnvironment if own else Environment
    env = cls(loader=FileSystemLoader(str(folder)), undefined=StrictUndefined, keep_trailing_newline=True,
              autoescape=select_autoescape(("html", "htm", "html.j2"), default_for_string=False, default=False))
    env.filters.update(german_date=german_date, german_number=german_number)
    try:
        return env.get_template(template).render(**context)
    except TemplateError as e:
        where = own or BUILT_IN / name
        line = f" (line {e.lineno})" if getattr(e, "lineno", None) else ""
        raise CampaignError(_m("The template {where}{line} cannot be used: {message_}.", where=where, line=line, message_=e.message),
                            _m("Fix the template (fields it may use are listed in README), or remove it from "
                               "campaign.toml to use the built-in one.")) from None
