"""What a channel is: each channel and publisher kind described in one place, the publisher
interface, its errors, and the factory. Everything else (consent checks, captions, formats, secrets,
readiness, campaign.toml) reads these descriptions.

A publisher turns one post into one platform call. It never touches the store: the runner
decides states (`planned -> publishing -> published | failed | unknown`) and writes them.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from portraits import consent
from portraits.errors import CampaignError
from portraits.messages import _m

if TYPE_CHECKING:
    from pydantic import BaseModel

# How a post goes out: one image in the feed (4:5 or square), one upright story image, or one post
# with several images (the portrait in the campaign language first, then its translations).
FORMATS = ("feed", "square", "story", "carousel")
CAROUSEL_MAX = 10  # Instagram takes 2-10 images in one post; we keep Facebook to the same


@dataclass(frozen=True)
class PublisherKind:
    """One way of publishing (`publisher = "..."` in campaign.toml): the class, its settings model, and
    what it needs. Both are named "module:Class" and imported only when used, so --help stays fast."""
    name: str
    target: str                         # the publisher class
    settings_model: str                 # its pydantic model of [channels.<name>] (schedules.channel_settings)
    secrets: tuple[str, ...] = ()       # environment variables it reads (never campaign.toml)
    formats: tuple[str, ...] = FORMATS  # the post formats it can publish
    keeps: tuple[str, ...] = ()         # footprint places it writes that can show a person ("hosted images":
                                        # copies in the office's public folder, campaign/footprint.py)


@dataclass(frozen=True)
class ChannelSpec:
    """Everything about one channel, in one place. Its name is also the consent scope it needs, so a
    person who allowed `instagram` can be published on the instagram channel and nowhere else, and
    portraits.consent's scopes are these names plus the fixed `billboard, press, website`."""
    name: str
    label: str                        # how people call it
    publishers: tuple[str, ...]       # the kinds it may use; the offline outbox is always one of them
    formats: dict[str, str]           # post format -> the render layout it publishes (no "story": none)
    caption_chars: int                # the platform's caption limit (graphemes on Bluesky)
    hashtags: int                     # the platform's hashtag limit
    alt_chars: int = 1000             # the longest alt text an image takes
    images_max: int = CAROUSEL_MAX    # images in one post
    image_bytes: int | None = None    # the largest image file it takes (None: ours are always small enough)
    counts_graphemes: bool = False    # caption_chars counts what a reader sees, not code points (Bluesky)
    planned: bool = True              # False: no plan of single posts (WhatsApp goes out as a daily
                                      # bundle or broadcast to subscribers, campaign/outputs/whatsapp_day.py)
    default: bool = True              # in every campaign.toml; False: only once [channels.<name>] is there

    @property
    def scope(self) -> str:
        return self.name

    @property
    def takes_stories(self) -> bool:
        return "story" in self.formats


def _kind(name: str, module: str, cls: str, secrets: tuple[str, ...] = (), **more: Any) -> PublisherKind:
    return PublisherKind(name, f"schedules.{module}:{cls}Publisher", f"schedules.{module}:{cls}Settings", secrets,
                         **more)


_META_TOKENS = ("CAMPAIGN_FACEBOOK_TOKEN", "CAMPAIGN_FACEBOOK_APP_TOKEN")
PUBLISHERS: dict[str, PublisherKind] = {p.name: p for p in (
    _kind("outbox", "outbox", "Outbox"),
    _kind("instagram-graph", "instagram_graph", "InstagramGraph", _META_TOKENS, keeps=("hosted images",)),
    _kind("instagram", "instagram", "Instagram", ("CAMPAIGN_INSTAGRAM_PASSWORD",)),
    _kind("instagram-login", "instagram_login", "InstagramLogin", ("CAMPAIGN_INSTAGRAM_TOKEN",),
          keeps=("hosted images",)),
    _kind("facebook", "facebook", "Facebook", _META_TOKENS),
    _kind("whatsapp-cloud", "whatsapp", "WhatsAppCloud", ("CAMPAIGN_WHATSAPP_TOKEN",), formats=("feed",)),
    _kind("mastodon", "mastodon", "Mastodon", ("CAMPAIGN_MASTODON_TOKEN",), formats=("feed", "square", "carousel")),
    _kind("threads", "threads", "Threads", ("CAMPAIGN_THREADS_TOKEN", *_META_TOKENS),
          formats=("feed", "square", "carousel"),
          keeps=("hosted images",)),
    _kind("bluesky", "bluesky", "Bluesky", ("CAMPAIGN_BLUESKY_APP_PASSWORD",), formats=("feed", "square", "carousel")),
)}

