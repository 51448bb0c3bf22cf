"""Heute: what needs someone today, then the next seven days as the posts will appear.

One function for the web app's first page (and any script): failed and unknown posts, posts waiting
for approval grouped by day, consent running out within 30 days, take-down tasks after a
withdrawal, outputs to make again; then the week's posts.
"""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from campaign.privacy import places
from campaign.workspace import Workspace
from portraits import audit, consent, records
from portraits.dates import days_ahead
from portraits.derived import derived
from portraits.errors import CampaignError
from portraits.messages import _m
from schedules import posts
from schedules.model import Post, PostStatus

EXPIRING_DAYS = 30
APPROVAL_AHEAD_DAYS = 14  # waiting posts further ahead are on the calendar, not on Heute
WEEK_DAYS = 8  # today and the next seven


def takedown_tasks(all_posts: list[Post], sums: dict[str, dict]) -> list[Post]:
    """Published posts of people who withdrew that channel since, not yet marked as taken down.
    `sums`: consent.summaries of today."""
    return [post for post in all_posts if post["status"] in posts.OUT and not post.get("taken_down_at")
            and post["channel"] in sums.get(post["portrait_id"], consent.EMPTY)["withdrawn"]]


def mark_taken_down(ws: Workspace, post_id: str) -> Post:
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
    from campaign.posting.scheduling import awaiting_approval

    db = ws.store.read()
    now = ws.now()
    all_rows = posts.in_order(db)  # read only: what leaves here is a copy (dict(p, ...)) or a new row
    people = {p["id"]: p for p in records.all_portraits(db)}
    names = {pid: p["first_name"] for pid, p in people.items()}
    sums = consent.summaries(db, now.date())
    planned = derived(db, "dashboard.planned",
                      lambda: sorted((p for p in all_rows if p["status"] == PostStatus.PLANNED), key=posts.due_time))
    horizon_due = now + timedelta(days=APPROVAL_AHEAD_DAYS)
    soon = list(itertools.takewhile(lambda p: posts.due_time(p) <= horizon_due, planned))
    waiting = awaiting_approval(ws, db, soon, people)
    by_day: dict[str, list[dict]] = {}
    for row in waiting:
        row["first_name"] = names.get(row["portrait_id"])
        day = datetime.fromisoformat(row["at"]).astimezone(ws.tz).date().isoformat()
        by_day.setdefault(day, []).append(row)
    start = datetime.combine(now.date(), datetime.min.time(), ws.tz)
    week = posts.between(db, start, start + timedelta(days=WEEK_DAYS))
    days: dict[str, list[dict]] = {(now.date() + timedelta(days=n)).isoformat(): [] for n in range(WEEK_DAYS)}
    for post in week:
        day = datetime.fromisoformat(post["at"]).astimezone(ws.tz).date().isoformat()
        if day in days:
            days[day].append(dict(post, first_name=names.get(post["portrait_id"])))
    horizon = days_ahead(now.date(), EXPIRING_DAYS)
    expiring = [{"portrait_id": pid, "first_name": names[pid], **s} for pid, s in sums.items()
                if pid in names and s["scopes"] and (until := records.as_date(s["expires"])) and until <= horizon]
    return {
        "now": now,
        "approval_rule": ws.config.posting.approval,
        "failed": [dict(p, first_name=names.get(p["portrait_id"])) for p in all_rows
                   if p["status"] == PostStatus.FAILED],
        "unknown": [dict(p, first_name=names.get(p["portrait_id"])) for p in all_rows
                    if p["status"] == PostStatus.UNKNOWN],
        "waiting": by_day,
        "waiting_count": len(waiting),
        "expiring": sorted(expiring, key=lambda r: r["expires"]),
        "takedown": [dict(p, first_name=names.get(p["portrait_id"])) for p in takedown_tasks(all_rows, sums)],
        "redo": places.redo(ws, db),
        "days": days,
    }
