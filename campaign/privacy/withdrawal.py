"""`consent withdraw`: one command that takes effect at once, in every place made for that scope.

In one transaction: the withdrawal event, then each place on the footprint list that is made
for a consent scope takes the person out from now on: future posts in the withdrawn scopes are
cancelled and published ones listed as takedown tasks; a billboard pick holding them must be
picked again, and its exported files are listed as printed records to recall; a press kit,
WhatsApp bundle or website gallery showing them (for press, whatsapp, website) is deleted once
the store is written (outside the workspace: listed to delete by hand). The publisher never holds
the store lock across its platform call, so a withdrawal is recorded at once: a post not yet
written `publishing` is cancelled; one that is `publishing` (its call may be on the wire) is a
takedown task, and the publisher's check right before the call keeps it back if the call has not
started.
"""
from __future__ import annotations

from datetime import date, datetime

from campaign.privacy import places
from campaign.workspace import Workspace, footprint
from portraits import consent


def preview(ws: Workspace, portrait_id: str, scopes: str | None = None) -> dict:
    """What a withdrawal of `scopes` (all when None) would do, for the one confirmation a person gives:
    the planned posts it cancels and the published ones that must be taken down by hand."""
    from portraits import records
    from schedules import posts

    db = ws.store.read()
    records.get(db, portrait_id)
    chosen = set(consent.parse_scopes(scopes, allow_empty=True) or consent.SCOPES)
    mine = [p for p in posts.all_posts(db) if p["portrait_id"] == portrait_id and p["channel"] in chosen]
    return {"scopes": sorted(chosen), "cancels": [p for p in mine if p["status"] in posts.FUTURE],
            "takedown": [p for p in mine if p["status"] in posts.OUT]}


def withdraw(ws: Workspace, portrait_id: str, scopes: str | None = None, received: date | None = None,
             via: str | None = None, now: datetime | None = None) -> dict:
    changes: dict = {"cancelled": [], "takedown": [], "recall": [], "repick": [], "handouts": []}
    with ws.store.transaction() as db:
        now = now or ws.now()  # taken under the lock: a publish that held it came first
        event = consent.withdraw(db, portrait_id, scopes, received=received, via=via, now=now)
        for place in places.PLACES:
            if place.withdraw:
                for key, items in place.withdraw(db, portrait_id, set(event["scopes"]), now).items():
                    changes[key] += items
    from campaign.outputs.postview import pages_of

    for post in changes["cancelled"]:  # `schedule show --html` pages of posts that will never go out
        for page in pages_of(ws, post):
            page.unlink(missing_ok=True)
    changes["calendars"] = _rewrite_calendars(ws, portrait_id, {post["id"] for post in changes["cancelled"]})
    for made in changes["handouts"]:  # with what a stopped run of its maker left beside it
        parts = [footprint.resolve(ws, part) for part in made.pop("parts")]
        inside = made.pop("inside")
        left = [copy for part in parts for copy in footprint.temp_copies(part)] if inside else []
        made["removed"] = [str(p) for p in parts + left if inside and footprint.remove(p)]
        made["by_hand"] = [str(p) for p in parts if not inside and p.exists()]
    return {"portrait_id": portrait_id, "scopes": event["scopes"], "received": event["received"], **changes}


def _rewrite_calendars(ws: Workspace, portrait_id: str, cancelled: set[str]) -> dict[str, str]:
    """Calendars `schedule ical` wrote lose the events of the posts just cancelled, by the erasure's
    own code; one that cannot be rewritten (not writable, replaced by another file) is noted for
    `campaign status`, which then says to export it again."""
    from tinydb import Query

    from campaign.privacy.erasure import calendar_without

    done: dict[str, str] = {}
    if not cancelled:
        return done
    for o in ws.store.read().table(footprint.OUTPUTS).all():
        if o.get("kind") != "calendar" or portrait_id not in o.get("portraits", []):
            continue
        try:
            done[o["path"]] = calendar_without(ws, footprint.resolve(ws, o["path"]), None, cancelled)
        except OSError:
            done[o["path"]] = "failed"
        if done[o["path"]] in ("left", "failed"):
            with ws.store.transaction() as db:
                db.table(footprint.OUTPUTS).update({"stale": footprint.CANCELLED_BY_WITHDRAWAL, "removed": False},
                                                   (Query().kind == "calendar") & (Query().path == o["path"]))
    return done
