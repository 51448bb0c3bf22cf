"""Sign-off links: a yes or no from someone without an account (the press office, the mayor's office).

A `freigabe` user makes a link for one post, one week of posts, or the billboard (its pick and print
preview: campaign.posting.signoff_billboard). The link shows exactly what will go
out (images, captions, alt texts: what the platforms get, never a surname or a portrait's record) and
takes one decision, approve or reject, with the person's name and a comment. It is

- secret: the token is 256 random bits; the store keeps only its SHA-256, so a copy of the store
  (or a backup) cannot open a link;
- short-lived: it expires (7 days unless chosen otherwise, at most 30);
- single use, and revocable;
- bound to the version it showed: a digest of the posts' content hashes (the ones approvals bind
  to), times and channels; any edit afterwards voids it;
- audited: made, decided and revoked each leave an audit entry.

A decision is recorded as a sign-off on the link (shown with the posts), not as one of a post's
approvals: whoever made the link could otherwise open it and approve a second time under another
name, and four eyes would be two.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from tinydb import Query, TinyDB

from campaign.outputs.renders import publishing_site
from campaign.posting import signoff_billboard
from campaign.workspace import Workspace
from portraits import audit, records
from portraits.errors import CampaignError, NotFound
from portraits.messages import _m
from schedules import posts

TABLE = "signoffs"
DEFAULT_DAYS = 7
MAX_DAYS = 30
KINDS = ("post", "week", "billboard")
MAX_NAME = 80
MAX_COMMENT = 500


class LinkState(StrEnum):
    """Where a link stands; only an open one takes a decision (worked out on each view, not stored)."""
    OPEN = "open"
    DECIDED = "decided"
    REVOKED = "revoked"
    EXPIRED = "expired"
    CHANGED = "changed"  # an edit since the link was made


class Decision(StrEnum):
    """What the person with the link said (stored with the link)."""
    APPROVED = "approved"
    REJECTED = "rejected"


class LinkInvalid(NotFound):
    """No such link, or not its token: the same answer for both, so nothing can be probed."""


class LinkClosed(CampaignError):
    """The link was real but no longer takes a decision (expired, used, revoked, or voided by an edit)."""

    def __init__(self, state: LinkState, message, hint=None):
        super().__init__(message, hint)
        self.state = state


@dataclass(frozen=True)
class Made:
    """A new link: the token is here once and never stored."""
    id: str
    token: str
    expires_at: str
    posts: list[str]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _posts_for(ws: Workspace, db: TinyDB, kind: str, subject: str) -> list[dict]:
    if kind == "post":
        post = posts.get(db, subject)
        if post["status"] not in posts.FUTURE:
            raise CampaignError(_m("{post_id} is {status}: only a planned post can be signed off.", post_id=subject,
                                   status=post["status"]))
        return [post]
    from portraits.dates import parse_date

    monday, sunday = week_of(parse_date(subject))
    found = sorted((p for p in posts.all_posts(db) if p["status"] in posts.FUTURE
                    and monday <= datetime.fromisoformat(p["at"]).astimezone(ws.tz).date() <= sunday),
                   key=lambda p: (p["at"], p["id"]))
    if not found:
        raise CampaignError(_m("No planned posts in the week of {monday}.", monday=monday.isoformat()),
                            _m("Plan the week first, or choose another week."))
    return found


def digest(ws: Workspace, db: TinyDB, post_ids: list[str]) -> str:
    """The version a link shows: each post's content hash (what approvals bind to), status and time."""
    from schedules.content import content_of

    parts = []
    for post_id in post_ids:
        try:
            post = posts.get(db, post_id)
            content = content_of(publishing_site(ws), post, records.get(db, post["portrait_id"]))
            parts.append([post_id, post["status"], post["at"], post["channel"], content.digest])
        except CampaignError:  # erased, cancelled into something unshowable: the version is gone
            parts.append([post_id, None])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def make_link(ws: Workspace, kind: str, subject: str, days: int = DEFAULT_DAYS) -> Made:
    """A link for one post (`subject` its id) or the week holding a day (`subject` a date)."""
    from campaign.outputs.postview import post_view

    if kind not in KINDS:
        raise CampaignError(_m("A sign-off link is for a post, a week or the billboard, not {kind!r}.", kind=kind))
    if not 1 <= days <= MAX_DAYS:
        raise CampaignError(_m("A link is valid for 1 to {max_days} days.", max_days=MAX_DAYS))
    if kind == "billboard":
        return _make_billboard_link(ws, days)
    db = ws.store.read()
    chosen = _posts_for(ws, db, kind, subject)
    for post in chosen:  # the images the person will see, made now (outside the store's lock)
        view = post_view(ws, db, post, render=True)
        if view["problem"]:
            raise CampaignError(_m("{post_id} could not go out as it stands: {problem}", post_id=post["id"],
                                   problem=view["problem"]), _m("Fix it first, then make the link."))
    ids = [p["id"] for p in chosen]
    token = secrets.token_urlsafe(32)
    now = ws.now()
    with ws.store.transaction() as db:
        record = {"id": "so-" + secrets.token_hex(4), "hash": _hash(token), "kind": kind,
                  "subject": subject if kind == "post" else week_of(_day(subject))[0].isoformat(),
                  "posts": ids, "digest": digest(ws, db, ids), "created_by": audit.actor(),
                  "created_at": now.isoformat(timespec="seconds"),
                  "expires_at": (now + timedelta(days=days)).isoformat(timespec="seconds")}
        db.table(TABLE).insert(record)
        audit.record(db, "signoff.create", record["id"], now=now, kind=kind, posts=ids,
                     expires_at=record["expires_at"])
    return Made(record["id"], token, record["expires_at"], ids)


