"""Core functions behind `campaign engagement ...`: figures from the platforms, exports and people."""
from __future__ import annotations

from typing import Any

from campaign.workspace import Workspace
from portraits.dates import parse_datetime
from portraits.errors import CampaignError
from schedules import engagement, ranking


def record_engagement(ws: Workspace, post_id: str, likes: Any, comments: Any, shares: Any = 0,
                      reach: Any = None, at: str | None = None) -> dict:
    """Store figures typed in by hand as a new snapshot, counted now (or at `at`, when they were read)."""
    now = ws.now()
    when = parse_datetime(at, ws.tz, "count time") if at else now
    if when > now:
        raise CampaignError(f"The count time {when:%Y-%m-%d %H:%M} is in the future.",
                            "Give the time the figures were read, or leave --at out for now.")
    with ws.store.transaction() as db:
        return engagement.record(db, post_id, likes=likes, comments=comments, shares=shares, reach=reach,
                                 at=when, source="manual")


def ranking_settings(config: dict) -> dict:
    """The [engagement] section of campaign.toml, checked."""
    section = config.get("engagement", {})
    weights = dict(section.get("weights") or {})
    for key in ranking.COUNTS:
        value = weights.get(key, ranking.DEFAULT_WEIGHTS[key])
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise CampaignError(f"[engagement] weights.{key} = {value!r} in campaign.toml is not a number >= 0.",
                                "Write e.g. weights = { likes = 1, comments = 2, shares = 3 }.")
        weights[key] = value
    age = section.get("age_days", 7)
    if not isinstance(age, (int, float)) or isinstance(age, bool) or age <= 0:
        raise CampaignError(f"[engagement] age_days = {age!r} in campaign.toml is not a positive number.",
                            "Write e.g. age_days = 7.")
    return {"weights": weights, "age_days": age, "per_reach": bool(section.get("per_reach", False))}


def top(ws: Workspace, n: int | None = None) -> list[dict]:
    """The portraits ranked by engagement at the same age, best first (at most n)."""
    if n is not None and n < 1:
        raise CampaignError(f"--n {n} is not a positive number.", "Give how many to show, e.g. --n 9.")
    rows = ranking.rank(ws.store.read(), ws.now(), **ranking_settings(ws.config))
    return rows[:n] if n else rows