_FEEDS = {"feed": "instagram-feed", "square": "instagram-square", "carousel": "instagram-feed"}

# Adding a channel: one module with its publisher and settings model, plus its entries here.
CHANNELS: dict[str, ChannelSpec] = {c.name: c for c in (
    ChannelSpec("instagram", "Instagram", ("outbox", "instagram-graph", "instagram-login", "instagram"),
                {**_FEEDS, "story": "story"}, caption_chars=2200, hashtags=30),
    # Facebook Page stories are photo stories through the Page stories endpoint (/{page-id}/photo_stories).
    ChannelSpec("facebook", "Facebook Page", ("outbox", "facebook"),
                {"feed": "facebook", "square": "instagram-square", "story": "story", "carousel": "facebook"},
                caption_chars=63206, hashtags=30),
    # WhatsApp: an image caption holds 1,024 characters; "outbox" means bundles only, no broadcast.
    ChannelSpec("whatsapp", "WhatsApp", ("outbox", "whatsapp-cloud"), {"feed": "instagram-square"},
                caption_chars=1024, hashtags=30, planned=False),
    # Mastodon's defaults (an instance may allow more): 500 characters, 1,500 for a description, 4 images.
    ChannelSpec("mastodon", "Mastodon", ("outbox", "mastodon"), dict(_FEEDS), caption_chars=500, hashtags=30,
                alt_chars=1500, images_max=4, image_bytes=16 * 1024 * 1024, default=False),
    # Threads: 500 characters, one topic tag (hashtag) a post, carousels of up to 20 images (we keep to 10).
    ChannelSpec("threads", "Threads", ("outbox", "threads"), dict(_FEEDS), caption_chars=500, hashtags=1,
                default=False),
    # Bluesky: 300 graphemes, 2,000 for alt text, 4 images of at most 1,000,000 bytes each.
    ChannelSpec("bluesky", "Bluesky", ("outbox", "bluesky"), dict(_FEEDS), caption_chars=300, hashtags=30,
                alt_chars=2000, images_max=4, image_bytes=1_000_000, counts_graphemes=True, default=False),
)}
FIXED_SCOPES = ("billboard", "press", "website")  # consent for what is not a channel


def planned_channels() -> list[str]:
    """The channels a posting plan fills, post by post."""
    return [name for name, spec in CHANNELS.items() if spec.planned]


def channel_spec(name: str) -> ChannelSpec:
    """The description of a channel, or a clear error naming the ones there are."""
    spec = CHANNELS.get(name)
    if spec is None:
        raise CampaignError(_m("There is no channel {name!r}.", name=name),
                            _m("Use {channels}.", channels=' or '.join(CHANNELS)))
    return spec


def layout_for(channel: str, fmt: str, publisher: str | None = None) -> str:
    """The render layout a post of this format publishes on the channel, or a clear error saying
    which formats there are (and, given the publisher kind, which of them it can do)."""
    spec = channel_spec(channel)
    if fmt not in spec.formats:
        raise CampaignError(_m("{label} has no {fmt!r} posts.", label=spec.label, fmt=fmt),
                            _m("Use --format {formats}.", formats=' or '.join(spec.formats)))
    kind = PUBLISHERS.get(publisher) if publisher else None
    if kind is not None and fmt not in kind.formats:
        raise CampaignError(_m("The {name} publisher of {channel} cannot post a {fmt}.", name=kind.name,
                               channel=channel, fmt=fmt),
                            _m("Use --format {value}, or another publisher in campaign.toml.",
                               value=' or '.join(f for f in spec.formats if f in kind.formats)))
    return spec.formats[fmt]


def consent_scopes() -> tuple[str, ...]:
    """Every consent scope: one per channel, then the fixed ones (what portraits.consent checks)."""
    return (*CHANNELS, *FIXED_SCOPES)


def settings_model(kind: str) -> type[BaseModel]:
    """The pydantic model of [channels.<name>] for a publisher kind (imports pydantic)."""
    module_name, class_name = PUBLISHERS[kind].settings_model.split(":")
    model: type[BaseModel] = getattr(importlib.import_module(module_name), class_name)
    return model


