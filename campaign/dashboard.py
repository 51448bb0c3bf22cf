"""Heute: what needs someone today, then the next seven days as the posts will appear.

One function for the web app's first page (and any script): failed and unknown posts, posts waiting
for approval grouped by day, consent running out within 30 days, take-down tasks after a
withdrawal, outputs to make again; then the week's posts.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from campaign import footprint
from campaign.workspace import Workspace
from portraits import audit, consent, records
from portraits.errors import CampaignError
from portraits.messages import _m
from schedules import posts

EXPIRING_DAYS = 30
APPROVAL_AHEAD_DAYS = 14  # waiting posts further ahead are on the calendar, not on Heute
WEEK_DAYS = 8  # today and the next seven


def takedown_tasks(ws: Workspace, db) -> list[dict]:
    """Published posts of people who withdrew that channel since, not yet marked as taken down."""
    today = ws.now().date()
    sums = consent.summaries(db, today)
    tasks = []
    for post in posts.all_posts(db):
        if post["status"] not in posts.OUT or post.get("taken_down_at"):
            continue
        withdrawn = sums.get(post["portrait_id"], consent.EMPTY)["withdrawn"]
        if post["channel"] in withdrawn:
            tasks.append(post)
    return tasks


def mark_taken_down(ws: Workspace, post_id: str) -> dict:
    """Someone removed the post from the platform: it leaves the take-down list (and the audit says who)."""
    with ws.store.transaction() as db:
        post = posts.get(db, post_id)
        if post["status"] not in posts.OUT:
            raise CampaignError(_m("{post_id} was never published, so there is nothing to take down.",
                                   post_id=post_id))
        now = ws.now()
        done = posts.set_fields(db, post_id, taken_down_at=now.isoformat(timespec="seconds"))
        audit.record(db, "post.taken_down", post_id, now=now)
        return done


def overview(ws: Workspace) -> dict:
    """Everything Heute shows, read from one snapshot of the store."""
    from campaign.scheduling import awaiting_approval

    db = ws.store.read()
    now = ws.now()
    all_rows = posts.all_posts(db)
    names = {p["id"]: p["first_name"] for p in records.all_portraits(db)}
    planned = sorted((p for p in all_rows if p["status"] == "planned"), key=posts.due_time)
    soon = [p for p in planned if posts.due_time(p) <= now + timedelta(days=APPROVAL_AHEAD_DAYS)]
    waiting = awaiting_approval(ws, db, soon)
    by_day: dict[str, list[dict]] = {}
    for row in waiting:
        row["first_name"] = names.get(row["portrait_id"])
        day = datetime.fromisoformat(row["at"]).astimezone(ws.tz).date().isoformat()
        by_day.setdefault(day, []).append(row)
    start = datetime.combine(now.date(), datetime.min.time(), ws.tz)
    week = posts.in_range(all_rows, start, start + timedelta(days=WEEK_DAYS))
    days: dict[str, list[dict]] = {(now.date() + timedelta(days=n)).isoformat(): [] for n in range(WEEK_DAYS)}
    for post in week:
        day = datetime.fromisoformat(post["at"]).astimezone(ws.tz).date().isoformat()
        if day in days:
            days[day].append(dict(post, first_name=names.get(post["portrait_id"])))
    expiring = consent.status(db, now.date(), expiring_within=EXPIRING_DAYS)
    return {
        "now": now,
        "approval_rule": ws.config.posting.approval,
        "failed": [dict(p, first_name=names.get(p["portrait_id"])) for p in all_rows if p["status"] == "failed"],
        "unknown": [dict(p, first_name=names.get(p["portrait_id"])) for p in all_rows if p["status"] == "unknown"],
        "waiting": by_day,
        "waiting_count": len(waiting),
        "expiring": [r for r in expiring if r["scopes"]],
        "takedown": [dict(p, first_name=names.get(p["portrait_id"])) for p in takedown_tasks(ws, db)],
        "redo": footprint.redo(ws, db),
        "days": days,
    }
