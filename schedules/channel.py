"""What a channel is: each channel and publisher kind described in one place, the publisher
interface, its errors, and the factory. Everything else (consent checks, captions, formats, secrets,
readiness, campaign.toml) reads these descriptions.

A publisher turns one post into one platform call. It never touches the store: the runner
decides states (`planned -> publishing -> published | failed | unknown`) and writes them.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Protocol

from portraits.errors import CampaignError
from portraits.messages import _m


# How a post goes out: one image in the feed (4:5 or square), one upright story image, or one post
# with several images (the portrait in the campaign language first, then its translations).
FORMATS = ("feed", "square", "story", "carousel")
CAROUSEL_MAX = 10  # Instagram takes 2-10 images in one post; we keep Facebook to the same


@dataclass(frozen=True)
class PublisherKind:
    """One way of publishing (`publisher = "..."` in campaign.toml): the class, and what it needs."""
    name: str
    target: str                       # "module:Class", imported only when used so --help stays fast
    secrets: tuple[str, ...] = ()     # environment variables it reads (never campaign.toml)
    settings: tuple[str, ...] = ()    # keys of [channels.<name>] it needs
    formats: tuple[str, ...] = FORMATS  # the post formats it can publish


@dataclass(frozen=True)
class ChannelSpec:
    """Everything about one channel, in one place. Its name is also the consent scope it needs, so a
    person who allowed `instagram` can be published on the instagram channel and nowhere else."""
    name: str
    label: str                        # how people call it
    publishers: tuple[str, ...]       # the kinds it may use; the offline outbox is always one of them
    formats: dict[str, str]           # post format -> the render layout it publishes
    caption_chars: int                # the platform's caption limit
    hashtags: int                     # the platform's hashtag limit
    planned: bool = True              # False: no plan of single posts (WhatsApp goes out as a daily
                                      # bundle or broadcast to subscribers, campaign/outputs/whatsapp_day.py)

    @property
    def scope(self) -> str:
        return self.name


PUBLISHERS: dict[str, PublisherKind] = {p.name: p for p in (
    PublisherKind("outbox", "schedules.outbox:OutboxPublisher"),
    PublisherKind("instagram-graph", "schedules.instagram_graph:InstagramGraphPublisher",
                  ("CAMPAIGN_FACEBOOK_TOKEN", "CAMPAIGN_FACEBOOK_APP_TOKEN"),
                  ("page_id", "ig_user_id", "image_host", "public_dir", "public_base_url")),
    PublisherKind("instagram", "schedules.instagram:InstagramPublisher", ("CAMPAIGN_INSTAGRAM_PASSWORD",), ("account",)),
    PublisherKind("facebook", "schedules.facebook:FacebookPublisher",
                  ("CAMPAIGN_FACEBOOK_TOKEN", "CAMPAIGN_FACEBOOK_APP_TOKEN"), ("page_id",)),
    PublisherKind("whatsapp-cloud", "schedules.whatsapp:WhatsAppCloudPublisher", ("CAMPAIGN_WHATSAPP_TOKEN",),
                  ("phone_number_id", "template"), formats=("feed",)),
)}

# Adding a channel: one module with its publisher, plus its entry here (and its consent scope in
# portraits.consent.SCOPES, which a test checks).
CHANNELS: dict[str, ChannelSpec] = {c.name: c for c in (
    ChannelSpec("instagram", "Instagram", ("outbox", "instagram-graph", "instagram"),
                {"feed": "instagram-feed", "square": "instagram-square", "story": "story", "carousel": "instagram-feed"},
                caption_chars=2200, hashtags=30),
    # Facebook Page stories are photo stories through the Page stories endpoint (/{page-id}/photo_stories).
    ChannelSpec("facebook", "Facebook Page", ("outbox", "facebook"),
                {"feed": "facebook", "square": "instagram-square", "story": "story", "carousel": "facebook"},
                caption_chars=63206, hashtags=30),
    # WhatsApp: an image caption holds 1,024 characters; "outbox" means bundles only, no broadcast.
    ChannelSpec("whatsapp", "WhatsApp", ("outbox", "whatsapp-cloud"), {"feed": "instagram-square"},
                caption_chars=1024, hashtags=30, planned=False),
)}


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
                               value=' or '.join((f for f in spec.formats if f in kind.formats))))
    return spec.formats[fmt]


def secret_names() -> tuple[str, ...]:
    """Every environment variable any publisher reads: what `redact` scrubs from messages."""
    return tuple(dict.fromkeys(name for kind in PUBLISHERS.values() for name in kind.secrets))


def publisher_class(kind: str) -> type:
    target = PUBLISHERS[kind].target
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)


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

    def publish(self, post: dict, media: list[Media], caption: str) -> dict[str, Any]:
        """Post it; return at least {"remote_id": str, "permalink": str | None}.

        `post["format"]` says how: "feed"/"square" one image with the caption, "story" one upright
        image (stories show no caption), "carousel" several images in one post. A publisher that
        cannot do a format raises PermanentError saying so."""

    def check(self) -> dict[str, Any]:
        """Do the credentials work? {"ok": bool, "account": str | None, "message": str}."""

    def recent_media(self, since: datetime) -> list[dict[str, Any]]:
        """Media on the account since `since`: [{"remote_id", "caption", "at", "permalink"}]."""

    def fetch_engagement(self, post: dict) -> dict[str, Any]:
        """Fresh figures for one published post: {"likes", "comments", "shares", "reach"}."""

    @staticmethod
    def readiness(settings: Any, private_dir: Path) -> tuple[bool, str]:
        """What can be said without calling the platform: (ready, what a person reads)."""

    # Optional: def settle(self, post: dict) -> dict | None
    #   For an `unknown` post holding an id its checkpoint recorded: what became of it, as
    #   {"state": "published" | "not_published" | "failed" | "pending", "reason": str}; None when
    #   the post holds nothing to ask about (reconcile then matches recent media by caption).


def make_publisher(channel: str, settings: Any, outbox_dir: Path, private_dir: Path) -> Publisher:
    """The publisher configured for `channel` in campaign.toml's [channels.<name>] (a checked
    campaign.workspace.config.Channel: .publisher, .account, .page_id, ...)."""
    spec = channel_spec(channel)
    if settings.publisher not in spec.publishers:
        raise CampaignError(_m("Channel {channel} cannot publish through {publisher!r}.", channel=channel,
                               publisher=settings.publisher),
                            _m("Use one of: {publishers} in campaign.toml.", publishers=', '.join(spec.publishers)))
    cls = publisher_class(settings.publisher)
    return cls(channel=channel, settings=settings, outbox_dir=Path(outbox_dir), private_dir=Path(private_dir))
