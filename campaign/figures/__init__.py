"""Engagement figures as the office uses them (`campaign engagement ...`, the billboard pick, the report):
recorded by hand, imported from a platform's export, ranked. The snapshots themselves and the ranking's
arithmetic are in schedules/engagement.py and schedules/ranking.py."""
from __future__ import annotations

from typing import Any

from campaign.workspace import Workspace
from portraits import csvfile
from portraits.dates import parse_datetime
from portraits.errors import CampaignError
from portraits.messages import _m
from schedules import engagement, ranking
from schedules.model import Post, PostStatus


def record_engagement(ws: Workspace, post_id: str, likes: Any, comments: Any, shares: Any = 0,
                      reach: Any = None, at: str | None = None) -> dict:
    """Store figures typed in by hand as a new snapshot, counted now (or at `at`, when they were read)."""
    now = ws.now()
    when = parse_datetime(at, ws.tz, _m("count time")) if at else now
    if when > now:
        raise CampaignError(_m("The count time {when:%Y-%m-%d %H:%M} is in the future.", when=when),
                            _m("Give the time the figures were read, or leave --at out for now."))
    with ws.store.transaction() as db:
        return engagement.record(db, post_id, likes=likes, comments=comments, shares=shares, reach=reach,
                                 at=when, source="manual")


def ranking_settings(config) -> dict:
    """The [engagement] section of campaign.toml as the ranking's keyword arguments."""
    section = config.engagement
    return {"weights": section.weights.model_dump(), "age_days": section.age_days, "per_reach": section.per_reach,
            "across_channels": section.across_channels}


def top(ws: Workspace, n: int | None = None) -> list[dict]:
    """The portraits ranked by engagement at the same age, best first (at most n)."""
    if n is not None and n < 1:
        raise CampaignError(_m("--n {n} is not a positive number.", n=n),
                            _m("Give how many to show, e.g. --n 9."))
    rows = ranking.rank(ws.store.read(), ws.now(), **ranking_settings(ws.config))
    return rows[:n] if n else rows


def import_export(ws: Workspace, path: str, at: str | None = None) -> dict:
    """Figures from a Meta Business Suite export: matched rows become snapshots, the rest is reported.

    All rows are checked first; a wrong number or a post that appears twice stores nothing."""
    from pathlib import Path

    from schedules import meta_export, posts

    now = ws.now()
    when = parse_datetime(at, ws.tz, _m("count time")) if at else now
    rows = meta_export.read_export(Path(path))
    db = ws.store.read()
    published = [p for p in posts.all_posts(db) if p["status"] == PostStatus.PUBLISHED and p.get("remote_id")]
    by_id: dict[str, Post] = {}
    by_link: dict[str, Post] = {}
    for p in published:
        rid = str(p["remote_id"])
        by_id[rid] = p
        if "_" in rid:  # Facebook "pageid_postid": exports may give either form
            by_id.setdefault(rid.split("_", 1)[1], p)
        if p.get("photo_id"):
            by_id.setdefault(str(p["photo_id"]), p)
        if p.get("permalink"):
            by_link[meta_export.norm_link(p["permalink"])] = p
    errors: list[str] = []
    unmatched: list[dict[str, Any]] = []
    matched: list[tuple[Post, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        post = by_id.get(row.get("post_id", "")) or by_link.get(meta_export.norm_link(row.get("permalink")))
        if post is None:
            unmatched.append({"line": line, "post_id": row.get("post_id") or None,
                              "permalink": row.get("permalink") or None})
            continue
        if post["id"] in seen:
            errors.append(csvfile.row_error(line, _m("the same post as line {other} ({post_id})",
                                                    other=seen[post["id"]], post_id=post["id"])))
            continue
        seen[post["id"]] = line
        try:
            figures = {k: meta_export.parse_number(row.get(k, ""), k) for k in ("likes", "comments", "shares", "reach")}
            engagement.check_figures(figures)
        except ValueError as e:
            errors.append(csvfile.row_error(line, e.args[0]))
            continue
        except CampaignError as e:
            errors.append(f"line {line}: {e.message}")
            continue
        matched.append((post, figures))
    if errors:
        raise CampaignError(csvfile.rows_wrong(errors, Path(path).name),
                            _m("Fix the export (or remove the rows) and import it again."))
    imported = []
    with ws.store.transaction() as wdb:
        for post, f in matched:
            engagement.record(wdb, post["id"], likes=f["likes"] or 0, comments=f["comments"] or 0,
                              shares=f["shares"] or 0, reach=f["reach"], at=when, source="import")
            imported.append({"post_id": post["id"], "portrait_id": post["portrait_id"], **f})
    return {"imported": imported, "unmatched": unmatched}
