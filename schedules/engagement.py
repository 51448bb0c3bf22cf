"""Engagement snapshots: what a published post had collected, and when we looked.

Each fetch, import or hand-typed figure is a new snapshot (a time series, never an overwrite),
so the ranking can read every post at the same age. One document per snapshot in the
`engagement` table:

    {"post_id", "portrait_id", "channel", "at" (ISO 8601 with offset, when counted),
     "likes", "comments", "shares", "reach" (int or None), "source" ("fetch"|"import"|"manual")}
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from tinydb import Query, TinyDB

from portraits import audit
from portraits.errors import CampaignError
from schedules import posts

SOURCES = ("fetch", "import", "manual")
FIGURES = ("likes", "comments", "shares", "reach")


def _count(name: str, value: Any, optional: bool = False) -> int | None:
    if value is None or value == "":
        if optional:
            return None
        raise CampaignError(f"The number of {name} is missing.", f"Give --{name} as a whole number, 0 or more.")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise CampaignError(f"The number of {name} ({value!r}) is not a whole number.",
                            f"Give --{name} as a whole number, 0 or more.") from None
    if number < 0 or number != value and str(number) != str(value).strip():
        raise CampaignError(f"The number of {name} ({value}) cannot be negative or a fraction.",
                            f"Give --{name} as a whole number, 0 or more.")
    return number


def record(db: TinyDB, post_id: str, *, likes: Any, comments: Any, shares: Any = 0, reach: Any = None,
           at: datetime, source: str = "manual") -> dict:
    """Store one snapshot for a published post (call inside a store transaction)."""
    if source not in SOURCES:
        raise ValueError(f"unknown engagement source {source!r}")
    if at.tzinfo is None:
        raise ValueError("snapshot times must be timezone-aware")
    post = posts.get(db, post_id)
    if post["status"] != "published":
        raise CampaignError(f"Post {post_id} is {post['status']}, not published; it has no engagement yet.",
                            "Record figures only for published posts (see `campaign schedule list`).")
    snap = {"post_id": post_id, "portrait_id": post["portrait_id"], "channel": post["channel"],
            "at": at.isoformat(timespec="seconds"),
            "likes": _count("likes", likes), "comments": _count("comments", comments),
            "shares": _count("shares", shares), "reach": _count("reach", reach, optional=True),
            "source": source}
    db.table("engagement").insert(snap)
    audit.record(db, "engagement.record", post_id, at, source=source)
    return snap


def snapshots(db: TinyDB, post_id: str | None = None) -> list[dict]:
    """Snapshots, oldest first (for one post, or all)."""
    table = db.table("engagement")
    docs = table.all() if post_id is None else table.search(Query().post_id == post_id)
    return sorted((dict(d) for d in docs), key=lambda s: (datetime.fromisoformat(s["at"]), s["post_id"]))
