"""Core functions behind `campaign channel check|login`, `campaign reconcile` and `engagement fetch`."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from campaign.workspace import Workspace
from portraits.errors import CampaignError
from portraits.messages import _m
from schedules import captions, engagement, posts, reconcile
from schedules.channel import CHANNELS, ChannelError, publisher_class
from schedules.model import PostStatus
from schedules.runner import publisher_for
from schedules.secrets import platform_text, secret


def _names(ws: Workspace, name: str | None) -> list[str]:
    configured = list(dict.fromkeys([*CHANNELS, *ws.config.channels]))
    if name is None:
        return configured
    if name not in configured:
        raise CampaignError(_m("No channel named {name!r}.", name=name),
                            _m("Channels: {configured}.", configured=', '.join(configured)))
    return [name]


def readiness(ws: Workspace, channel: str) -> str:
    """What `campaign status` can say about a channel without calling the platform."""
    settings = ws.config.channel(channel)
    _ready, text = publisher_class(settings.publisher).readiness(settings, ws.private)
    return text


def check_channels(ws: Workspace, name: str | None = None) -> list[dict]:
    """For each channel: does its publisher's login work, and which account or Page does it reach?"""
    rows = []
    for channel in _names(ws, name):
        row = {"channel": channel, "publisher": ws.config.channel(channel).publisher}
        try:
            row.update(publisher_for(ws, channel).check())
        except CampaignError as e:
            row.update(ok=False, account=None, message=platform_text(e))
        row["warnings"] = [*row.get("warnings", []), *captions.camel_case_warnings(ws.config, channel)]
        rows.append(row)
    return rows


def login_instagram(ws: Workspace, ask_password: Callable[[], str], ask_code: Callable[[str], str]) -> dict:
    """Log the Instagram channel in once and keep the session in .private/ (mode 0600).
    The password comes from CAMPAIGN_INSTAGRAM_PASSWORD, else `ask_password()`, asked only when needed."""
    publisher = ws.config.channel("instagram").publisher
    if publisher == "instagram-graph":
        raise CampaignError(_m("The instagram channel publishes through the official API: it needs no login."),
                            _m("It uses the Page token in CAMPAIGN_FACEBOOK_TOKEN; `campaign channel check "
                               "instagram` tests it."))
    if publisher != "instagram":
        raise CampaignError(_m("The instagram channel publishes to the outbox, not to Instagram."),
                            _m("Set publisher = \"instagram-graph\" (or \"instagram\") under "
                               "[channels.instagram] in campaign.toml."))
    from schedules.instagram import PASSWORD_ENV, InstagramPublisher

    password = secret(PASSWORD_ENV) or ask_password()
    publisher = InstagramPublisher("instagram", ws.config.channel("instagram"), ws.outbox, ws.private)
    return publisher.login(password, ask_code)


def window_of(ws: Workspace) -> timedelta:
    return timedelta(minutes=ws.config.posting.reconcile_minutes)


