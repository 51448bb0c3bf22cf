"""Ranking portraits by engagement, fairly: every post is read at the same age.

A post published a month ago has had four times as long to collect likes as one from last week.
So each post is counted as it stood `age_days` after it was published: from the snapshot at that
moment, or linearly interpolated between the snapshots just before and just after it (publishing
itself counts as a snapshot of zeros). A post younger than that uses its latest figures and says so.
A portrait's score is the weighted sum over all its posts on all channels (likes, comments, shares
weighted from campaign.toml), optionally per 1,000 accounts reached. Each row says how it came about.

Channels are compared fairly: 200 likes on a Mastodon instance are not 200 likes on Instagram. When
the posts span more than one channel (and scores are not per reach, which already compares them),
each post's weighted figures are divided by the median of its channel's posts, so 100 is a typical
post on that channel, before they are added up; the explanation says so, with each median.
"""
from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from tinydb import TinyDB

from portraits import records
from portraits.messages import _m, _mn, join
from schedules import engagement, posts
from schedules.model import Post, PostStatus

COUNTS = ("likes", "comments", "shares")
# What each count is called in the formula a person reads.
COUNT_NAMES = {"likes": _m("likes"), "comments": _m("comments"), "shares": _m("shares")}
DEFAULT_WEIGHTS = {"likes": 1, "comments": 2, "shares": 3}


def _round(value: float) -> float | int:
    value = round(value, 1)
    return int(value) if value == int(value) else value


def published_time(post: Post) -> datetime:
    return datetime.fromisoformat(post.get("published_at") or post["at"])


def figures_at_age(snaps: Iterable[dict[str, Any]], published: datetime, age: timedelta,
                   now: datetime) -> dict[str, Any]:
    """A post's figures as they stood `age` after `published` (snapshots oldest first).

    Returns likes/comments/shares/reach (floats; reach None when unknown), `counted_at` and `how`.
    """
    target = published + age
    points = [(datetime.fromisoformat(s["at"]), s) for s in snaps]
    points = [(at, s) for at, s in points if at >= published]
    if not points:
        return {"likes": 0.0, "comments": 0.0, "shares": 0.0, "reach": None, "counted_at": None,
                "how": _m("no figures yet")}
    days = age.total_seconds() / 86400
    if now < target:
        at, s = points[-1]
        old = (now - published).total_seconds() / 86400
        return {**{k: float(s[k]) for k in COUNTS}, "reach": s.get("reach"), "counted_at": at.isoformat(),
                "how": _m("latest figures, post is only {old:.0f} days old (scored at {days:g} days)", old=old,
                          days=days)}
    before = [(at, s) for at, s in points if at <= target]
    after = [(at, s) for at, s in points if at > target]
    if before and before[-1][0] == target:
        at, s = before[-1]
        return {**{k: float(s[k]) for k in COUNTS}, "reach": s.get("reach"), "counted_at": at.isoformat(),
                "how": _m("counted at {days:g} days", days=days)}
    if not after:
        at, s = before[-1]
        counted = (at - published).total_seconds() / 86400
        return {**{k: float(s[k]) for k in COUNTS}, "reach": s.get("reach"), "counted_at": at.isoformat(),
                "how": _m("last count at {counted:.1f} days (none after); scored at {days:g} days",
                          counted=counted, days=days)}
    t1, s1 = after[0]
    if before:
        t0, s0 = before[-1]
        zero = False
    else:
        t0, s0, zero = published, {k: 0 for k in COUNTS} | {"reach": 0}, True
    f = (target - t0).total_seconds() / (t1 - t0).total_seconds()
    out: dict[str, float | None] = {k: float(s0[k]) + f * (float(s1[k]) - float(s0[k])) for k in COUNTS}
    r0, r1 = s0.get("reach"), s1.get("reach")
    out["reach"] = (float(r0) + f * (float(r1) - float(r0))) if r0 is not None and r1 is not None else None
    d0 = (t0 - published).total_seconds() / 86400
    d1 = (t1 - published).total_seconds() / 86400
    start = _m("publishing (0)") if zero else _m("{days:.1f} days", days=d0)
    return {**out, "counted_at": target.isoformat(),
            "how": _m("interpolated at {days:g} days between {start} and {d1:.1f} days", days=days, start=start,
                      d1=d1)}


def channel_medians(weighted: dict[str, list[float]]) -> dict[str, float]:
    """Per channel, the median weighted figure of its posts (channels with none above zero left out)."""
    return {channel: statistics.median(values) for channel, values in weighted.items()
            if values and statistics.median(values) > 0}


