"""What a channel is: the publisher interface, its errors, and the factory.

A publisher turns one post into one platform call. It never touches the store: the runner
decides states (`planned -> publishing -> published | failed | unknown`) and writes them.
"""
from __future__ import annotations

import importlib
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from portraits.errors import CampaignError

CHANNELS = ("instagram", "facebook")

# publisher kind -> "module:Class"; imported only when used, so --help stays fast.
PUBLISHERS = {
    "outbox": "schedules.outbox:OutboxPublisher",
    "instagram": "schedules.instagram:InstagramPublisher",
    "facebook": "schedules.facebook:FacebookPublisher",
}


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


class Publisher(Protocol):
    kind: str

    def publish(self, post: dict, image: Path, caption: str, alt_text: str) -> dict[str, Any]:
        """Post it; return at least {"remote_id": str, "permalink": str | None}."""

    def check(self) -> dict[str, Any]:
        """Do the credentials work? {"ok": bool, "account": str | None, "message": str}."""

    def recent_media(self, since: datetime) -> list[dict[str, Any]]:
        """Media on the account since `since`: [{"remote_id", "caption", "at", "permalink"}]."""

    def fetch_engagement(self, post: dict) -> dict[str, Any]:
        """Fresh figures for one published post: {"likes", "comments", "shares", "reach"}."""


def make_publisher(channel: str, settings: Any, outbox_dir: Path, private_dir: Path) -> Publisher:
    """The publisher configured for `channel` in campaign.toml's [channels.<name>] (a checked
    campaign.config.Channel: .publisher, .account, .page_id, ...)."""
    kind = settings.publisher
    target = PUBLISHERS.get(kind)
    if target is None:
        raise CampaignError(f"Channel {channel!r} has unknown publisher {kind!r}.",
                            f"Use one of: {', '.join(PUBLISHERS)} in campaign.toml.")
    module_name, class_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(channel=channel, settings=settings, outbox_dir=Path(outbox_dir),
               private_dir=Path(private_dir))
