"""The commented campaign.toml that `campaign init` writes, made from the settings model's defaults.

Each key shows its default and, as its comment, its field's description (campaign/workspace/config.py),
in the interface language; a channel shows its publisher's keys and, commented out, those of the
other publishers it can use.
"""
from __future__ import annotations

import json
import textwrap
from typing import Any

from pydantic import BaseModel

from campaign.workspace.config import Settings
from campaign.workspace.i18n import gettext
from portraits.messages import _m
from schedules.channel import CHANNELS, secret_names, settings_model


def _init_keys(channel: str) -> tuple[str, ...]:
    """What `init` writes for a channel: its publisher and the keys its real publishers need (those of
    publishers other than the one chosen go in as comments)."""
    return ("publisher", *dict.fromkeys(k for kind in CHANNELS[channel].publishers
                                        for k in settings_model(kind).model_fields
                                        if k not in ("publisher", "simulate_upload_seconds")))




def _header() -> str:
    """The file's opening comment; the secrets it names are those the publisher descriptions read."""
    said = gettext("Secrets never go here: set them in the environment instead ({names}). Every key below "
                   "shows its default.", names=', '.join(secret_names()))
    return "\n".join(["# " + gettext("campaign.toml: the settings of one solidarity portrait campaign."),
                      *textwrap.wrap(said, 98, initial_indent="# ", subsequent_indent="# ")]) + "\n"


# Each section's opening comment (lines without the "# ", which is put in front of each when written).
NOTES = {
    "captions": _m("Caption per language. Fields: {first_name} {age} {role} {quote} {hashtag} {credit}.\n"
                   "A line holding {credit} is left out for a portrait without a photo credit.\n"
                   "Never add a surname: the tool has none to give."),
    "channels": _m('Where each channel publishes: "outbox" writes to the outbox/ folder (works offline);\n'
                   '"instagram-graph" (official API, recommended), "instagram-login" (no Facebook Page),\n'
                   '"instagram" (instagrapi) and "facebook" post for real (see README: connecting real accounts);\n'
                   'whatsapp: "outbox" = bundles only, "whatsapp-cloud" = also broadcast to subscribers.\n'
                   'Mastodon, Threads and Bluesky are channels once their table is here, e.g.\n'
                   '[channels.mastodon] publisher = "mastodon", instance = "https://social.bund.de".'),
    "press": _m("The press kit (campaign press kit): written into every press image and the press release."),
    "whatsapp": _m("The day's WhatsApp message per language: the quote, the campaign's line, the link."),
}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # JSON string escapes are valid TOML basic strings


def _lines(model: BaseModel, skip: tuple[str, ...] = ()) -> list[str]:
    out = []
    for key, field in type(model).model_fields.items():
        if key in skip:
            continue
        value = getattr(model, key)
        if isinstance(value, BaseModel):
            value = value.model_dump()
        line = f"{key} = {_toml(value)}"
        out.append(f"{line:<30} # {gettext(field.description)}" if field.description else line)
    return out


def _channel_lines(channel: str, settings: BaseModel) -> list[str]:
    """A channel's table: the keys of its publisher, then, commented out, those its other publishers take."""
    shown = _init_keys(channel)
    lines = sorted((line for line in _lines(settings) if line.split(" ", 1)[0] in shown),
                   key=lambda line: not line.startswith("publisher "))  # the publisher first, as people read it
    written = {line.split(" ", 1)[0] for line in lines}
    for kind in CHANNELS[channel].publishers:
        for line in _lines(settings_model(kind).model_construct()):  # defaults, unchecked: shown, not used
            key = line.split(" ", 1)[0]
            if key in shown and key not in written:
                written.add(key)
                lines.append("# " + line)
    return lines


def render_template(name: str, hashtag: str, timezone: str) -> str:
    """The commented campaign.toml that `campaign init` writes, made from the model's defaults."""
    settings = Settings(name=name, hashtag=hashtag, timezone=timezone)
    sections = ("brand", "captions", "posting", "channels", "engagement", "billboard", "press", "gallery", "whatsapp")
    parts = [_header(), *_lines(settings, skip=sections)]
    for section in sections:
        value = getattr(settings, section)
        parts.append("")
        if section in NOTES:
            parts.append(textwrap.indent(gettext(NOTES[section]), "# "))
        if section == "captions":
            parts.append("[captions]")
            parts += [f"{lang} = {_toml(t)}" for lang, t in value.items()]
        elif section == "channels":
            for i, (channel, settings_) in enumerate(value.items()):
                parts += ([""] if i else []) + [f"[channels.{channel}]"] + _channel_lines(channel, settings_)
        else:
            parts.append(f"[{section}]")
            parts += _lines(value)
    return "\n".join(parts).rstrip() + "\n"