def secret_names() -> tuple[str, ...]:
    """Every environment variable any publisher reads: what `redact` scrubs from messages."""
    return tuple(dict.fromkeys(name for kind in PUBLISHERS.values() for name in kind.secrets))


def publisher_class(kind: str) -> type[Publisher]:
    """The publisher class of a kind, imported now."""
    target = PUBLISHERS[kind].target
    module_name, class_name = target.split(":")
    cls: type[Publisher] = getattr(importlib.import_module(module_name), class_name)
    return cls


class ChannelError(CampaignError):
    """A platform refused or failed a call."""


class TransientError(ChannelError):
    """Worth trying again later (rate limit, 5xx). `retry_after` in seconds, if the platform said."""

    def __init__(self, message: str, hint: str | None = None, retry_after: float | None = None):
        super().__init__(message, hint)
        self.retry_after = retry_after


class PermanentError(ChannelError):
    """Retrying will not help until a person acts (expired token, challenge, refused content)."""


class UnknownOutcome(ChannelError):
    """The call may or may not have reached the platform (timeout, connection cut mid-upload).

    The post becomes `unknown` and is never retried blindly; `campaign reconcile` settles it.
    """


@dataclass(frozen=True)
class Media:
    """One image of a post, with the alt text that goes with it (in the image's language) and the
    input hash of the render, which says exactly what the image shows."""
    path: Path
    alt_text: str
    lang: str | None = None
    input_hash: str | None = None


class Publisher(Protocol):
    kind: str
    # Set by the runner before publish(). A publisher that gets an id midway (an Instagram
    # container) hands it over here, with a note, before the step that makes the post public; the
    # runner writes it onto the post at once, so that after a crash `reconcile` can ask about it.
    # Publishers that need nothing of the kind never call it.
    checkpoint: Callable[[dict[str, Any], str], None]

    def __init__(self, channel: str, settings: Any, outbox_dir: Path, private_dir: Path) -> None:
        """Every publisher is made the same way, by `make_publisher`."""

    def publish(self, post: dict[str, Any], media: list[Media], caption: str) -> dict[str, Any]:
        """Post it; return at least {"remote_id": str, "permalink": str | None}.

        `post["format"]` says how: "feed"/"square" one image with the caption, "story" one upright
        image (stories show no caption), "carousel" several images in one post. A publisher that
        cannot do a format raises PermanentError saying so."""

    def check(self) -> dict[str, Any]:
        """Do the credentials work? {"ok": bool, "account": str | None, "message": str}."""

    def recent_media(self, since: datetime) -> list[dict[str, Any]]:
        """Media on the account since `since`: [{"remote_id", "caption", "at", "permalink"}]."""

    def fetch_engagement(self, post: dict[str, Any]) -> dict[str, Any]:
        """Fresh figures for one published post: {"likes", "comments", "shares", "reach"}."""

    @staticmethod
    def readiness(settings: Any, private_dir: Path) -> tuple[bool, str]:
        """What can be said without calling the platform: (ready, what a person reads)."""

    # Optional: def comment(self, post: dict, result: dict, text: str) -> str
    #   The channel's first comment under the post `publish` just made (its answer is `result`): a
    #   comment on Instagram, Facebook and Threads, a reply on Mastodon and Bluesky; the comment's id.
    # Optional: def settle(self, post: dict) -> dict | None
    #   For an `unknown` post holding an id its checkpoint recorded: what became of it, as
    #   {"state": "published" | "not_published" | "failed" | "pending", "reason": str}; None when
    #   the post holds nothing to ask about (reconcile then matches recent media by caption).


def make_publisher(channel: str, settings: Any, outbox_dir: Path, private_dir: Path) -> Publisher:
    """The publisher configured for `channel` in campaign.toml's [channels.<name>] (checked by the
    publisher kind's settings model: .publisher and that kind's own keys)."""
    spec = channel_spec(channel)
    if settings.publisher not in spec.publishers:
        raise CampaignError(_m("Channel {channel} cannot publish through {publisher!r}.", channel=channel,
                               publisher=settings.publisher),
                            _m("Use one of: {publishers} in campaign.toml.", publishers=', '.join(spec.publishers)))
    cls = publisher_class(settings.publisher)
    return cls(channel=channel, settings=settings, outbox_dir=Path(outbox_dir), private_dir=Path(private_dir))


consent.register_channel_scopes(CHANNELS)  # each channel's name is the consent scope it needs