# long: a row needs the whole ranking's figures (weights, channel medians); a helper would take eight locals
def rank(db: TinyDB, now: datetime, weights: dict[str, float] | None = None, age_days: float = 7,
         per_reach: bool = False, across_channels: str = "median") -> list[dict[str, Any]]:
    """Portraits with published posts, best first (ties: by id), each with how its score came about.
    `across_channels`: "median" puts each channel's figures on its own scale (100 = its median post)
    when posts span several channels; "sum" adds the raw figures."""
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    w = {k: float(w[k]) for k in COUNTS}
    age = timedelta(days=float(age_days))
    snaps_by_post: dict[str, list[dict[str, Any]]] = {}
    for s in engagement.snapshots(db):
        snaps_by_post.setdefault(s["post_id"], []).append(s)
    by_portrait: dict[str, list[Post]] = {}
    for post in posts.all_posts(db):
        if post["status"] == PostStatus.PUBLISHED:
            by_portrait.setdefault(post["portrait_id"], []).append(post)
    figs = {post["id"]: figures_at_age(snaps_by_post.get(post["id"], []), published_time(post), age, now)
            for plist in by_portrait.values() for post in plist}
    weighted_by_channel: dict[str, list[float]] = {}
    for plist in by_portrait.values():
        for post in plist:
            weighted_by_channel.setdefault(post["channel"], []).append(sum(w[k] * figs[post["id"]][k] for k in COUNTS))
    medians = channel_medians(weighted_by_channel) if (
        across_channels == "median" and not per_reach and len(weighted_by_channel) > 1) else {}
    names = {p["id"]: p for p in records.all_portraits(db)}
    rows: list[dict[str, Any]] = []
    for pid, plist in by_portrait.items():
        totals = {k: 0.0 for k in COUNTS}
        reach_total, reach_known = 0.0, True
        details: list[dict[str, Any]] = []
        score = 0.0
        for post in plist:
            fig = figs[post["id"]]
            weighted = sum(w[k] * fig[k] for k in COUNTS)
            for k in COUNTS:
                totals[k] += fig[k]
            if fig["reach"]:
                reach_total += fig["reach"]
            else:
                reach_known = False
            if per_reach:
                part = 1000 * weighted / fig["reach"] if fig["reach"] else 0.0
            elif post["channel"] in medians:
                part = 100 * weighted / medians[post["channel"]]
            else:
                part = weighted
            score += part
            how = fig["how"] if not per_reach or fig["reach"] else _m("{how}; no reach known, not counted",
                                                                      how=fig["how"])
            if post["channel"] in medians:
                how = _m("{how}; {weighted:g} against the {channel} median of {median:g}", how=how,
                         weighted=_round(weighted), channel=post["channel"], median=_round(medians[post["channel"]]))
            details.append({"post_id": post["id"], "channel": post["channel"],
                            "published_at": published_time(post).isoformat(),
                            **{k: _round(fig[k]) for k in COUNTS},
                            "reach": _round(fig["reach"]) if fig["reach"] is not None else None,
                            "score": _round(part), "how": how})
        formula = join(" + ", [_m("{weight:g}x{count}", weight=float(w[k]), count=COUNT_NAMES[k]) for k in COUNTS])
        figures = {"channels": ", ".join(sorted({p["channel"] for p in plist})), "days": float(age_days),
                   "formula": formula}
        why: str = (_mn("{n} post on {channels}, at {days:g} days; score = {formula} per 1,000 reached",
                   "{n} posts on {channels}, each at {days:g} days; score = {formula} per 1,000 reached",
                   len(plist), **figures) if per_reach else
               _mn("{n} post on {channels}, at {days:g} days; score = {formula}",
                   "{n} posts on {channels}, each at {days:g} days; score = {formula}", len(plist), **figures))
        if medians:
            why = _m("{why}, each post against the median post of its channel (= 100): {medians}", why=why,
                     medians=", ".join(f"{c} {_round(m):g}" for c, m in sorted(medians.items())))
        portrait = names.get(pid, {})
        rows.append({"portrait_id": pid, "first_name": portrait.get("first_name"),
                     "age": portrait.get("age"), "role": portrait.get("role"),
                     "role_category": portrait.get("role_category"), "score": _round(score),
                     **{k: _round(totals[k]) for k in COUNTS},
                     "reach": _round(reach_total) if reach_known and plist else None,
                     "posts": details, "why": why})
    rows.sort(key=lambda r: (-r["score"], r["portrait_id"]))
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows


def scores(db: TinyDB, now: datetime, **settings: Any) -> dict[str, float]:
    """portrait id -> score (portraits never published have none)."""
    return {r["portrait_id"]: r["score"] for r in rank(db, now, **settings)}
