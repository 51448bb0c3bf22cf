"""The checks of campaign.toml's values, one per kind of value (campaign/workspace/config.py uses them).

Each takes what the file says and returns it (or raises ValueError saying what is wrong and how to
write it). They import only what a check needs, and nothing heavy to check a short string such as
"mon-sat" or "#E30613": a full check of a changed file should not cost a quick command an image
library's or the posting plan's import.
"""
from __future__ import annotations

import re
import string
from typing import Any

from portraits.errors import CampaignError
from portraits.identity import DIRECTION_CONTROLS
from schedules.channel_settings import plain_text
from schedules.weekdays import parse_days

CAPTION_FIELDS = ("first_name", "age", "role", "quote", "hashtag", "credit")
MAX_TEMPLATE = 1000
HEX_COLOUR = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
SECRET_KEY = re.compile(r"pass(word|wd)?$|^pass|secret|token|api[\W_]*key|session|credential|private[\W_]*key",
                        re.IGNORECASE)


def check_hashtag(value: str) -> str:
    value = plain_text(value, "the hashtag", 100)
    if not value.startswith("#"):
        value = "#" + value
    if not re.fullmatch(r"#\w+", value):
        raise ValueError(f"{value!r} is not one hashtag: use letters, digits and _ after one #")
    return value


def check_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not a timezone: use a name like Europe/Berlin") from None
    return value


def check_lang(value: str) -> str:
    if not re.fullmatch(r"[a-z]{2,3}", value):
        raise ValueError(f"{value!r} is not a language code: use one like de, tr, ar")
    return value


def check_ui_lang(value: str) -> str:
    if value not in ("", "de", "en"):
        raise ValueError(f"{value!r} is not an interface language: use \"de\" or \"en\" (or \"\" to follow the system)")
    return value


def check_colour(value: str) -> str:
    """#RGB and #RRGGBB without Pillow; anything else (a name, rgb(...)) as Pillow reads it when drawing."""
    if HEX_COLOUR.fullmatch(value):
        return value
    from PIL import ImageColor

    try:
        ImageColor.getrgb(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a colour: write it as #RRGGBB, e.g. #E30613") from None
    return value


def check_days(value: str) -> str:
    try:
        parse_days(value)
    except CampaignError:
        raise ValueError(f"{value!r} are not weekdays: write them like mon-sat or mon,wed,fri") from None
    return value


def check_clock(value: str) -> str:
    from portraits.dates import parse_clock

    try:
        parse_clock(value)
    except CampaignError:
        raise ValueError(f"{value!r} is not a time of day: write it as HH:MM, e.g. 18:30") from None
    return value


def check_billboard_format(value: str) -> str:
    from portraits.poster import parse_format  # the one parser of billboard formats

    try:
        parse_format(value)
    except CampaignError:
        raise ValueError(f"{value!r} is not a billboard format: use 18/1, city-light or WIDTHxHEIGHTcm") from None
    return value


def check_scale(value: str) -> str:
    from portraits.poster import parse_scale

    try:
        parse_scale(value)
    except CampaignError:
        raise ValueError(f"{value!r} is not a scale: use \"1:10\" or \"1:1\"") from None
    return value


def check_approval(value: str) -> str:
    from schedules.approval import RULES

    if value not in RULES:
        raise ValueError(f"{value!r} is not an approval rule: use {', '.join(repr(r) for r in RULES)}")
    return value


def check_condition(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9 _.-]{2,40}", value):
        raise ValueError(f"{value!r} is not a printing condition: use a registered name such as FOGRA39 or FOGRA51")
    return value


def check_country(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError(f"{value!r} is not a country code: use two capitals, e.g. DE")
    return value


def check_region(value: str) -> str:
    if not re.fullmatch(r"[A-Z0-9]{0,3}", value):
        raise ValueError(f"{value!r} is not a region code: e.g. NW, BY or \"\"")
    return value


def check_combination(value: str) -> str:
    if value not in ("median", "sum"):
        raise ValueError(f"{value!r} is not a way to combine channels: use \"median\" or \"sum\"")
    return value


def check_template(template: str, lang: str = "") -> str:
    """A caption template may use only the public fields, each at most plainly formatted."""
    if len(template) > MAX_TEMPLATE:
        raise ValueError(f"the template is longer than {MAX_TEMPLATE} characters")
    if any(ch in DIRECTION_CONTROLS for ch in template):
        raise ValueError("the template holds a direction control character (U+202A-202E, U+2066-2069) that "
                         "would turn the caption around; type it again as plain text")
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as e:
        raise ValueError(f"the template is not a valid template ({e}); write fields as {{first_name}}") from None
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in CAPTION_FIELDS:
            raise ValueError(f"the template uses {{{name}}}, which is not a caption field; use only "
                             + " ".join("{" + f + "}" for f in CAPTION_FIELDS))
        if spec or conversion:
            raise ValueError(f"the template formats {{{name}}} ({spec or conversion!r}); write the field plainly")
    return template


def check_date_text(value: str) -> str:
    from portraits.dates import parse_date

    value = plain_text(value, "the date", 40, True)
    if value:
        try:
            parse_date(value, "date")
        except CampaignError:
            raise ValueError(f"{value!r} is not a date: write it as 2026-03-20 or 20.03.2026") from None
    return value


def check_link(value: str) -> str:
    if value and not re.fullmatch(r"https?://[^\s<>\"'\\]+", value):
        raise ValueError(f"{value!r} is not a web address: write it like https://www.duisburg.de/solidarisch")
    return value


def check_langs(value: list[str]) -> list[str]:
    for lang in value:
        check_lang(lang)
    return list(dict.fromkeys(value))


def check_message_lines(value: dict[str, str]) -> dict[str, str]:
    for lang, text in value.items():
        check_lang(lang)
        try:
            plain_text(text, f"the {lang} line", 300)
        except ValueError as e:
            raise ValueError(f"[whatsapp] lines: {e}") from None
    return value


def check_widths(value: list[int]) -> list[int]:
    if not value or any(not 120 <= w <= 4000 for w in value):
        raise ValueError(f"{value!r} are not image widths: give a few pixel widths from 120 to 4000, "
                         "e.g. [360, 720, 1080]")
    return sorted(set(value))


def check_captions(value: dict[str, str], defaults: dict[str, str]) -> dict[str, str]:
    """The file's templates over the defaults: a language the file does not name keeps its default."""
    for lang, template in value.items():
        check_lang(lang)
        try:
            check_template(template, lang)
        except ValueError as e:
            raise ValueError(f"[captions] {lang}: {e}") from None
    return {**defaults, **value}


def find_secrets(data: Any, path: str = "") -> list[str]:
    """Keys that look like secrets (token, password, api key, ...) at any depth, in any spelling."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if SECRET_KEY.search(str(key).replace("-", "_")):
                found.append(where)
            found.extend(find_secrets(value, where))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.extend(find_secrets(value, f"{path}[{i}]"))
    return found

