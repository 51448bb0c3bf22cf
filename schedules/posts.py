"""Post records: one planned publication of one portrait on one channel, and its life.

    planned -> publishing -> published
                          -> failed   (permanent error, retries used up, or missed)
                          -> unknown  (the call may or may not have reached the platform)
    planned | failed -> cancelled

Every change appends to the post's `history`, so a person can see what happened and when.
A post has a `format` (feed, square, story, carousel) and a `lang` (for a carousel: the language
of its first image). Once out, `images` keeps the input hash of every image that went out.
"""
from __future__ import annotations

import bisect
from collections.abc import Callable, MutableMapping
from datetime import datetime
from typing import Any, TypedDict, cast

from tinydb import Query, TinyDB

from portraits import audit
from portraits.derived import derived
from portraits.errors import CampaignError, NotFound
from portraits.messages import _m
from schedules.model import FUTURE, OUT, Post, PostStatus

STATUSES = tuple(s.value for s in PostStatus)  # plain str: the report keys counts by them (orjson wants str keys)
__all__ = ["FUTURE", "OUT", "STATUSES", "Post", "PostStatus"]


class Withdrawn(TypedDict):
    """What a withdrawal does to a person's posts: cancels those not out, lists those to take down."""
    cancelled: list[Post]
    takedown: list[Post]


def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def get(db: TinyDB, post_id: str) -> Post:
    doc = db.table("posts").get(Query().id == post_id)
    if doc is None:
        raise NotFound(_m("No post with id {post_id!r}.", post_id=post_id),
                       _m("See the ids with `campaign schedule list`."))
    return cast(Post, dict(doc))


def all_posts(db: TinyDB) -> list[Post]:
    """Every post in time order, each a copy the caller may change."""
    return [cast(Post, dict(d)) for d in in_order(db)]


def in_order(db: TinyDB) -> list[Post]:
    """Every post in time order, to read only: where the store shares its reads (the web app, the daemon)
    sorted once per store version and the same list for every page of it (portraits.derived)."""
    return derived(db, "posts.sorted",
                   lambda: sorted(cast("list[Post]", db.table("posts").all()), key=sort_key))


def between(db: TinyDB, start: datetime, end: datetime) -> list[Post]:
    """The posts from `start` up to `end` in time order, each a copy; found by halving the ordered
    list instead of reading every post's time (a week of 5,000 posts)."""
    ordered = in_order(db)
    lo = bisect.bisect_left(ordered, start, key=_at)
    hi = bisect.bisect_left(ordered, end, lo=lo, key=_at)
    return [cast(Post, dict(d)) for d in ordered[lo:hi]]


def _at(post: Post) -> datetime:
    return datetime.fromisoformat(post["at"])


def sort_key(post: Post) -> tuple[datetime, str, int]:
    return (datetime.fromisoformat(post["at"]), post["channel"], int(post["id"].split("-")[-1]))


def due_time(post: Post) -> datetime:
    """When the post should go out next: its time, or the back-off time of a retry."""
    return datetime.fromisoformat(post.get("next_try") or post["at"])


def _next_id(db: TinyDB) -> str:
    meta = db.table("counters")
    doc = meta.get(Query().name == "post")
    n = (doc["value"] if doc else 0) + 1
    if doc:
        meta.update({"value": n}, doc_ids=[doc.doc_id])
    else:
        meta.insert({"name": "post", "value": n})
    return f"p-{n}"


def create(db: TinyDB, portrait_id: str, channel: str, at: datetime, now: datetime, lang: str | None = None,
           origin: str = "plan", fmt: str = "feed") -> Post:
    if at.tzinfo is None:
        raise ValueError("post times must be timezone-aware")
    post: Post = {
        "id": _next_id(db),
        "portrait_id": portrait_id,
        "channel": channel,
        "at": _stamp(at),
        "status": PostStatus.PLANNED,
        "format": fmt,
        "lang": lang,
        "approvals": [],
        "images": None,
        "remote_id": None,
        "permalink": None,
        "caption": None,
        "alt_text": None,
        "image": None,
        "attempts": 0,
        "next_try": None,
        "error": None,
        "reason": None,
        "published_at": None,
        "origin": origin,
        "history": [{"at": _stamp(now), "status": PostStatus.PLANNED, "note": origin}],
    }
    db.table("posts").insert(post)
    audit.record(db, "post.create", post["id"], now=now, portrait_id=portrait_id, channel=channel, at=post["at"],
                 format=fmt, lang=lang)
    return post


