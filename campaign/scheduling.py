"""Core functions behind `campaign schedule ...`, `run`, `publish` and `status`."""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from campaign import erasure, footprint
from campaign.store import atomic_write_bytes
from campaign.workspace import Workspace
from portraits import consent, records
from portraits.dates import parse_clock, parse_date, parse_datetime
from portraits.errors import CampaignError
from schedules import captions, ical, plan as planner, posts
from schedules.channel import CHANNELS
from schedules.runner import DaemonLock


def channels_from(value: str | None, config: dict) -> list[str]:
    names = [c.strip().lower() for c in (value or "").split(",") if c.strip()] or \
        [c for c in CHANNELS if c in config.channels] or list(CHANNELS)
    unknown = [c for c in names if c not in CHANNELS]
    if unknown:
        raise CampaignError(f"Unknown channel {', '.join(unknown)}.", f"Use {' or '.join(CHANNELS)}.")
    return list(dict.fromkeys(names))  # "instagram,instagram" is one channel, never two posts


def plan_posts(ws: Workspace, start: str | date, end: str | date | None = None, days: str | None = None,
               at: str | None = None, channels: str | None = None) -> dict:
    posting = ws.config.posting
    first = parse_date(start, "start date")
    last = parse_date(end, "end date") if end else planner.default_end(first)
    clock = parse_clock(at or posting.time)
    names = channels_from(channels, ws.config)
    with ws.store.transaction() as db:
        result = planner.plan(db, first, last, days=days or posting.days, at=clock, channels=names, tz=ws.tz,
                              holidays_country=posting.holidays_country,
                              holidays_subdivision=posting.holidays_subdivision, now=ws.now())
        for post in result["created"]:
            captions.caption(records.get(db, post["portrait_id"]), post.get("lang"), ws.config, post["channel"])
    return result


def add_post(ws: Workspace, portrait_id: str, at: str, channel: str | None = None) -> list[dict]:
    when = parse_datetime(at, ws.tz, "time")
    names = channels_from(channel, ws.config)
    now = ws.now()
    if when <= now:
        raise CampaignError(f"{when:%Y-%m-%d %H:%M} is in the past.", "Give a time ahead, or use `campaign publish`.")
    created = []
    with ws.store.transaction() as db:
        portrait = records.get(db, portrait_id)
        if portrait.get("status") != "approved":
            raise CampaignError(f"{portrait_id} is not approved.", f"Approve it first: campaign portrait approve {portrait_id}.")
        for name in names:
            if not consent.is_valid(db, portrait_id, name, when.date()):
                raise CampaignError(f"{portrait_id} has no valid {name} consent on {when:%Y-%m-%d}.",
                                    "Record the consent first, or choose another channel or day.")
            captions.caption(portrait, portrait.get("lang"), ws.config, name)
            created.append(posts.create(db, portrait_id, name, when, now, lang=portrait.get("lang"), origin="manual"))
    return created


def list_posts(ws: Workspace, start: str | None = None, end: str | None = None, status: str | None = None) -> list[dict]:
    db = ws.store.read()
    first = parse_date(start, "from date") if start else None
    last = parse_date(end, "to date") if end else None
    lo = datetime.combine(first, datetime.min.time(), ws.tz) if first else None
    hi = datetime.combine(last, datetime.max.time(), ws.tz) if last else None
    names = {p["id"]: p["first_name"] for p in records.all_portraits(db)}
    rows = posts.in_range(posts.all_posts(db), lo, hi)
    if status:
        rows = [p for p in rows if p["status"] == status]
    return [dict(p, first_name=names.get(p["portrait_id"])) for p in rows]


def move_post(ws: Workspace, post_id: str, to: str) -> dict:
    when = parse_datetime(to, ws.tz, "new time")
    with ws.store.transaction() as db:
        return posts.move(db, post_id, when, ws.now())


def cancel_post(ws: Workspace, post_id: str) -> dict:
    with ws.store.transaction() as db:
        return posts.cancel(db, post_id, ws.now())


def retry_post(ws: Workspace, post_id: str, at: str | None = None) -> dict:
    when = parse_datetime(at, ws.tz) if at else None
    with ws.store.transaction() as db:
        return posts.retry(db, post_id, ws.now(), when)


def export_ical(ws: Workspace, out: Path) -> dict:
    db = ws.store.read()
    portraits = {p["id"]: records.public(p) for p in records.all_portraits(db)}
    rows = posts.all_posts(db)
    domain = re.sub(r"[^a-z0-9]+", "", ws.config.hashtag.lower()) + ".campaign"
    data = ical.calendar(rows, portraits, ws.config.name, domain)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, data)
    footprint.record_output(ws, "calendar", out, {p["portrait_id"] for p in rows if p["portrait_id"] in portraits})
    return {"file": str(out), "events": len(rows)}


def status_report(ws: Workspace, upcoming: int = 5) -> dict:
    db = ws.store.read()
    all_rows = posts.all_posts(db)
    now = ws.now()
    planned = sorted((p for p in all_rows if p["status"] == "planned"), key=posts.due_time)
    channels = []
    for name in CHANNELS:
        settings = ws.config.channels.get(name)
        if settings is None:
            continue
        last = [p for p in all_rows if p["channel"] == name and p["status"] in ("published", "failed", "unknown")]
        last.sort(key=lambda p: p["history"][-1]["at"])
        from campaign.channels import readiness

        channels.append({"channel": name, "publisher": settings.publisher,
                         "health": readiness(ws, name),
                         "last": (last[-1]["status"] if last else None),
                         "last_error": (last[-1].get("error") if last and last[-1]["status"] != "published" else None)})
    return {
        "now": now.isoformat(timespec="seconds"),
        "daemon_running": DaemonLock.running(ws),
        "due_now": [p for p in planned if posts.due_time(p) <= now],
        "next": [p for p in planned if posts.due_time(p) > now][:upcoming],
        "publishing": [p for p in all_rows if p["status"] == "publishing"],
        "failed": [p for p in all_rows if p["status"] == "failed"],
        "unknown": [p for p in all_rows if p["status"] == "unknown"],
        "channels": channels,
        "erasures": erasure.summary(db),
        "redo": footprint.redo(ws, db),
    }
