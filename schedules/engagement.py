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
from schedules.model import PostStatus

SOURCES = ("fetch", "import", "manual")
FIGURES = ("likes", "comments", "shares", "reach")
# More than everyone on earth: a figure above this is a typing or export mistake. Far beyond it, a
# figure would not fit a float (the ranking's arithmetic) nor print as a number.
MAX_COUNT = 10_000_000_000  # "10 billion" in the messages


def out_of_range(snap: dict[str, Any]) -> list[str]:
    """The figures of a stored snapshot that are not whole numbers from 0 to MAX_COUNT (reach may be None)."""
    wrong = []
    for name in FIGURES:
        value = snap.get(name)
        if value is None and name in ("reach", "shares"):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_COUNT:
            wrong.append(name)
    return wrong


def _count(name: str, value: Any, optional: bool = False) -> int | None:
    """A figure typed by a person ("1.700", "1700") or given by a platform (an int)."""
    hint = _m("Give --{name} as a whole number from 0 to 10 billion (1.700 and 1700 are both one thousand "
              "seven hundred).", name=name)
    if isinstance(value, str) and sum(ch.isdigit() for ch in value) > len(str(MAX_COUNT)) + 1:
        raise CampaignError(_m("The number of {name} is far out of range ({digits} digits).", name=name,
                               digits=sum(ch.isdigit() for ch in value)), hint)
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
    if number > MAX_COUNT:
        raise CampaignError(_m("The number of {name} ({number}) is out of range.", name=name,
                               number=number if number < 10 ** 30 else f"{len(str(number))} digits"), hint)
    return number


def check_figures(figures: dict[str, Any]) -> None:
    """Refuse figures (None = not given) outside 0 to MAX_COUNT, before anything is stored."""
    for name, value in figures.items():
        if value is not None and not 0 <= value <= MAX_COUNT:
            raise CampaignError(_m("{name} {value} is out of range (0 to 10 billion)", name=name,
                                   value=value if value < 10 ** 30 else f"({len(str(value))} digits)"))


def record(db: TinyDB, post_id: str, *, likes: Any, comments: Any, shares: Any = 0, reach: Any = None,
           at: datetime, source: str = "manual") -> dict[str, Any]:
    """Store one snapshot for a published post (call inside a store transaction)."""
    if source not in SOURCES:
        raise ValueError(f"unknown engagement source {source!r}")
    if at.tzinfo is None:
        raise ValueError("snapshot times must be timezone-aware")
    post = posts.get(db, post_id)
    if post["status"] != PostStatus.PUBLISHED:
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


def snapshots(db: TinyDB, post_id: str | None = None) -> list[dict[str, Any]]:
    """Snapshots, oldest first (for one post, or all); one with a figure out of range is left out
    (see `skipped`), so that it cannot break the ranking, the report or the billboard pick for good."""
    table = db.table("engagement")
    docs = table.all() if post_id is None else table.search(Query().post_id == post_id)
    return sorted((dict(d) for d in docs if not out_of_range(d)),
                  key=lambda s: (datetime.fromisoformat(s["at"]), s["post_id"]))


def skipped(db: TinyDB) -> list[dict[str, Any]]:
    """Stored snapshots left out of every ranking because a figure is out of range (doctor lists them)."""
    return [dict(d, wrong=out_of_range(d)) for d in db.table("engagement").all() if out_of_range(d)]


def latest_by_portrait(db: TinyDB, post_owner: dict[str, str]) -> dict[str, dict[str, int]]:
    """portrait id -> the latest figures of each of its posts, added up (what people see today;
    the ranking compares posts at the same age instead)."""
    latest: dict[str, dict[str, Any]] = {}
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
