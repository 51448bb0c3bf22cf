"""Captions and alt text for a post, from the campaign's template, first name only.

The template can only use the fields below; the surname is never among them. Each channel's
limits (its description in schedules/channel.py) are checked before a post is planned or sent.
A template line that holds {credit} is left out when the portrait has no photo credit (neither its
own nor the campaign's `[brand] credit`). Right-to-left languages (Babel's CLDR data says which)
get a right-to-left mark at the start of every line, so that a line opening with a Latin first
name or a hashtag still reads from the right, as the platforms lay out each paragraph on its own.
"""
from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

from portraits import fields
from portraits.errors import CampaignError
from portraits.messages import _m, _mn
from portraits.model import Portrait
from schedules.channel import CAROUSEL_MAX, channel_spec

if TYPE_CHECKING:
    from babel import Locale

FIELDS = ("first_name", "age", "role", "quote", "hashtag", "credit")
# How alt text names the photo and the quote, per language; {quote} comes in the language's own marks.
ALT = {
    "de": "Foto von {first_name}, {age}, {role}. Zitat: {quote}",
    "en": "Photo of {first_name}, {age}, {role}. Quote: {quote}",
    "tr": "Fotoğraf: {first_name}, {age}, {role}. Alıntı: {quote}",
    "ar": "صورة {first_name}، {age}، {role}. اقتباس: {quote}",
    "uk": "Фото: {first_name}, {age}, {role}. Цитата: {quote}",
    "ru": "Фото: {first_name}, {age}, {role}. Цитата: {quote}",
    "pl": "Zdjęcie: {first_name}, {age}, {role}. Cytat: {quote}",
    "ro": "Fotografie: {first_name}, {age}, {role}. Citat: {quote}",
    "bg": "Снимка: {first_name}, {age}, {role}. Цитат: {quote}",
    "it": "Foto di {first_name}, {age}, {role}. Citazione: {quote}",
    "el": "Φωτογραφία: {first_name}, {age}, {role}. Παράθεση: {quote}",
    "fa": "عکس {first_name}، {age}، {role}. نقل\u200cقول: {quote}",
    "ku": "Wêne: {first_name}, {age}, {role}. Gotin: {quote}",
    "sq": "Foto: {first_name}, {age}, {role}. Citim: {quote}",
}
HASHTAG = re.compile(r"(?<!\w)#\w+")
RLM = "\u200f"


class _Brand(Protocol):
    @property
    def credit(self) -> str: ...


class CaptionSettings(Protocol):
    """What captions read of the campaign's settings (campaign.workspace.config.Settings, a floor above)."""
    @property
    def captions(self) -> Mapping[str, str]: ...
    @property
    def hashtag(self) -> str: ...
    @property
    def brand(self) -> _Brand: ...
    def channel(self, name: str) -> Any: ...


class CaptionFields(TypedDict):
    """What a caption template may use: first name only, never the surname."""
    first_name: str
    age: int
    role: str
    quote: str
    hashtag: str
    credit: str


@cache
def _locale(lang: str) -> Locale | None:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return None


def is_rtl(lang: str) -> bool:
    locale = _locale(lang)
    return bool(locale and locale.text_direction == "rtl")


def language_name(lang: str) -> str:
    """The language's name in itself ("Türkçe", "العربية"), as its readers look for it."""
    locale = _locale(lang)
    name = (locale.get_display_name(lang) if locale else None) or lang
    return name[:1].upper() + name[1:]


def languages_of(portrait: Portrait) -> list[str]:
    """Every language the portrait has a quote in: its own first, then its translations."""
    return [portrait["lang"], *sorted(t for t in (portrait.get("translations") or {}) if t != portrait["lang"])]


def has_quote(portrait: Portrait, lang: str) -> bool:
    return lang in languages_of(portrait)


def carousel_languages(portrait: Portrait, lead: str) -> list[str]:
    """The images of a multilingual carousel: the lead language first, then the others."""
    return [lead, *(lang for lang in languages_of(portrait) if lang != lead)]


