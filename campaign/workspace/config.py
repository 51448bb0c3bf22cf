"""campaign.toml: the campaign's settings, read into one typed model with one set of defaults.

Every key has its default and its check here, and nowhere else: a wrong value or type is one clean
error that names the key and says what is allowed, before any command does anything. The commented
file `campaign init` writes is made from the same model (each field's description is its comment).

The file never holds secrets: passwords and tokens come from the environment only. A key that
looks like a secret, at any depth and in any spelling, is refused, so a secret pasted there cannot
end up in a backup or a report. Nor can the file say where tokens are sent: the Graph API address
is fixed in the code (tests use CAMPAIGN_GRAPH_URL, honoured for this machine only).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Union
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from campaign.workspace.settings_checks import (
    check_approval,
    check_billboard_format,
    check_captions,
    check_clock,
    check_colour,
    check_combination,
    check_condition,
    check_country,
    check_date_text,
    check_days,
    check_hashtag,
    check_lang,
    check_langs,
    check_link,
    check_message_lines,
    check_region,
    check_scale,
    check_timezone,
    check_ui_lang,
    check_widths,
    find_secrets,
)
from portraits.errors import CampaignError
from portraits.messages import _m
from schedules.channel import CHANNELS, PUBLISHERS, settings_model
from schedules.channel_settings import check, plain_text

CONFIG_NAME = "campaign.toml"


Colour = Annotated[str, check(check_colour)]


class Section(BaseModel):
    """Strict: TOML has real numbers and booleans, so "six" or "yes" is a mistake, not a value."""
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class BrandSettings(Section):
    """[brand]: the colours, logo, font and credit line the renders are made with (portraits.render.Brand
    is what a render gets of them)."""
    primary: Colour = Field("#E30613", description="colour of the band with name and quote")
    secondary: Colour = Field("#1D1D1B", description="second colour (stripe, contact sheet)")
    text: Colour = Field("#FFFFFF", description="text colour on the band")
    logo: str = Field("", description='path to a PNG logo, relative to this folder ("" = none)')
    font: str = Field("", description='path to a .ttf/.otf to use instead of Noto Sans ("" = Noto)')
    credit_prefix: Annotated[str, check(lambda v: plain_text(v, "credit_prefix", 40, True) and v)] = \
        Field("Foto: ", description="put before the photo credit on images")
    credit: Annotated[str, check(lambda v: plain_text(v, "credit", 80, True))] = \
        Field("", description='photo credit for portraits without their own --credit ("" = no credit line)')
    owner: Annotated[str, check(lambda v: plain_text(v, "owner", 120, True))] = \
        Field("", description='who runs the campaign and holds the rights to its images, e.g. "Stadt Duisburg" '
                              '(the press kit\'s copyright; "" = the campaign name)')


class Posting(Section):
    days: Annotated[str, check(check_days)] = Field(
        "mon-sat", description='posting days, e.g. "mon-fri" or "mon,wed,fri"')
    time: Annotated[str, check(check_clock)] = Field("18:30", description="local time in the campaign's timezone")
    holidays_country: Annotated[str, check(check_country)] = \
        Field("DE", description="public holidays are skipped (python-holidays codes)")
    holidays_subdivision: Annotated[str, check(check_region)] = \
        Field("NW", description='region for holidays, e.g. NW (North Rhine-Westphalia); "" for none')
    grace_hours: float = Field(6, ge=0, le=168,
                               description="a post missed while the daemon was down still goes out within this")
    max_attempts: int = Field(5, ge=1, le=50, description="tries for a transient error before a post is marked failed")
    reconcile_minutes: float = Field(30, gt=0, le=1440,
                                     description="an unknown post not on the account this long after the "
                                                 "attempt did not go out")
    sync_seconds: float = Field(5, gt=0, le=3600, description="how often the daemon re-reads the store")
    approval: Annotated[str, check(check_approval)] = \
        Field("none", description='"one": a post goes out only after `schedule approve`; "two": two different people')
    language_gap_minutes: float = Field(10, ge=0, le=720,
                                        description="planned translations follow the day's first post this much later")


def _publisher_named(value: Any) -> Any:
    """A table without `publisher` publishes to the outbox; an unknown publisher is named as such before
    the union of settings models would only say that no model fits."""
    if not isinstance(value, dict):
        return value
    value = {"publisher": "outbox", **value}
    kind = value["publisher"]
    if kind not in PUBLISHERS:
        raise ValueError(f"{kind!r} is not a publisher: use one of {', '.join(PUBLISHERS)}")
    return _without_leftovers(value)


def _without_leftovers(value: dict[str, Any]) -> dict[str, Any]:
    """Files written before each publisher had its own keys list every publisher's keys, empty: an empty
    key of another publisher is dropped, a filled one is a mistake the union reports."""
    own = settings_model(value["publisher"]).model_fields
    defaults: dict[str, list[Any]] = {}
    for kind in PUBLISHERS:
        for key, field in settings_model(kind).model_fields.items():
            defaults.setdefault(key, []).append(field.default)
    return {k: v for k, v in value.items() if k in own or k not in defaults or v not in defaults[k]}


# [channels.<name>]: the settings model of the publisher it names, each defined next to its publisher.
Channel = Annotated[Union[tuple(settings_model(kind) for kind in PUBLISHERS)],  # type: ignore[misc]  # noqa: UP007 - a Union built at run time
                    Field(discriminator="publisher"), BeforeValidator(_publisher_named)]


class Weights(Section):
    likes: float = Field(1, ge=0, le=1000)
    comments: float = Field(2, ge=0, le=1000)
    shares: float = Field(3, ge=0, le=1000)


class Engagement(Section):
    weights: Weights = Field(default_factory=Weights, description="score = likes x 1 + comments x 2 + shares x 3")
    age_days: float = Field(7, gt=0, le=365,
                            description="each post is scored as it stood this many days after publishing")
    per_reach: bool = Field(False, description="divide by reach where it is known")
    across_channels: Annotated[str, check(check_combination)] \
        = Field("median", description='"median": each channel against its own median post (fair across channels); '
                                      '"sum": raw figures added')


class Billboard(Section):
    format: Annotated[str, check(check_billboard_format)] = Field(
        "18/1", description="18/1 (356x252 cm), city-light (119x175 cm) or WIDTHxHEIGHTcm")
    slots: int = Field(9, ge=1, le=48, description="how many portraits")
    scale: Annotated[str, check(check_scale)] = Field(
        "1:10", description="printers take 1:10 at 300 dpi, or 1:1 at 72-100 dpi")
    dpi: int = Field(300, ge=30, le=1200, description="resolution of the photos at that scale")
    bleed_mm: float = Field(10, ge=0, le=100, description="at full size")
    print_condition: Annotated[str, check(check_condition)] = Field(
        "FOGRA39",
        description="the printing condition the PDF's output intent names (export --icc embeds the printer's profile)")


def _line(what: str, max_len: int = 200, allow_empty: bool = True) -> AfterValidator:
    return check(lambda v: plain_text(v, what, max_len, allow_empty))


class Press(Section):
    copyright_holder: Annotated[str, _line("[press] copyright_holder", 120)] = Field(
        "", description='who holds the rights to the images ("" = [brand] owner)')
    usage_terms: Annotated[str, _line("[press] usage_terms", 400, False)] = Field(
        "Honorarfrei nur für die redaktionelle Berichterstattung über die Kampagne, mit Bildnachweis. Keine "
        "andere Nutzung, keine Bearbeitung des Bildes.",
        description="what newsrooms may do with the images (written into each image)")
    media_contact: Annotated[str, _line("[press] media_contact", 300)] = Field(
        "", description='contact for journalists, e.g. "Presseamt, Anna Muster, 0203 123-4567, presse@stadt.de"')
    start_date: Annotated[str, check(check_date_text)] = Field(
        "", description='when the campaign started, e.g. "2026-03-20" ("" = the day of the first post)')
    billboard_location: Annotated[str, _line("[press] billboard_location", 200)] = Field(
        "", description='where the billboard stands ("" = no billboard in the press release)')
    template: Annotated[str, _line("[press] template", 200)] = Field(
        "", description='your press release template (Jinja2), relative to this folder ("" = the built-in one)')


class Gallery(Section):
    widths: Annotated[list[int], check(check_widths)] = Field(
        default_factory=lambda: [360, 720, 1080], description="image widths offered to browsers (srcset)")
    title: Annotated[str, _line("[gallery] title", 120)] = Field("", description='heading ("" = the campaign name)')


class WhatsApp(Section):
    languages: Annotated[list[str], check(check_langs)] = Field(
        default_factory=list, description='bundle languages ([] = the quote\'s own and every translation)')
    link: Annotated[str, check(check_link)] = Field(
        "", description="the campaign's web address, at the end of each message")
    lines: Annotated[dict[str, str], check(check_message_lines)] = Field(
        default_factory=dict,
        description='the campaign\'s line per language, e.g. { tr = "..." } (else the campaign name)')

    def line(self, lang: str, default: str) -> str:
        """The campaign's line in `lang` (the campaign name where none is given)."""
        return self.lines.get(lang) or default


