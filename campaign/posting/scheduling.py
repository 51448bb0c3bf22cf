"""Core functions behind `campaign schedule ...`, `run`, `publish` and `status`."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

from campaign.outputs.renders import publishing_site
from campaign.privacy import erasure, places
from campaign.workspace import Workspace, footprint
from campaign.workspace.store import atomic_write_bytes
from portraits import audit, consent, records
from portraits.dates import parse_clock, parse_date, parse_datetime
from portraits.errors import CampaignError
from portraits.messages import _m
from portraits.model import PortraitStatus
from schedules import approval, captions, ical, posts
from schedules import plan as planner
from schedules.channel import CHANNELS, FORMATS, planned_channels
from schedules.content import content_of
from schedules.daemon import DaemonLock
from schedules.model import Post, PostStatus


def channels_from(value: str | None, config: dict) -> list[str]:
    plannable = planned_channels()
    names = [c.strip().lower() for c in (value or "").split(",") if c.strip()] or \
        [c for c in plannable if c in config.channels] or plannable
    unknown = [c for c in names if c not in CHANNELS]
    if unknown:
        raise CampaignError(_m("Unknown channel {unknown}.", unknown=', '.join(unknown)),
                            _m("Use {plannable}.", plannable=' or '.join(plannable)))
    unplanned = [c for c in names if c not in plannable]
    if unplanned:
        raise CampaignError(_m("{label} is not planned post by post.", label=CHANNELS[unplanned[0]].label),
                            _m("Make the day's messages with `campaign whatsapp bundle` (or broadcast them "
                               "with `campaign whatsapp send`)."))
    return list(dict.fromkeys(names))  # "instagram,instagram" is one channel, never two posts


def langs_from(value: str | None, config) -> list[str] | None:
    """`de,tr,ar` -> codes, each with a caption template (else a clear error now, not on the day)."""
    if value is None:
        return None
    langs = list(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    if not langs:
        raise CampaignError(_m("--langs names no language."),
                            _m("Give language codes, e.g. --langs de,tr,ar."))
    for lang in langs:
        if not records.LANG_PATTERN.match(lang):
            raise CampaignError(_m("{lang!r} is not a language code.", lang=lang),
                                _m("Use codes such as de, tr, ar."))
        captions.template(config, lang)
    return langs


def _check_content(ws: Workspace, db, post: dict, portrait: dict | None = None) -> None:
    """Refuse a post now that could not go out as planned (format, language, template, caption limits)."""
    content_of(publishing_site(ws), post, portrait or records.get(db, post["portrait_id"]))


def plan_posts(ws: Workspace, start: str | date, end: str | date | None = None, days: str | None = None,
               at: str | None = None, channels: str | None = None, langs: str | None = None) -> dict:
    posting = ws.config.posting
    first = parse_date(start, _m("start date"))
    last = parse_date(end, _m("end date")) if end else planner.default_end(first)
    clock = parse_clock(at or posting.time)
    names = channels_from(channels, ws.config)
    lang_list = langs_from(langs, ws.config)
    with ws.store.transaction() as db:
        result = planner.plan(db, first, last, days=days or posting.days, at=clock, channels=names, tz=ws.tz,
                              holidays_country=posting.holidays_country,
                              holidays_subdivision=posting.holidays_subdivision, now=ws.now(),
                              langs=lang_list, lang_gap=timedelta(minutes=posting.language_gap_minutes))
        people = {p["id"]: p for p in records.all_portraits(db)}
        for post in result["created"]:
            _check_content(ws, db, post, people[post["portrait_id"]])
    return result


def add_post(ws: Workspace, portrait_id: str, at: str, channel: str | None = None, lang: str | None = None,
             fmt: str | None = None) -> list[dict]:
    """Plan one post by hand, on each channel named; a carousel leads with `lang` (default: the
    campaign's language where the portrait has a quote in it)."""
    when = parse_datetime(at, ws.tz, _m("time"))
    names = channels_from(channel, ws.config)
    fmt = fmt or "feed"
    if fmt not in FORMATS:
        raise CampaignError(_m("There is no {fmt!r} format.", fmt=fmt),
                            _m("Use --format {formats}.", formats=' or '.join(FORMATS)))
    now = ws.now()
    if when <= now:
        raise CampaignError(_m("{when:%Y-%m-%d %H:%M} is in the past.", when=when),
                            _m("Give a time ahead, or use `campaign publish`."))
    created = []
    with ws.store.transaction() as db:
        portrait = records.get(db, portrait_id)
        if portrait.get("status") != PortraitStatus.APPROVED:
            raise CampaignError(_m("{portrait_id} is not approved.", portrait_id=portrait_id),
                                _m("Approve it first: campaign portrait approve {portrait_id}.",
                                   portrait_id=portrait_id))
        campaign_lang = ws.config.language
        lead = (lang or "").strip().lower() or (
            campaign_lang if fmt == "carousel" and captions.has_quote(portrait, campaign_lang) else portrait["lang"])
        captions.check_language(portrait, lead, ws.config)
        for name in names:
            if not consent.is_valid(db, portrait_id, name, when.date()):
                raise CampaignError(_m("{portrait_id} has no valid {scope} consent on {when:%Y-%m-%d}.",
                                       portrait_id=portrait_id, scope=name, when=when),
                                    _m("Record the consent first, or choose another channel or day."))
            post = posts.create(db, portrait_id, name, when, now, lang=lead, origin="manual", fmt=fmt)
            _check_content(ws, db, post, portrait)
            created.append(post)
    return created


def list_posts(ws: Workspace, start: str | None = None, end: str | None = None,
               status: str | None = None) -> list[dict]:
    db = ws.store.read()
    first = parse_date(start, _m("from date")) if start else None
    last = parse_date(end, _m("to date")) if end else None
    lo = datetime.combine(first, datetime.min.time(), ws.tz) if first else None
    hi = datetime.combine(last, datetime.max.time(), ws.tz) if last else None
    names = {p["id"]: p["first_name"] for p in records.all_portraits(db)}
    rows = posts.in_range(posts.all_posts(db), lo, hi)
    if status:
        rows = [p for p in rows if p["status"] == status]
    return [dict(p, first_name=names.get(p["portrait_id"])) for p in rows]


def local_time(ws: Workspace, at: str) -> datetime:
    """A stored instant in the campaign's timezone."""
    return datetime.fromisoformat(at).astimezone(ws.tz)


def move_post(ws: Workspace, post_id: str, to: str) -> dict:
    when = parse_datetime(to, ws.tz, _m("new time"))
    with ws.store.transaction() as db:
        return posts.move(db, post_id, when, ws.now())


def select_posts(ws: Workspace, db, ids: list[str] | tuple[str, ...] = (), portrait_id: str | None = None,
                 start: str | None = None, end: str | None = None) -> tuple[list[dict], bool]:
    """The posts a person named: by id (each must exist), or every planned or failed post of a
    portrait and/or in a date range. Returns (posts, named_by_id)."""
    filters = portrait_id or start or end
    if ids and filters:
        raise CampaignError(_m("Give post ids, or --portrait / --from / --to, not both."),
                            _m("For example: p-12 p-13, or --portrait brigitte-81 --from 2026-12-01."))
    if ids:
        return [posts.get(db, post_id) for post_id in dict.fromkeys(ids)], True
    if not filters:
        raise CampaignError(_m("Which posts?"),
                            _m("Give post ids (see `campaign schedule list`), or --portrait ID, or --from "
                               "DATE --to DATE."))
    if portrait_id:
        records.get(db, portrait_id)
    first = parse_date(start, _m("from date")) if start else None
    last = parse_date(end, _m("to date")) if end else None
    lo = datetime.combine(first, datetime.min.time(), ws.tz) if first else None
    hi = datetime.combine(last + timedelta(days=1), datetime.min.time(), ws.tz) if last else None
    rows = [p for p in posts.in_range(posts.all_posts(db), lo, hi) if p["status"] in posts.FUTURE
            and (not portrait_id or p["portrait_id"] == portrait_id)]
    return rows, False


def cancel_posts(ws: Workspace, ids: list[str] | tuple[str, ...] = (), portrait_id: str | None = None,
                 start: str | None = None, end: str | None = None) -> list[dict]:
    """Cancel posts (all of them or none: a post that cannot be cancelled stops the whole command)."""
    with ws.store.transaction() as db:
        selected, _by_id = select_posts(ws, db, ids, portrait_id, start, end)
        return [posts.cancel(db, p["id"], ws.now()) for p in selected]


def approve_posts(ws: Workspace, ids: list[str] | tuple[str, ...] = (), portrait_id: str | None = None,
                  start: str | None = None, end: str | None = None, comment: str | None = None) -> dict:
    """The acting person approves each post as it is now (its content hash). Named by id, all or
    none; by --portrait/--from/--to, posts they already approved or that could not go out are
    listed as skipped with the reason."""
    rule = ws.config.posting.approval
    approved, skipped = [], []
    with ws.store.transaction() as db:
        now = ws.now()
        selected, by_id = select_posts(ws, db, ids, portrait_id, start, end)
        for post in selected:
            try:
                portrait = records.get(db, post["portrait_id"])
                content = content_of(publishing_site(ws), post, portrait)
                done = approval.approve(db, post["id"], content.digest, rule, now, comment=comment,
                                        edited_by=portrait.get("edited_by"))
            except CampaignError as e:
                if by_id:
                    raise
                skipped.append({"id": post["id"], "reason": e.message})
                continue
            state = approval.state(done, content.digest, rule)
            approved.append({"id": post["id"], "at": post["at"], "channel": post["channel"],
                             "content_hash": content.digest, "approval": state.as_dict()})
    return {"who": audit.actor(), "rule": rule, "approved": approved, "skipped": skipped}


def publish_now(ws: Workspace, post_id: str) -> dict:
    """Publish one post now, before its time; only a planned post can be (a failed one is retried)."""
    from schedules.runner import publish_post

    post = posts.get(ws.store.read(), post_id)
    if post["status"] != PostStatus.PLANNED:
        raise CampaignError(_m("{post_id} is {status}; only planned posts can be published.", post_id=post_id,
                               status=post['status']),
                            _m("A failed post goes back in the queue with `campaign schedule retry`."))
    return publish_post(publishing_site(ws), post_id, force=True)


def retry_post(ws: Workspace, post_id: str, at: str | None = None) -> dict:
    when = parse_datetime(at, ws.tz) if at else None
    with ws.store.transaction() as db:
        return posts.retry(db, post_id, ws.now(), when)


def calendar_words(ws: Workspace):
    """How the calendar words an event, in the campaign's language (staff read it in their calendar app)."""
    from campaign.workspace import i18n
    from schedules.channel import channel_spec

    lang = ws.config.language

    def summary(post: dict, who: str) -> str:
        with i18n.use(lang):
            return i18n.gettext("{channel}: {who}", channel=channel_spec(post["channel"]).label, who=who)

    def description(post: dict) -> str:
        with i18n.use(lang):
            return i18n.gettext("Post {id}, status: {status}", id=post["id"],
                                status=i18n.value("status", post["status"]))

    return summary, description


def export_ical(ws: Workspace, out: Path) -> dict:
    db = ws.store.read()
    portraits = {p["id"]: records.public(p) for p in records.all_portraits(db)}
    rows = posts.all_posts(db)
    domain = re.sub(r"[^a-z0-9]+", "", ws.config.hashtag.lower()) + ".campaign"
    data = ical.calendar(rows, portraits, ws.config.name, domain, *calendar_words(ws))
    from campaign.workspace.outpaths import refuse_foreign_file

    out = refuse_foreign_file(ws, Path(out), "calendar")
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, data)
    footprint.record_output(ws, "calendar", out, {p["portrait_id"] for p in rows if p["portrait_id"] in portraits})
    return {"file": str(out), "events": len(rows)}