def template(config: CaptionSettings, lang: str) -> str:
    """The caption template of `lang` (campaign.toml [captions] over the defaults); never another's."""
    found = config.captions.get(lang)
    if not found:
        raise CampaignError(_m("There is no caption template for {language}.", language=lang),
                            _m("Add `{lang} = \"...\"` under [captions] in campaign.toml (languages with "
                               "one: {captions}).", lang=lang, captions=', '.join(config.captions)))
    names = {f for _, f, _, _ in string.Formatter().parse(found) if f}
    unknown = names - set(FIELDS)
    if unknown:
        raise CampaignError(_mn("The {lang} caption template uses an unknown field {unknown}.",
                                "The {lang} caption template uses unknown fields {unknown}.", len(unknown), lang=lang,
                                unknown=", ".join(sorted(unknown))),
                            _m("Use only {value} in campaign.toml.", value=', '.join('{' + f + '}' for f in FIELDS)))
    return found


def check_language(portrait: Portrait, lang: str, config: CaptionSettings) -> None:
    """A post in `lang` needs the portrait's quote in it and a caption template for it."""
    if not has_quote(portrait, lang):
        raise CampaignError(_m("{id} has no quote in {lang} (it has {portrait}).", id=portrait['id'],
                               lang=lang, portrait=', '.join(languages_of(portrait))),
                            _m("Add one first: campaign portrait translate {id} --lang {lang} --quote TEXT.",
                               id=portrait['id'], lang=lang))
    template(config, lang)


def credit_of(portrait: Portrait, config: CaptionSettings) -> str:
    """The portrait's own photo credit, else the campaign's default; "" means no credit line."""
    return portrait.get("credit") or config.brand.credit


def fields_for(portrait: Portrait, lang: str | None, config: CaptionSettings) -> CaptionFields:
    text = fields.text_in(dict(portrait), lang)
    return {"first_name": portrait["first_name"], "age": portrait["age"], "role": text["role"],
            "quote": text["quote"], "hashtag": config.hashtag, "credit": credit_of(portrait, config)}


def _lines(text: str, lang: str) -> str:
    if not is_rtl(lang):
        return text
    return "\n".join(RLM + line if line else line for line in text.split("\n"))


def _fill(pattern: str, fields: CaptionFields, lang: str) -> str:
    if not fields["credit"]:
        pattern = "\n".join(line for line in pattern.split("\n") if "{credit}" not in line)
    return _lines(pattern.format(**fields).strip("\n"), lang)


def with_channel_tags(text: str, config: CaptionSettings, channel: str) -> str:
    """The caption with the channel's own hashtag set on a last line (those it does not hold yet)."""
    tags = [t for t in getattr(config.channel(channel), "hashtags", ()) or ()
            if t.casefold() not in {found.casefold() for found in HASHTAG.findall(text)}]
    return f"{text}\n{' '.join(tags)}" if tags else text


# A hashtag this long in one case is several words run together: a screen reader reads it as one
# word ("#duisburgistechtsolidarisch"), while "#DuisburgIstEchtSolidarisch" is read word by word.
CAMEL_CASE_FROM = 12


def camel_case_warnings(config: CaptionSettings, channel: str) -> list[str]:
    """The hashtags a channel's posts carry (the campaign's and the channel's own) that look like
    several words not written in CamelCase."""
    tags = [config.hashtag, *getattr(config.channel(channel), "hashtags", ())]
    return [_m("{tag} is several words in one case: a screen reader reads it as one word. Write each word "
               "with a capital (like #DuisburgIstEchtSolidarisch).", tag=tag)
            for tag in dict.fromkeys(tags) if _run_together(tag)]


def _run_together(tag: str) -> bool:
    letters = [ch for ch in tag[1:] if ch.isalpha()]
    word = "".join(letters)
    return len(letters) >= CAMEL_CASE_FROM and (word.islower() or word.isupper())


def caption(portrait: Portrait, lang: str | None, config: CaptionSettings, channel: str = "instagram") -> str:
    """The caption of a one-language post. `config` is the campaign's settings (campaign.workspace.config.Settings)."""
    lang = lang or portrait["lang"]
    text = with_channel_tags(_fill(template(config, lang), fields_for(portrait, lang, config), lang), config, channel)
    check_limits(text, channel)
    return text