def _make_billboard_link(ws: Workspace, days: int) -> Made:
    """A link for the billboard: bound to the current pick and the preview of its latest print export."""
    token = secrets.token_urlsafe(32)
    now = ws.now()
    with ws.store.transaction() as db:
        pick, export, version = signoff_billboard.version(ws, db)
        record = {"id": "so-" + secrets.token_hex(4), "hash": _hash(token), "kind": "billboard",
                  "subject": str(pick), "posts": [], "pick": pick, "export": export, "digest": version,
                  "created_by": audit.actor(), "created_at": now.isoformat(timespec="seconds"),
                  "expires_at": (now + timedelta(days=days)).isoformat(timespec="seconds")}
        db.table(TABLE).insert(record)
        audit.record(db, "signoff.create", record["id"], now=now, kind="billboard", pick=pick,
                     expires_at=record["expires_at"])
    return Made(record["id"], token, record["expires_at"], [])


def _day(text: str) -> date:
    from portraits.dates import parse_date

    return parse_date(text)


def _find(db: TinyDB, link_id: str, token: str) -> dict:
    found = db.table(TABLE).get(Query().id == link_id) if isinstance(link_id, str) else None
    if found is None or not hmac.compare_digest(found["hash"], _hash(token or "")):
        raise LinkInvalid(_m("This sign-off link is not valid."),
                          _m("Check that the whole address was copied, or ask the office for a new link."))
    return dict(found)


def state_of(ws: Workspace, db: TinyDB, link: dict) -> LinkState:
    """Where the link stands now: a decision or a withdrawal first, then its time, then its version."""
    if link.get("decision"):
        return LinkState.DECIDED
    if link.get("revoked_at"):
        return LinkState.REVOKED
    if ws.now() >= datetime.fromisoformat(link["expires_at"]):
        return LinkState.EXPIRED
    now = (signoff_billboard.current_digest(ws, db, link) if link["kind"] == "billboard"
           else digest(ws, db, link["posts"]))
    if now != link["digest"]:
        return LinkState.CHANGED
    return LinkState.OPEN


CLOSED = {
    LinkState.DECIDED: (_m("This link has been used: the decision was recorded."),
                        _m("A link works once. Ask the office for a new one if something must change.")),
    LinkState.REVOKED: (_m("This link was withdrawn by the office."), _m("Ask the office for a new link.")),
    LinkState.EXPIRED: (_m("This link has expired."), _m("Ask the office for a new link.")),
    LinkState.CHANGED: (
        _m("The posts were changed after this link was made, so it no longer shows what will go out."),
        _m("Ask the office for a new link to see the current version.")),
}


def _open(ws: Workspace, db: TinyDB, link_id: str, token: str) -> dict:
    link = _find(db, link_id, token)
    state = state_of(ws, db, link)
    if state != LinkState.OPEN:
        message, hint = CLOSED[state]
        raise LinkClosed(state, message, hint)
    return link


