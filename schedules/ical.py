"""The posting calendar as iCalendar, for staff to subscribe to. First names only.

Each post keeps the same UID on every export, so a calendar app updates the event instead of
adding a second one when a post moves or is cancelled.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from schedules.model import Post, PostStatus


def _summary(post: Post, who: str) -> str:
    return f"{post['channel'].capitalize()}: {who}"


def _description(post: Post) -> str:
    return f"Post {post['id']}, status {post['status']}"


def calendar(posts: list[Post], portraits: dict[str, dict[str, Any]], name: str, domain: str,
             summary: Callable[[Post, str], str] = _summary,
             description: Callable[[Post], str] = _description) -> bytes:
    """`summary` and `description` word an event (the caller's language; English by default)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//solidarity campaign//campaign//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for post in posts:
        p = portraits.get(post["portrait_id"])
        who = f"{p['first_name']} ({p['age']}), {p['role']}" if p else post["portrait_id"]
        start = datetime.fromisoformat(post["at"]).astimezone(UTC)
        changed = datetime.fromisoformat(post["history"][-1]["at"]).astimezone(UTC)
        ev = Event()
        ev.add("uid", f"{post['id']}@{domain}")
        ev.add("dtstamp", changed)
        ev.add("dtstart", start)
        ev.add("dtend", start + timedelta(minutes=15))
        ev.add("summary", summary(post, who))
        link = post.get("permalink") or ""
        ev.add("description", description(post) + (f", {link}" if link.startswith("http") else ""))
        ev.add("status", "CANCELLED" if post["status"] == PostStatus.CANCELLED else "CONFIRMED")
        ev.add("sequence", len(post.get("history", [])))
        cal.add_component(ev)
    data: bytes = cal.to_ical()
    return data