def _caption(opening: str, closing: str, credit: str) -> str:
    return f"{{first_name}} ({{age}}), {{role}}:\n{opening}{{quote}}{closing}\n\n{{hashtag}}\n{credit} {{credit}}"


# One short, plain caption per language of the reach cities use, each with its own quotation marks
# and word for the photo credit. A template line holding {credit} is left out when there is no credit.
DEFAULT_CAPTIONS = {
    "de": _caption("„", "“", "Foto:"),
    "en": _caption("“", "”", "Photo:"),
    "tr": _caption("“", "”", "Fotoğraf:"),
    "ar": "{first_name} ({age})، {role}:\n«{quote}»\n\n{hashtag}\nتصوير: {credit}",
    "uk": _caption("«", "»", "Фото:"),
    "ru": _caption("«", "»", "Фото:"),
    "pl": _caption("„", "”", "Fot."),
    "ro": _caption("„", "”", "Foto:"),
    "bg": _caption("„", "“", "Снимка:"),
    "it": _caption("«", "»", "Foto:"),
    "el": _caption("«", "»", "Φωτογραφία:"),
    "fa": "{first_name} ({age})، {role}:\n«{quote}»\n\n{hashtag}\nعکس: {credit}",
    "ku": _caption("“", "”", "Wêne:"),
    "sq": _caption("„", "“", "Foto:"),
}