def reconcile_posts(ws: Workspace) -> dict:
    """Settle every `unknown` post (and any `publishing` left by a crash) against the account's media.

    The platform is asked without the store lock; a post whose publish is on the wire right now
    (its call lock is held) is left alone, and a post that changed meanwhile is not overwritten."""
    from schedules.runner import in_flight

    window = window_of(ws)
    db = ws.store.read()
    open_posts = [p for p in posts.all_posts(db) if p["status"] == PostStatus.UNKNOWN
                  or (p["status"] == PostStatus.PUBLISHING and not in_flight(ws, p["id"]))]
    media_by_channel: dict[str, list[dict]] = {}
    answers: dict[str, dict] = {}  # what the platform says of a post's own container, where it can
    errors: dict[str, str] = {}
    for channel in sorted({p["channel"] for p in open_posts}):
        since = min(reconcile.attempt_time(p) for p in open_posts if p["channel"] == channel) - window
        try:
            publisher = publisher_for(ws, channel)
            media_by_channel[channel] = publisher.recent_media(since)
            settle = getattr(publisher, "settle", None)
            for post in (p for p in open_posts if p["channel"] == channel and settle):
                answer = settle(post)
                if answer is not None:
                    answers[post["id"]] = answer
        except CampaignError as e:
            errors[channel] = platform_text(e)
    results = []
    with ws.store.transaction() as db:
        now = ws.now()
        taken = {p.get("remote_id") for p in posts.all_posts(db) if p["status"] == PostStatus.PUBLISHED}
        current = {p["id"]: p for p in posts.all_posts(db)}
        for post in open_posts:
            now_post = current.get(post["id"])
            if now_post is None or any(now_post.get(k) != post.get(k) for k in ("status", "attempted_at")):
                continue  # settled, retried or erased while the platform was asked
            if post["channel"] in errors:
                results.append({"post_id": post["id"], "status": post["status"], "reason": errors[post["channel"]]})
                continue
            media = media_by_channel[post["channel"]]
            if post["id"] in answers:
                verdict = reconcile.decide_settled(post, answers[post["id"]], media, taken, now, window)
            else:
                verdict = reconcile.decide(post, media, taken, now, window)
            if verdict["status"] == PostStatus.PUBLISHED:
                m = verdict["media"]
                taken.add(m["remote_id"])
                posts.update(db, post["id"], now, "published",
                             verdict.get("reason") or "found on the account by reconcile",
                             remote_id=m["remote_id"], permalink=m.get("permalink"), published_at=m["at"],
                             error=None, reason=None)
                results.append({"post_id": post["id"], "status": PostStatus.PUBLISHED, "remote_id": m["remote_id"]})
            elif verdict["status"] == PostStatus.FAILED:
                posts.update(db, post["id"], now, "failed", "not found by reconcile", reason=verdict["reason"])
                results.append({"post_id": post["id"], "status": PostStatus.FAILED, "reason": verdict["reason"]})
            else:
                if post["status"] == PostStatus.PUBLISHING:
                    posts.update(db, post["id"], now, "unknown", "found publishing by reconcile",
                                 reason=verdict["reason"])
                results.append({"post_id": post["id"], "status": PostStatus.UNKNOWN, "reason": verdict["reason"]})
    return {"settled": results, "window_minutes": window.total_seconds() / 60}


def fetch_engagement(ws: Workspace) -> dict:
    """Fresh figures for every post published on a real platform, each stored as a new snapshot."""
    db = ws.store.read()
    published = [p for p in posts.all_posts(db) if p["status"] == PostStatus.PUBLISHED and p.get("remote_id")]
    fetched, skipped, errors, warnings = [], [], [], []
    figures = {}
    publishers = {}  # one per channel: it remembers the metrics Meta refused, so they are asked once
    for post in published:
        if ws.config.channel(post["channel"]).publisher == "outbox":
            skipped.append(post["id"])
            continue
        try:
            publisher = publishers.get(post["channel"]) or publishers.setdefault(
                post["channel"], publisher_for(ws, post["channel"]))
            figures[post["id"]] = publisher.fetch_engagement(post)
        except (ChannelError, CampaignError) as e:
            errors.append({"post_id": post["id"], "error": platform_text(e)})
            continue
        warnings.extend(w for w in figures[post["id"]].pop("warnings", []) if w not in warnings)
    with ws.store.transaction() as db:
        now = ws.now()
        for post_id, f in figures.items():
            engagement.record(db, post_id, likes=f["likes"], comments=f["comments"], shares=f.get("shares", 0),
                              reach=f.get("reach"), at=now, source="fetch")
            fetched.append({"post_id": post_id, **f})
    return {"fetched": fetched, "skipped_outbox": skipped, "errors": errors, "warnings": warnings}


def overview(ws: Workspace) -> dict:
    """The Kanäle page: per channel its readiness (without calling the platform), its last publish and
    last error, the Graph API version's end for channels on Meta's Graph API; and the daemon's heartbeat."""
    from datetime import datetime

    from campaign.posting.health import health
    from schedules.graph import version_note

    all_rows = posts.all_posts(ws.store.read())
    note, warning = version_note(ws.now().date())
    rows = []
    for name in _names(ws, None):
        settings = ws.config.channel(name)
        mine = [p for p in all_rows if p["channel"] == name]
        published = sorted(p.get("published_at") or p["at"] for p in mine if p["status"] == PostStatus.PUBLISHED)
        tried = sorted((p for p in mine if p["status"] in (PostStatus.FAILED, PostStatus.UNKNOWN)),
                       key=lambda p: p["history"][-1]["at"])
        graph = settings.publisher in ("facebook", "instagram-graph")
        rows.append({"channel": name, "publisher": settings.publisher, "account": getattr(settings, "account", None),
                     "readiness": readiness(ws, name),
                     "last_published": datetime.fromisoformat(published[-1]).isoformat() if published else None,
                     "last_error": platform_text(tried[-1].get("error") or tried[-1].get("reason")) if tried else None,
                     "last_error_post": tried[-1]["id"] if tried else None,
                     "graph_version": note if graph else None, "graph_warning": warning if graph else None})
    return {"channels": rows, "health": health(ws)}
