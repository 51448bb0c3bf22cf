"""Captions and alt text for a post, from the campaign's template, first name only.

The template can only use the fields below; the surname is never among them. Each channel's
limits (its description in schedules/channel.py) are checked before a post is planned or sent.
"""
from __future__ import annotations

import re
import string

from portraits import records
from portraits.errors import CampaignError
from schedules.channel import channel_spec

FIELDS = ("first_name", "age", "role", "quote", "hashtag", "credit")
ALT = {
    "de": "Foto von {first_name}, {age}, {role}. Zitat: {quote}",
    "en": "Photo of {first_name}, {age}, {role}. Quote: {quote}",
    "tr": "{first_name}, {age}, {role} fotoğrafı. Alıntı: {quote}",
    "uk": "Фото: {first_name}, {age}, {role}. Цитата: {quote}",
    "ru": "Фото: {first_name}, {age}, {role}. Цитата: {quote}",
    "ar": "صورة {first_name}، {age}، {role}. اقتباس: {quote}",
}
HASHTAG = re.compile(r"(?<!\w)#\w+")


def _template(config, lang: str) -> str:
    captions = config.captions
    template = captions.get(lang) or captions.get(config.language) or captions.get("de")
    if not template:
        raise CampaignError(f"No caption template for {lang}.", f"Add `{lang} = \"...\"` under [captions] in campaign.toml.")
    names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    unknown = names - set(FIELDS)
    if unknown:
        raise CampaignError(f"The {lang} caption template uses unknown field(s) {', '.join(sorted(unknown))}.",
                            f"Use only {', '.join('{' + f + '}' for f in FIELDS)} in campaign.toml.")
    return template


def fields_for(portrait: dict, lang: str | None, config) -> dict:
    text = records.text_in(portrait, lang)
    return {"first_name": portrait["first_name"], "age": portrait["age"], "role": text["role"],
            "quote": text["quote"], "hashtag": config.hashtag,
            "credit": portrait.get("credit") or config.name}


def caption(portrait: dict, lang: str | None, config, channel: str = "instagram") -> str:
    """`config` is the campaign's settings (campaign.config.Settings): captions, language, hashtag, name."""
    lang = lang or portrait.get("lang") or config.language
    text = _template(config, lang).format(**fields_for(portrait, lang, config))
    check_limits(text, channel)
    return text


def check_limits(text: str, channel: str) -> None:
    spec = channel_spec(channel)
    if len(text) > spec.caption_chars:
        raise CampaignError(f"The caption is {len(text)} characters; {spec.label} allows {spec.caption_chars}.",
                            "Shorten the quote or the caption template.")
    tags = HASHTAG.findall(text)
    if len(tags) > spec.hashtags:
        raise CampaignError(f"The caption has {len(tags)} hashtags; {spec.label} allows {spec.hashtags}.",
                            "Use fewer hashtags in the template or the quote.")


def alt_text(portrait: dict, lang: str | None, config) -> str:
    lang = lang or portrait.get("lang") or "de"
    from portraits.render import typographic

    pattern = ALT.get(lang, ALT["en"])
    fields = fields_for(portrait, lang, config)
    return pattern.format(**{**fields, "quote": typographic(fields["quote"], lang)})