def awaiting_approval(ws: Workspace, db, planned: list[Post], people: dict[str, dict] | None = None) -> list[dict]:
    """Planned posts that lack the approvals they need for what they would publish now, soonest first.
    `people`: the portraits by id, when the caller has them already."""
    rule = ws.config.posting.approval
    if rule == "none":
        return []
    waiting = []
    for post in planned:
        try:
            portrait = people[post["portrait_id"]] if people and post["portrait_id"] in people else \
                records.get(db, post["portrait_id"])
            content = content_of(publishing_site(ws), post, portrait)
        except CampaignError as e:
            waiting.append({"id": post["id"], "at": post["at"], "channel": post["channel"],
                            "portrait_id": post["portrait_id"], "approval": None, "problem": e.message})
            continue
        state = approval.state(post, content.digest, rule)
        if not state.approved:
            waiting.append({"id": post["id"], "at": post["at"], "channel": post["channel"],
                            "portrait_id": post["portrait_id"], "approval": state.as_dict(), "problem": None})
    return waiting


def takedown_tasks(db, today: date) -> list[dict]:
    """Published posts of people who have since withdrawn that channel's consent: someone must
    remove them on the platform (the tool cannot), so they stay on the list."""
    sums = consent.summaries(db, today)
    return [{k: p.get(k) for k in ("id", "portrait_id", "channel", "at", "remote_id", "permalink")}
            for p in sorted(posts.all_posts(db), key=posts.sort_key)
            if p["status"] == PostStatus.PUBLISHED
            and p["channel"] in sums.get(p["portrait_id"], consent.EMPTY)["withdrawn"]]