def _channels(value: dict[str, Any]) -> dict[str, Any]:
    """Only channels described in schedules/channel.py, each with a publisher it can use; the channels
    every campaign has are there even when the file leaves them out (publishing to the outbox)."""
    for name, settings in value.items():
        spec = CHANNELS.get(name)
        if spec is None:
            raise ValueError(f"[channels.{name}]: there is no channel {name}; use {', '.join(CHANNELS)}")
        if settings.publisher not in spec.publishers:
            raise ValueError(f"[channels.{name}] publisher: {spec.label} cannot publish through "
                             f"{settings.publisher!r}; use {' or '.join(spec.publishers)}")
    return {**_channel_defaults(), **value}


def default_channel() -> Any:
    """The settings of a channel campaign.toml says nothing about: the offline outbox (its defaults,
    which need no check)."""
    return settings_model("outbox").model_construct()


def _channel_defaults() -> dict[str, Any]:
    return {name: default_channel() for name, spec in CHANNELS.items() if spec.default}


class Settings(Section):
    """Everything in campaign.toml, with its defaults."""
    name: Annotated[str, check(lambda v: plain_text(v, "the campaign name", 120))] = Field(
        "Unsere Stadt ist echt solidarisch", description="the campaign's name, as it appears on images")
    hashtag: Annotated[str, check(check_hashtag)] = Field("#echtsolidarisch", description="the campaign hashtag")
    timezone: Annotated[str, check(check_timezone)] = Field(
        "Europe/Berlin", description='decides what "18:30" means, across daylight saving')
    language: Annotated[str, check(check_lang)] = Field(
        "de", description="language of quotes unless a portrait says otherwise")
    ui_language: Annotated[str, check(check_ui_lang)] = Field(
        "", description='language of messages and help, "de" or "en" ("" = CAMPAIGN_UI_LANG or the system\'s; '
                        'German for a German campaign)')
    brand: BrandSettings = Field(default_factory=BrandSettings)
    captions: Annotated[dict[str, str], check(lambda v: check_captions(v, DEFAULT_CAPTIONS))] = Field(
        default_factory=lambda: dict(DEFAULT_CAPTIONS))
    posting: Posting = Field(default_factory=Posting)
    channels: Annotated[dict[str, Channel], check(_channels)] = Field(default_factory=_channel_defaults)
    engagement: Engagement = Field(default_factory=Engagement)
    billboard: Billboard = Field(default_factory=Billboard)
    press: Press = Field(default_factory=Press)
    gallery: Gallery = Field(default_factory=Gallery)
    whatsapp: WhatsApp = Field(default_factory=WhatsApp)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def channel(self, name: str) -> Any:
        """The settings of one channel (the offline outbox when campaign.toml says nothing)."""
        return self.channels.get(name) or default_channel()


_TYPE_WORDS = {"float_type": "a number", "int_type": "a whole number", "bool_type": "true or false",
               "string_type": "text in quotes", "dict_type": "a table", "model_type": "a table",
               "int_from_float": "a whole number"}


