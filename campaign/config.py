"""campaign.toml: the campaign's settings, with defaults for everything.

The file never holds secrets: passwords and tokens come from the environment only
(`CAMPAIGN_INSTAGRAM_PASSWORD`, `CAMPAIGN_FACEBOOK_TOKEN`). `load_config` refuses a file that
tries to hold one, so a secret pasted there cannot end up in a backup or a report.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from portraits.errors import CampaignError

CONFIG_NAME = "campaign.toml"

DEFAULTS: dict[str, Any] = {
    "name": "Unsere Stadt ist echt solidarisch",
    "hashtag": "#echtsolidarisch",
    "timezone": "Europe/Berlin",
    "language": "de",
    "brand": {
        "primary": "#E30613",
        "secondary": "#1D1D1B",
        "text": "#FFFFFF",
        "logo": "",
        "font": "",
        "credit_prefix": "Foto: ",
    },
    "captions": {
        "de": "{first_name} ({age}), {role}:\n„{quote}“\n\n{hashtag}\nFoto: {credit}",
        "en": "{first_name} ({age}), {role}:\n“{quote}”\n\n{hashtag}\nPhoto: {credit}",
    },
    "posting": {
        "days": "mon-sat",
        "time": "18:30",
        "holidays_country": "DE",
        "holidays_subdivision": "NW",
        "grace_hours": 6,
        "max_attempts": 5,
        "reconcile_minutes": 30,
    },
    "channels": {
        "instagram": {"publisher": "outbox", "account": ""},
        "facebook": {"publisher": "outbox", "page_id": ""},
    },
    "engagement": {
        "weights": {"likes": 1, "comments": 2, "shares": 3},
        "age_days": 7,
        "per_reach": False,
    },
    "billboard": {
        "format": "18/1",
        "slots": 9,
        "scale": "1:10",
        "dpi": 300,
        "bleed_mm": 10,
    },
}

SECRET_KEYS = {"password", "token", "access_token", "secret", "session", "app_secret"}

TEMPLATE = '''# campaign.toml: the settings of one solidarity portrait campaign.
# Secrets never go here: set CAMPAIGN_INSTAGRAM_PASSWORD and CAMPAIGN_FACEBOOK_TOKEN
# in the environment instead.

name = "{name}"
hashtag = "{hashtag}"
timezone = "{timezone}"      # decides what "18:30" means, across daylight saving
language = "de"              # language of quotes unless a portrait says otherwise

[brand]
primary = "#E30613"          # colour of the band with name and quote
secondary = "#1D1D1B"        # second colour (hashtag line, contact sheet)
text = "#FFFFFF"             # text colour on the band
logo = ""                    # path to a PNG logo, relative to this folder ("" = none)
font = ""                    # path to a .ttf/.otf to use instead of Noto Sans ("" = Noto)
credit_prefix = "Foto: "

# Caption per language. Fields: {{first_name}} {{age}} {{role}} {{quote}} {{hashtag}} {{credit}}.
# Never add a surname: the tool has none to give.
[captions]
de = "{{first_name}} ({{age}}), {{role}}:\\n„{{quote}}“\\n\\n{{hashtag}}\\nFoto: {{credit}}"
en = "{{first_name}} ({{age}}), {{role}}:\\n“{{quote}}”\\n\\n{{hashtag}}\\nPhoto: {{credit}}"

[posting]
days = "mon-sat"             # posting days, e.g. "mon-fri" or "mon,wed,fri"
time = "18:30"               # local time in the campaign's timezone
holidays_country = "DE"      # public holidays are skipped (python-holidays codes)
holidays_subdivision = "NW"  # North Rhine-Westphalia
grace_hours = 6              # a post missed while the daemon was down still goes out within this
max_attempts = 5             # tries for a transient error before a post is marked failed
reconcile_minutes = 30       # an unknown post not on the account this long after the attempt did not go out

# Where each channel publishes: "outbox" writes to the outbox/ folder (works offline);
# "instagram" / "facebook" post for real (see README: connecting real accounts).
[channels.instagram]
publisher = "outbox"
account = ""                 # the Instagram user name

[channels.facebook]
publisher = "outbox"
page_id = ""                 # the numeric id of the Facebook Page (token: CAMPAIGN_FACEBOOK_TOKEN)

[engagement]
weights = {{ likes = 1, comments = 2, shares = 3 }}
age_days = 7                 # each post is scored as it stood this many days after publishing
per_reach = false            # divide by reach where it is known

[billboard]
format = "18/1"              # 18/1 (356x252 cm), city-light (119x175 cm) or WIDTHxHEIGHTcm
slots = 9
scale = "1:10"               # printers take 1:10 at 300 dpi, or 1:1 at 72-100 dpi
dpi = 300
bleed_mm = 10                # at full size
'''


def _merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _find_secrets(data: Any, path: str = "") -> list[str]:
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else key
            if key.lower() in SECRET_KEYS and value not in ("", None):
                found.append(where)
            found.extend(_find_secrets(value, where))
    return found


def load_config(path: Path) -> dict[str, Any]:
    """Read campaign.toml, fill in defaults and check what would break later."""
    import tomllib

    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise CampaignError(f"No {CONFIG_NAME} at {path.parent}.", "Run `campaign init` first.") from None
    except tomllib.TOMLDecodeError as e:
        raise CampaignError(f"{path.name} cannot be read: {e}.", "Fix that line and try again.") from None
    secrets = _find_secrets(data)
    if secrets:
        raise CampaignError(
            f"{path.name} holds a secret ({', '.join(secrets)}); secrets belong in the environment.",
            "Remove it from the file and set CAMPAIGN_INSTAGRAM_PASSWORD / CAMPAIGN_FACEBOOK_TOKEN instead.",
        )
    config = _merge(DEFAULTS, data)
    timezone_of(config)
    return config


def timezone_of(config: dict) -> ZoneInfo:
    name = config.get("timezone", "Europe/Berlin")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CampaignError(
            f"Unknown timezone {name!r} in campaign.toml.", "Use a name like Europe/Berlin."
        ) from None


def render_template(name: str, hashtag: str, timezone: str) -> str:
    """The commented campaign.toml that `campaign init` writes."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace('"', '\\"')

    return TEMPLATE.format(name=esc(name), hashtag=esc(hashtag), timezone=esc(timezone))
