"""Settling `unknown` posts by looking at what the account really shows.

A post whose publish call may or may not have reached the platform is matched against the
account's recent media: the same caption, published close to the attempt. Found means it went
out (we take the platform's id); not found once the window has passed means it did not, and
the post fails with the reason, ready for `schedule retry`. Never a blind second upload.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from portraits.messages import _m
from schedules.model import Post, PostStatus


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def attempt_time(post: Post) -> datetime:
    return datetime.fromisoformat(post.get("attempted_at") or post["at"])


def decide(post: Post, media: list[dict[str, Any]], taken: set[str], now: datetime,
           window: timedelta) -> dict[str, Any]:
    """{"status": "published", "media": m} | {"status": "failed", "reason": ...} | {"status": "unknown", ...}."""
    tried = attempt_time(post)
    if post.get("format") == "story":  # stories are not among the account's media and have no caption
        return {"status": PostStatus.UNKNOWN, "reason": _m("a story cannot be looked up among the account's posts; "
                                                  "check the account's stories by hand, then: campaign "
                                                  "schedule retry {id} if it is not there", id=post['id'])}
    caption = _norm(post.get("caption"))
    candidates = [m for m in media if m["remote_id"] not in taken and caption and _norm(m.get("caption")) == caption
                  and abs(datetime.fromisoformat(m["at"]) - tried) <= window]
    if candidates:
        best = min(candidates, key=lambda m: abs(datetime.fromisoformat(m["at"]) - tried))
        return {"status": PostStatus.PUBLISHED, "media": best}
    if now - tried > window:
        return {"status": PostStatus.FAILED,
                "reason": _m("not on {channel} within {value:.0f} minutes of the attempt ({tried:%Y-%m-%d "
                             "%H:%M}); it did not go out - campaign schedule retry {id}",
                             channel=post['channel'], value=window.total_seconds() / 60, tried=tried,
                             id=post['id'])}
    return {"status": PostStatus.UNKNOWN,
            "reason": _m("not found yet; ask again after {value:%H:%M}", value=tried + window)}


def decide_settled(post: Post, answer: dict[str, Any], media: list[dict[str, Any]], taken: set[str],
                   now: datetime, window: timedelta) -> dict[str, Any]:
    """The verdict when the platform could say what became of the post's own container (a publisher's
    `settle`): it is the platform's word, so no guess by caption is needed to know *whether* it went out,
    only to learn its media id (unless the answer names it: a status holding the post's own images)."""
    state = answer["state"]
    if state == "published":
        found = {"media": answer["media"]} if answer.get("media") else decide(post, media, taken, now, window)
        match = found.get("media") or {"remote_id": None, "permalink": None, "at": attempt_time(post).isoformat()}
        note = "" if found.get("media") else "; its media id is not among the recent media yet"
        return {"status": PostStatus.PUBLISHED, "media": match, "reason": answer["reason"] + note}
    if state == "failed":
        return {"status": PostStatus.FAILED, "reason": answer["reason"]}
    tried = attempt_time(post)
    if state == "not_published" and now - tried > window:
        return {"status": PostStatus.FAILED, "reason": _m("{reason} within {value:.0f} minutes; it did not go out - "
                                                 "campaign schedule retry {id}",
                                                 reason=answer['reason'], value=window.total_seconds() / 60,
                                                 id=post['id'])}
    return {"status": PostStatus.UNKNOWN, "reason": _m("{reason}; ask again after {value:%H:%M}",
                                              reason=answer['reason'], value=tried + window)}
