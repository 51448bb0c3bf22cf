"""Jinja2 for what the office may edit or embed: the press release, the gallery, the WhatsApp page.

Built-in templates live in campaign/templates/. A template the office writes itself (campaign.toml
names it) runs in Jinja2's sandbox with no loader that can reach a file: an `include`, `import` or
`extends` would read the store or a backup into the output, so it is refused before anything is
rendered, and the template can format what it is given and nothing more. It is only ever given
public fields (first names, never a surname). HTML is autoescaped; Markdown output has the HTML in
its values escaped (`markdown=True`), as a newsroom pastes it into a CMS that renders HTML.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from campaign.workspace.i18n import format_date, format_number
from portraits.errors import CampaignError
from portraits.messages import _m

BUILT_IN = Path(__file__).parent.parent / "templates"
OWN_TEMPLATE_BYTES = 256 * 1024  # far more than a press release template needs
# Tags that read another template, i.e. a file: what the sandbox's loader would be asked for.
_READS_A_FILE = {"Include": "include", "Import": "import", "FromImport": "import", "Extends": "extends"}
# Markdown turns `<` into raw HTML or an autolink, `[..](..)` into a link, `&name;` into a character.
_MARKDOWN_SPECIAL = re.compile(r"[\\<>\[\]]|&(?=#?\w+;)")


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


def markdown_text(value: Any) -> Any:
    """A value as literal text in Markdown: no raw HTML (`<script>`), autolink, link or entity."""
    if not isinstance(value, str):
        return value
    swap = {"\\": "\\\\", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "&": "&amp;"}
    return _MARKDOWN_SPECIAL.sub(lambda m: swap[m.group(0)], str(value))


def own_source(own: Path) -> str:
    """The text of the office's own template: UTF-8 text of a sane size, or a clear refusal."""
    try:
        data = own.read_bytes()
    except OSError as e:
        raise CampaignError(_m("The template {where} cannot be read ({error}).", where=own, error=e.strerror),
                            _m("Fix [press] template in campaign.toml, or leave it empty for the built-in one.")
                            ) from None
    if len(data) > OWN_TEMPLATE_BYTES:
        raise CampaignError(_m("The template {where} is {size} bytes; a template may have {limit}.", where=own,
                               size=len(data), limit=OWN_TEMPLATE_BYTES),
                            _m("Name your template file (a text file ending in .j2) in campaign.toml."))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CampaignError(_m("The template {where} is not a text file in UTF-8.", where=own),
                            _m("Name your template file (a text file ending in .j2) in campaign.toml, saved "
                               "as UTF-8.")) from None


def _refuse_other_files(env, source: str, own: Path) -> None:
    """An include, import or extends names a file to read: refused before anything is rendered."""
    from jinja2 import nodes

    for node in env.parse(source).find_all(tuple(getattr(nodes, kind) for kind in _READS_A_FILE)):
        raise CampaignError(_m("The template {where} (line {line}) uses {{% {tag} %}}: a template may not read "
                               "other files.", where=own, line=node.lineno, tag=_READS_A_FILE[type(node).__name__]),
                            _m("Write everything into this one template; it can use only the fields listed in "
                               "README."))


def check_own(own: Path) -> None:
    """Refuse the office's template now (unreadable, not UTF-8, a syntax error, reading other files)
    rather than after a long run has made everything else."""
    render("", {}, own, only_check=True)


def render(name: str, context: dict[str, Any], own: Path | None = None, lang: str | None = None,
           markdown: bool = False, only_check: bool = False) -> str:
    """Render the built-in template `name`, or the office's own file `own` in the sandbox. Public
    pages follow the campaign's language (`lang`, else the context's), never the interface's: the
    filters `date` and `number` format in it; `german_date`/`german_number` always in German.
    `markdown`: every printed value is Markdown-escaped (the output is a .md file)."""
    from jinja2 import BaseLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    options = dict(undefined=StrictUndefined, keep_trailing_newline=True,
                   autoescape=select_autoescape(("html", "htm", "html.j2"), default_for_string=False, default=False))
    if markdown:
        options["finalize"] = markdown_text
    where = own or BUILT_IN / name
    try:
        if own:
            # BaseLoader finds no template at all: nothing the office writes can reach a file.
            env = SandboxedEnvironment(loader=BaseLoader(), **options)
            source = own_source(own)
            _refuse_other_files(env, source, own)
            if only_check:
                return ""
        else:
            env = Environment(loader=FileSystemLoader(str(BUILT_IN)), **options)
        _filters(env, lang or context.get("lang") or "de")
        template = env.from_string(source) if own else env.get_template(name)
        return template.render(**context)
    except TemplateError as e:
        line = f" (line {e.lineno})" if getattr(e, "lineno", None) else ""
        raise CampaignError(_m("The template {where}{line} cannot be used: {message_}.", where=where,
                               line=line, message_=e.message),
                            _m("Fix the template (fields it may use are listed in README), or remove it from "
                               "campaign.toml to use the built-in one.")) from None


def _filters(env, lang: str) -> None:
    env.filters.update(german_date=german_date, german_number=german_number, isolate_hashtags=isolate_hashtags,
                       hyphenate=hyphenate,
                       date=lambda value, format="medium": format_date(value, format, lang=lang),
                       number=lambda value: format_number(value, lang=lang))