def public_view(ws: Workspace, link_id: str, token: str) -> dict:
    """What the person sees: per post only what the platform gets (channel, time, images with their
    alt texts, caption); never a surname, a record, an id that names someone, or a note of the office."""
    from campaign.outputs.postview import post_view

    db = ws.store.read()
    link = _open(ws, db, link_id, token)
    common = {"id": link["id"], "kind": link["kind"], "subject": link["subject"], "expires_at": link["expires_at"]}
    if link["kind"] == "billboard":
        return {**common, "posts": [], "billboard": signoff_billboard.public_view(ws, db, link)}
    shown = []
    for post_id in link["posts"]:
        view = post_view(ws, db, posts.get(db, post_id), render=False)
        shown.append({"post_id": post_id, "channel_label": view["channel_label"], "at": view["at"],
                      "format": view["format"], "format_label": view["format_label"], "lang": view["lang"],
                      "account": view["account"], "caption_lines": view["caption_lines"],
                      "images": [{"alt_text": i["alt_text"], "lang": i.get("lang"), "dir": i["dir"],
                                  "lang_name": i["lang_name"]} for i in view["images"]]})
    return {**common, "posts": shown}


def image_path(ws: Workspace, link_id: str, token: str, post_id: str, n: int):
    """The file of image `n` of a post the open link shows (the current render, checked by its hash)."""
    from campaign.outputs.postview import post_view
    from campaign.outputs.renders import recorded_hash

    db = ws.store.read()
    link = _open(ws, db, link_id, token)
    if post_id not in link["posts"]:
        raise LinkInvalid(_m("This sign-off link is not valid."))
    images = post_view(ws, db, posts.get(db, post_id), render=False)["images"]
    if not 0 <= n < len(images):
        raise LinkInvalid(_m("This sign-off link is not valid."))
    path = ws.root / images[n]["file"]
    if recorded_hash(path) != images[n]["hash"]:
        raise LinkInvalid(_m("This sign-off link is not valid."))
    return path


def billboard_preview(ws: Workspace, link_id: str, token: str):
    """The preview image an open billboard link shows."""
    db = ws.store.read()
    link = _open(ws, db, link_id, token)
    if link["kind"] != "billboard":
        raise LinkInvalid(_m("This sign-off link is not valid."))
    return signoff_billboard.preview_path(ws, db)


def _clean(text: str, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def decide(ws: Workspace, link_id: str, token: str, decision: str, name: str, comment: str = "") -> dict:
    """Record the person's approve or reject; the link is then used up."""
    if decision not in tuple(Decision):
        raise CampaignError(_m("Choose approve or reject."))
    name = _clean(name, MAX_NAME)
    if not name:
        raise CampaignError(_m("Please give your name."), _m("The office needs to know who signed off."))
    comment = (comment or "").strip()[:MAX_COMMENT]
    now = ws.now()
    with ws.store.transaction() as db:
        link = _open(ws, db, link_id, token)  # again under the lock: two tabs cannot both decide
        change = {"decision": Decision(decision), "decided_by": name, "comment": comment,
                  "decided_at": now.isoformat(timespec="seconds")}
        db.table(TABLE).update(change, Query().id == link["id"])
        with audit.acting_as(f"{name} (sign-off link {link['id']})"):
            audit.record(db, f"signoff.{decision}", link["id"], now=now, posts=link["posts"],
                         **({"pick": link["pick"]} if link["kind"] == "billboard" else {}))
    return {**link, **change}


def revoke(ws: Workspace, link_id: str) -> dict:
    """Withdraw a link that has not been used."""
    now = ws.now()
    with ws.store.transaction() as db:
        link = db.table(TABLE).get(Query().id == link_id)
        if link is None:
            raise NotFound(_m("No sign-off link {link_id}.", link_id=link_id))
        if link.get("decision"):
            raise CampaignError(_m("{link_id} was already used; a decision cannot be withdrawn.", link_id=link_id))
        if not link.get("revoked_at"):
            db.table(TABLE).update({"revoked_at": now.isoformat(timespec="seconds"), "revoked_by": audit.actor()},
                                   Query().id == link_id)
            audit.record(db, "signoff.revoke", link_id, now=now)
    return dict(db.table(TABLE).get(Query().id == link_id))


def list_links(ws: Workspace) -> list[dict]:
    """Every link with its state, newest first; never the token's hash."""
    db = ws.store.read()
    rows = []
    for link in db.table(TABLE).all():
        row = {k: v for k, v in link.items() if k != "hash"}
        row["state"] = state_of(ws, db, link)
        rows.append(row)
    return sorted(rows, key=lambda r: r["created_at"], reverse=True)


def for_post(ws: Workspace, db: TinyDB, post_id: str) -> list[dict]:
    """The sign-offs that covered a post (for its page)."""
    return [{k: v for k, v in link.items() if k != "hash"} for link in db.table(TABLE).all()
            if post_id in link.get("posts", [])]