def carousel_caption(portrait: Portrait, langs: list[str], config: CaptionSettings, channel: str = "instagram") -> str:
    """The lead language's caption, then the quote in each further language under its own name."""
    from portraits.render import typographic

    lead, others = langs[0], langs[1:]
    text = _fill(template(config, lead), fields_for(portrait, lead, config), lead)
    lines = [_lines(f"{language_name(lang)}: {typographic(fields.text_in(dict(portrait), lang)['quote'], lang)}", lang)
             for lang in others]
    text = with_channel_tags("\n\n".join([text, "\n".join(lines)]) if lines else text, config, channel)
    check_limits(text, channel)
    return text


def for_post(portrait: Portrait, channel: str, fmt: str, langs: list[str], config: CaptionSettings) -> str:
    """What the post says beside its image(s): stories show no caption."""
    if fmt == "story":
        return ""
    if fmt == "carousel":
        if len(langs) < 2:
            raise CampaignError(_m("{id} has a quote in {langs} only; a carousel needs two languages.",
                                   id=portrait['id'], langs=langs[0]),
                                _m("Add a translation (campaign portrait translate {id} ...), or plan a feed "
                                   "post.", id=portrait['id']))
        most = min(CAROUSEL_MAX, channel_spec(channel).images_max)  # Mastodon and Bluesky take 4
        if len(langs) > most:
            raise CampaignError(_m("{id} has {count} languages; a carousel takes {carousel_max} images.",
                                   id=portrait['id'], count=len(langs), carousel_max=most),
                                _m("Plan separate posts per language instead (--lang)."))
        return carousel_caption(portrait, langs, config, channel)
    return caption(portrait, langs[0], config, channel)


def graphemes(text: str) -> int:
    """How many characters a reader sees (grapheme clusters, as Bluesky counts): a letter with its
    combining marks (Arabic vowel signs, a decomposed umlaut) is one; joiners, variation selectors and
    skin-tone modifiers join the character before; a pair of regional indicators is one flag."""
    count, joined, flag_open = 0, False, False
    for ch in text:
        code = ord(ch)
        if joined:
            joined = False
            continue
        if ch == "\u200d":
            joined = True
            continue
        if unicodedata.category(ch) in ("Mn", "Me", "Mc") or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF:
            continue
        if 0x1F1E6 <= code <= 0x1F1FF:
            flag_open = not flag_open
            if not flag_open:
                continue
        else:
            flag_open = False
        count += 1
    return count


def check_limits(text: str, channel: str) -> None:
    spec = channel_spec(channel)
    length = graphemes(text) if spec.counts_graphemes else len(text)
    if length > spec.caption_chars:
        raise CampaignError(_m("The caption is {count} characters; {label} allows {caption_chars}.",
                               count=length, label=spec.label, caption_chars=spec.caption_chars),
                            _m("Shorten the quote or the caption template."))
    tags = HASHTAG.findall(text)
    if len(tags) > spec.hashtags:
        raise CampaignError(_m("The caption has {count} hashtags; {label} allows {hashtags}.", count=len(tags),
                               label=spec.label, hashtags=spec.hashtags),
                            _m("Use fewer hashtags in the template or the quote."))


def alt_text(portrait: Portrait, lang: str | None, config: CaptionSettings) -> str:
    """What a screen reader says for the image, in the image's language (English wording where we
    have none for it, with the quote still in its own language)."""
    from portraits.render import typographic

    lang = lang or portrait["lang"]
    fields = fields_for(portrait, lang, config)
    return ALT.get(lang, ALT["en"]).format(**{**fields, "quote": typographic(fields["quote"], lang)})


def photo_alt(portrait: Portrait, lang: str | None, config: CaptionSettings) -> str:
    """What the photo shows, without the quote ("Foto von Brigitte, 81, Rentnerin"): for pages that
    set the quote as text next to the image, so a screen reader does not read it twice."""
    lang = lang or portrait["lang"]
    pattern = ALT.get(lang, ALT["en"]).split(". ", 1)[0]
    return pattern.format(**fields_for(portrait, lang, config))
