"""Kalender: month and week, filtered by channel and language; plan posts; the iCal file."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from flask import Blueprint, Response, redirect, render_template, request, url_for

from campaign.posting import scheduling
from campaign.web.common import done, failed, ngettext
from campaign.web.security import needs, workspace
from portraits import records
from portraits.errors import CampaignError
from schedules import ical, posts
from schedules.channel import planned_channels

bp = Blueprint("calendar", __name__)


def _start(view: str, anchor: date) -> tuple[date, date]:
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return first, first + timedelta(days=7)
    first = anchor.replace(day=1)
    first -= timedelta(days=first.weekday())
    month_end = (anchor.replace(day=28) + timedelta(days=4)).replace(day=1)
    last = month_end + timedelta(days=(7 - month_end.weekday()) % 7)
    return first, last


@bp.get("/calendar")
def month():
    ws = workspace()
    view = "week" if request.args.get("view") == "week" else "month"
    try:
        anchor = date.fromisoformat(request.args.get("date", "")) if request.args.get("date") else ws.now().date()
    except ValueError:
        anchor = ws.now().date()
    channel = request.args.get("channel", "")
    lang = request.args.get("lang", "")
    first, last = _start(view, anchor)
    db = ws.store.read()
    names = {p["id"]: p["first_name"] for p in records.all_portraits(db)}
    lo = datetime.combine(first, datetime.min.time(), ws.tz)
    hi = datetime.combine(last, datetime.min.time(), ws.tz)
    days: dict[date, list[dict]] = {first + timedelta(days=n): [] for n in range((last - first).days)}
    for post in posts.between(db, lo, hi):
        if (channel and post["channel"] != channel) or (lang and post.get("lang") != lang):
            continue
        day = datetime.fromisoformat(post["at"]).astimezone(ws.tz).date()
        if day in days:
            days[day].append(dict(post, first_name=names.get(post["portrait_id"]),
                                  local=datetime.fromisoformat(post["at"]).astimezone(ws.tz)))
    step = timedelta(days=7) if view == "week" else None
    prev_anchor = anchor - step if step else (anchor.replace(day=1) - timedelta(days=1)).replace(day=1)
    next_anchor = anchor + step if step else (anchor.replace(day=28) + timedelta(days=4)).replace(day=1)
    return render_template("calendar.html", view=view, anchor=anchor, days=days, today=ws.now().date(),
                           weeks=[list(days)[i:i + 7] for i in range(0, len(days), 7)], channel=channel, post_lang=lang,
                           channels=planned_channels(), prev_anchor=prev_anchor, next_anchor=next_anchor,
                           portraits=[p for p in records.all_portraits(db) if p.get("status") == "approved"])


@bp.post("/calendar/plan")
@needs("edit")
def plan():
    ws = workspace()
    form = request.form
    try:
        result = scheduling.plan_posts(ws, form.get("start", ""), form.get("end") or None, form.get("days") or None,
                                       form.get("time") or None, ",".join(form.getlist("channel")) or None)
        count = len(result["created"])
        done(ngettext("Planned {n} post.", "Planned {n} posts.", count))
        for skip in result.get("warnings", []):
            failed(CampaignError(skip))
    except CampaignError as e:
        failed(e)
    return redirect(url_for("calendar.month", date=form.get("start") if re.fullmatch(r"\d{4}-\d\d-\d\d",
                                                                                       form.get("start", "")) else None), 303)


@bp.post("/calendar/add")
@needs("edit")
def add():
    ws = workspace()
    form = request.form
    try:
        made = scheduling.add_post(ws, form.get("portrait_id", ""), f"{form.get('date', '')} {form.get('time', '')}",
                                   ",".join(form.getlist("channel")) or None, form.get("lang") or None,
                                   form.get("format") or None)
        done(ngettext("Planned {n} post.", "Planned {n} posts.", len(made)))
    except CampaignError as e:
        failed(e)
    return redirect(url_for("calendar.month"), 303)


@bp.get("/calendar.ics")
def ics():
    ws = workspace()
    db = ws.store.read()
    portraits = {p["id"]: records.public(p) for p in records.all_portraits(db)}
    domain = re.sub(r"[^a-z0-9]+", "", ws.config.hashtag.lower()) + ".campaign"
    data = ical.calendar(posts.all_posts(db), portraits, ws.config.name, domain)
    return Response(data, mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="kalender.ics"'})