def explain(error: ValidationError) -> tuple[str, str]:
    """The first problem as (what is wrong, what to do), naming the key as a person sees it in the file."""
    first = error.errors()[0]
    loc = [str(p) for p in first["loc"]]
    if len(loc) >= 3 and loc[0] == "channels" and loc[2] in PUBLISHERS:  # the union's tag: not in the file
        del loc[2]
    if len(loc) == 2 and loc[0] == "channels" and first["type"] == "value_error":
        # said of a channel's whole table: the publisher it names, or a key the message begins with
        message = str(first.get("msg", "")).removeprefix("Value error, ")
        key, sep, rest = message.partition(": ")
        key, rest = (key, rest) if sep and re.fullmatch(r"\w+", key) else ("publisher", message)
        where = f"[channels.{loc[1]}] {key}"
        return f"{CONFIG_NAME}: {where}: {rest}.", f"Fix {where} in {CONFIG_NAME} and try again."
    section, key = (loc[:-1], loc[-1]) if len(loc) > 1 else ([], loc[0] if loc else "")
    where = (f"[{'.'.join(section)}] " if section else "") + key
    value = first.get("input")
    kind = first["type"]
    if kind == "extra_forbidden":
        if key == "graph_url":
            return (f"{CONFIG_NAME}: {where} cannot be set in the file (it would say where tokens are sent).",
                    "Remove it; tests and drills set CAMPAIGN_GRAPH_URL to a server on this machine.")
        return (f"{CONFIG_NAME}: there is no setting {where}.",
                "Check the spelling against the file `campaign init` writes, or remove the line.")
    if kind in _TYPE_WORDS:
        return (f"{CONFIG_NAME}: {where} = {value!r} is not {_TYPE_WORDS[kind]}.",
                f"Write {where} as {_TYPE_WORDS[kind]}" + (" (no quotes)." if kind != "string_type" else "."))
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        ctx = first.get("ctx", {})
        bounds = {"greater_than_equal": f"at least {ctx.get('ge')}", "less_than_equal": f"at most {ctx.get('le')}",
                  "greater_than": f"more than {ctx.get('gt')}", "less_than": f"less than {ctx.get('lt')}"}[kind]
        return f"{CONFIG_NAME}: {where} = {value!r} is out of range.", f"Give {where} a value {bounds}."
    message = str(first.get("msg", "")).removeprefix("Value error, ")
    if message.startswith("["):  # the validator named the key itself, e.g. "[captions] de: ..."
        where, message = message.split(": ", 1)
    return f"{CONFIG_NAME}: {where}: {message}.", f"Fix {where} in {CONFIG_NAME} and try again."


def parse_settings(data: dict[str, Any]) -> Settings:
    """Check a parsed campaign.toml (a dict) and fill in the defaults."""
    secrets = find_secrets(data)
    if secrets:
        raise CampaignError(
            _m("{config_name} holds a secret ({secrets}); secrets belong in the environment.",
               config_name=CONFIG_NAME, secrets=', '.join(secrets)),
            _m("Remove it from the file and set CAMPAIGN_INSTAGRAM_PASSWORD / CAMPAIGN_FACEBOOK_TOKEN "
               "instead."))
    try:
        return Settings.model_validate(data)
    except ValidationError as e:
        raise CampaignError(*explain(e)) from None


def read_back(checked: dict[str, Any]) -> Settings:
    """Settings that passed the full check before (their `model_dump()`), made again without checking
    (campaign/workspace/settings_cache.py verifies them against the file first). KeyError, TypeError or
    ValueError when `checked` is not what a dump of the model holds."""
    return _constructed(Settings, checked)


def _constructed(model: type[BaseModel], data: dict[str, Any]) -> Any:
    if set(data) != set(model.model_fields):
        raise ValueError(f"{model.__name__}: not the fields of the model")
    values = {}
    for key, field in model.model_fields.items():
        value = data[key]
        if model is Settings and key == "channels":
            value = {name: _constructed(settings_model(_publisher(table)), table) for name, table in value.items()}
        elif isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            value = _constructed(field.annotation, value)
        values[key] = value
    return model.model_construct(**values)


def _publisher(table: dict[str, Any]) -> str:
    kind = table["publisher"]
    if kind not in PUBLISHERS:
        raise ValueError(f"{kind!r} is not a publisher")
    return str(kind)


def load_config(path: Path) -> Settings:
    """Read campaign.toml, check every value, fill in defaults."""
    return checked_settings(read_config(path))


def read_config(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise CampaignError(_m("No {config_name} at {parent}.", config_name=CONFIG_NAME, parent=Path(path).parent),
                            _m("Run `campaign init` first.")) from None


def checked_settings(raw: bytes) -> Settings:
    """The settings of campaign.toml's bytes, every value checked."""
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CampaignError(_m("{config_name} is not UTF-8 text.", config_name=CONFIG_NAME),
                            _m("Save it as UTF-8 and try again.")) from None
    except tomllib.TOMLDecodeError as e:
        raise CampaignError(_m("{config_name} cannot be read: {e}.", config_name=CONFIG_NAME, e=e),
                            _m("Fix that line and try again.")) from None
    return parse_settings(data)