# More posts than this waiting for the same thing are one line in `campaign status`.
GROUP_OVER = 3


def approval_range(waiting: list[dict], tz) -> dict | None:
    """The posts that only wait for an approval, as one range for `schedule approve --from --to`
    (None when there are few enough to list one by one)."""
    ready = [p for p in waiting if p["approval"]]
    if len(ready) <= GROUP_OVER:
        return None
    days = sorted(datetime.fromisoformat(p["at"]).astimezone(tz).date() for p in ready)
    return {"count": len(ready), "from": days[0].isoformat(), "to": days[-1].isoformat()}


def status_report(ws: Workspace, upcoming: int = 5) -> dict:
    db = ws.store.read()
    all_rows = posts.all_posts(db)
    now = ws.now()
    planned = sorted((p for p in all_rows if p["status"] == PostStatus.PLANNED), key=posts.due_time)
    channels = []
    for name in CHANNELS:
        settings = ws.config.channels.get(name)
        if settings is None:
            continue
        last = [p for p in all_rows if p["channel"] == name
                and p["status"] in (PostStatus.PUBLISHED, PostStatus.FAILED, PostStatus.UNKNOWN)]
        last.sort(key=lambda p: p["history"][-1]["at"])
        from campaign.posting.accounts import readiness

        channels.append({"channel": name, "publisher": settings.publisher,
                         "health": readiness(ws, name),
                         "last": (last[-1]["status"] if last else None),
                         "last_error": (last[-1].get("error") if last and last[-1]["status"] != PostStatus.PUBLISHED
                                        else None)})
    waiting = awaiting_approval(ws, db, planned)
    return {
        "now": now.isoformat(timespec="seconds"),
        "daemon_running": DaemonLock.running(ws),
        "approval": ws.config.posting.approval,
        "awaiting_approval": waiting,
        "approval_range": approval_range(waiting, ws.tz),
        "takedown": takedown_tasks(db, now.date()),
        "due_now": [p for p in planned if posts.due_time(p) <= now],
        "next": [p for p in planned if posts.due_time(p) > now][:upcoming],
        "publishing": [p for p in all_rows if p["status"] == PostStatus.PUBLISHING],
        "failed": [p for p in all_rows if p["status"] == PostStatus.FAILED],
        "unknown": [p for p in all_rows if p["status"] == PostStatus.UNKNOWN],
        "channels": channels,
        "erasures": erasure.summary(db),
        "redo": places.redo(ws, db),
    }