def update(db: TinyDB, post_id: str, now: datetime, status: PostStatus | None = None, note: str | None = None,
           **fields: Any) -> Post:
    """Change a post and append the change to its history."""
    post = get(db, post_id)
    if status is not None:
        if status not in STATUSES:
            raise ValueError(status)
        post["status"] = PostStatus(status)
    post.update(fields)  # type: ignore[typeddict-item]  # the caller's field names, checked by the tests
    post["history"] = list(post.get("history", [])) + [
        {"at": _stamp(now), "status": post["status"], "note": note}]
    db.table("posts").update(_replace(post), Query().id == post_id)
    return post


def set_fields(db: TinyDB, post_id: str, **fields: Any) -> Post:
    """Change bookkeeping fields (such as the next look at a post waiting for approval) without a
    history entry: nothing happened to the post that a person needs to read about."""
    post = get(db, post_id)
    post.update(fields)  # type: ignore[typeddict-item]  # the caller's field names, checked by the tests
    db.table("posts").update(_replace(post), Query().id == post_id)
    return post


def _replace(record: Post) -> Callable[[MutableMapping[Any, Any]], None]:
    def transform(doc: MutableMapping[Any, Any]) -> None:
        doc.clear()
        doc.update(record)
    return transform


def move(db: TinyDB, post_id: str, at: datetime, now: datetime) -> Post:
    post = get(db, post_id)
    if post["status"] not in FUTURE:
        raise CampaignError(_m("{post_id} is {status}; only planned or failed posts can be moved.",
                               post_id=post_id, status=post['status']))
    if at <= now:
        raise CampaignError(_m("{at:%Y-%m-%d %H:%M} is in the past.", at=at),
                            _m("Choose a time ahead, or use `campaign publish`."))
    post = update(db, post_id, now, status=PostStatus.PLANNED, note=f"moved from {post['at']}", at=_stamp(at),
                  next_try=None, error=None, reason=None)
    audit.record(db, "post.move", post_id, now=now, at=post["at"])
    return post


def cancel(db: TinyDB, post_id: str, now: datetime, reason: str = _m("cancelled by hand")) -> Post:
    post = get(db, post_id)
    if post["status"] == PostStatus.CANCELLED:
        return post
    if post["status"] not in FUTURE:
        hint = {PostStatus.PUBLISHED: "It is already out: take it down on the platform by hand.",
                PostStatus.PUBLISHING: "It is going out right now; check `campaign status` in a moment.",
                PostStatus.UNKNOWN: "Settle it first: campaign reconcile (or check the account)."}[post["status"]]
        raise CampaignError(_m("{post_id} is {status} and cannot be cancelled.", post_id=post_id,
                               status=post['status']),
                            hint)
    post = update(db, post_id, now, status=PostStatus.CANCELLED, note=reason, reason=reason, next_try=None)
    audit.record(db, "post.cancel", post_id, now=now, reason=reason)
    return post


def retry(db: TinyDB, post_id: str, now: datetime, at: datetime | None = None) -> Post:
    """Put a failed (or, after a person checked, unknown) post back in the queue."""
    post = get(db, post_id)
    if post["status"] not in (PostStatus.FAILED, PostStatus.UNKNOWN):
        raise CampaignError(_m("{post_id} is {status}; only failed or unknown posts can be retried.",
                               post_id=post_id, status=post['status']))
    when = at or now
    post = update(db, post_id, now, status=PostStatus.PLANNED,
                  note=_m("retry requested (was {status})", status=post['status']),
                  at=_stamp(max(when, now)), next_try=None, attempts=0, error=None, reason=None)
    audit.record(db, "post.retry", post_id, now=now)
    return post


def cancel_for_withdrawal(db: TinyDB, portrait_id: str, scopes: set[str], now: datetime) -> Withdrawn:
    """Cancel the person's not-yet-published posts on withdrawn channels; list the published ones."""
    cancelled: list[Post] = []
    takedown: list[Post] = []
    for post in [cast(Post, dict(d)) for d in db.table("posts").search(Query().portrait_id == portrait_id)]:
        if post.get("channel") not in scopes:
            continue
        if post["status"] in FUTURE:
            cancelled.append(update(db, post["id"], now, status=PostStatus.CANCELLED, note=_m("consent withdrawn"),
                                    reason=_m("consent withdrawn"), next_try=None))
        elif post["status"] in OUT:
            takedown.append(post)
    return {"cancelled": cancelled, "takedown": takedown}


def in_range(posts: list[Post], start: datetime | None, end: datetime | None) -> list[Post]:
    out = []
    for p in posts:
        at = datetime.fromisoformat(p["at"])
        if start and at < start:
            continue
        if end and at >= end:
            continue
        out.append(p)
    return out
