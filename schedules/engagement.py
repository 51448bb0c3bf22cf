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
from portraits.messages import _m
from schedules import posts
from schedules.meta_export import NumberError, parse_number

SOURCES = ("fetch", "import", "manual")
FIGURES = ("likes", "comments", "shares", "reach")


def _count(name: str, value: Any, optional: bool = False) -> int | None:
    """A figure typed by a person ("1.700", "1700") or given by a platform (an int)."""
    hint = _m("Give --{name} as a whole number, 0 or more (1.700 and 1700 are both one thousand seven hundred).",
              name=name)
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise CampaignError(_m("The number of {name} ({value!r}) is not a whole number.", name=name, value=value),
                            hint)
    if isinstance(value, (int, float)):
        number: int | None = int(value)
    else:
        try:
            number = parse_number("" if value is None else str(value), name, comma_groups=False)
        except NumberError as e:
            raise CampaignError(_m("The number of {name}: {problem}.", name=name, problem=e.problem), hint) from None
    if number is None:
        if optional:
            return None
        raise CampaignError(_m("The number of {name} is missing.", name=name), hint)
    if number < 0:
        raise CampaignError(_m("The number of {name} ({number}) cannot be negative.", name=name, number=number),
                            hint)
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
        raise CampaignError(_m("Post {post_id} is {status}, not published; it has no engagement yet.",
                               post_id=post_id, status=post['status']),
                            _m("Record figures only for published posts (see `campaign schedule list`)."))
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


def latest_by_portrait(db: TinyDB, post_owner: dict[str, str]) -> dict[str, dict[str, int]]:
    """portrait id -> the latest figures of each of its posts, added up (what people see today;
    the ranking compares posts at the same age instead)."""
    latest: dict[str, dict] = {}
    for s in snapshots(db):
        latest[s["post_id"]] = s  # snapshots come oldest first
    out: dict[str, dict[str, int]] = {}
    for post_id, s in latest.items():
        owner = post_owner.get(post_id)
        if owner is None:
            continue
        row = out.setdefault(owner, {"likes": 0, "comments": 0, "shares": 0})
        for k in row:
            row[k] += int(s[k])
    return out
