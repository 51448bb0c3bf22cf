"""Posts, subscribers and the messages sent to them, as the store keeps them, and their statuses:
written once here, below every module that reads or writes them (portraits/model.py holds the
people's records).

TypedDicts because these records go in and out of the store and `--json` unchanged; each status is a
`StrEnum` whose members are their strings, so the store format does not change.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Any, NotRequired, TypedDict


class PostStatus(StrEnum):
    """planned -> publishing -> published | failed | unknown; planned | failed -> cancelled
    (schedules/posts.py tells the whole life)."""
    PLANNED = "planned"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"


# Not out yet: a post that can still be moved, approved or cancelled.
FUTURE = (PostStatus.PLANNED, PostStatus.FAILED)
# Out, or perhaps out: a withdrawal has to take these down by hand.
OUT = (PostStatus.PUBLISHED, PostStatus.PUBLISHING, PostStatus.UNKNOWN)


class DeliveryStatus(StrEnum):
    """One WhatsApp message to one subscriber: `sending` is recorded before the call, its outcome after."""
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


class HistoryEntry(TypedDict):
    at: str
    status: PostStatus
    note: str | None


class Approval(TypedDict):
    """Who approved a post, when, and the content hash of what it showed then."""
    who: str
    at: str
    hash: str
    comment: NotRequired[str]


class Post(TypedDict):
    """One planned publication of one portrait on one channel, and its life."""
    id: str
    portrait_id: str
    channel: str
    at: str
    status: PostStatus  # read back from the store: the plain string, equal to its member
    format: str
    lang: str | None
    approvals: list[Approval]
    images: list[dict[str, Any]] | None  # each image that went out: file, input hash, language
    remote_id: str | None
    permalink: str | None
    caption: str | None
    alt_text: str | None
    image: str | None
    attempts: int
    next_try: str | None
    error: str | None
    reason: str | None
    published_at: str | None
    origin: str
    history: list[HistoryEntry]
    attempted_at: NotRequired[str]
    content_hash: NotRequired[str]
    pages: NotRequired[list[str]]  # the post pages written for it (footprint)
    taken_down_at: NotRequired[str | None]
    # what the platform answered (schedules/runner.py keeps them for reconcile, engagement and erasure)
    photo_id: NotRequired[str]
    photo_ids: NotRequired[list[str]]
    hosted_photo_ids: NotRequired[list[str]]
    code: NotRequired[str]
    container_id: NotRequired[str]
    comment_id: NotRequired[str]
    comment_error: NotRequired[str]


class Subscriber(TypedDict):
    """A WhatsApp subscriber: the number is personal data, shown masked (subscribers.public)."""
    id: str
    number: str
    lang: str
    opted_in: str
    source: str
    added_at: NotRequired[str]


class Delivery(TypedDict):
    """The day's message to one subscriber (table whatsapp_sends)."""
    subscriber_id: str
    day: str
    portrait_id: str
    lang: str
    status: DeliveryStatus
    message_id: str | None
    error: str | None
    retry: bool
    at: str

