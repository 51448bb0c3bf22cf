"""What the office does with a portrait, once for the command line and the web app.

The rules that used to sit in click commands live here: a portrait is approved only with a valid
consent; an edit says which planned posts lost their approvals by it; a save made from a stale
form (the version it was read at) is refused instead of overwriting someone else's save.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from campaign.outputs.renders import publishing_site
from campaign.workspace import Workspace
from portraits import consent, records
from portraits.derived import derived
from portraits.errors import CampaignError
from portraits.messages import _m
from schedules import approval, posts


class VersionConflict(CampaignError):
    """A save from a form read before someone else's save: the web app answers 409 (Conflict) and keeps
    what was typed. A type of its own, so no caller has to recognise the message's words."""


def rows(ws: Workspace, status: str | None = None, db=None) -> list[dict]:
    """The portraits as listings show them: public fields and the consent summary (no surname); made once
    per store version and day where the store shares its reads (portraits.derived), copies to the caller."""
    db = db if db is not None else ws.store.read()
    today = ws.now().date()
    return [dict(row) for row in derived(db, ("portrait_actions.rows", today, status),
                                         lambda: _rows(db, today, status))]


def _rows(db, today: date, status: str | None) -> list[dict]:
    sums = consent.summaries(db, today)
    out = []
    for p in records.all_portraits(db):
        if status and p.get("status") != status:
            continue
        row = records.public(p)
        row["consent"] = sums.get(p["id"], consent.EMPTY)
        out.append(row)
    return out


def detail(ws: Workspace, portrait_id: str, db=None) -> dict:
    """One portrait with its consent, its history and a flag for a surname on file (never the surname)."""
    db = db if db is not None else ws.store.read()
    p = records.get(db, portrait_id)
    row = records.public(p)
    row["surname_on_file"] = bool(p.get("surname"))
    evts = consent.events(db, portrait_id)
    row["consent"] = consent.summary_from(evts, ws.now().date(), minor=consent.is_minor(p))
    row["consent_history"] = [{k: e.get(k) for k in ("event", "scopes", "signed_on", "expires", "received", "via",
                                                      "guardians_signed", "text_version", "recorded_at")} for e in evts]
    return row


def add(ws: Workspace, photo: Path, **fields) -> dict:
    """A new portrait from a photo, through the one intake the CLI uses (no store lock while it is taken in)."""
    from campaign.intake.adding import add_portrait

    return add_portrait(ws, Path(photo), **fields)


def import_csv(ws: Workspace, csv_path: Path, photos_root: Path | None = None,
               uploaded: dict[str, Path] | None = None) -> dict:
    """Portraits from a CSV with their photos: all rows or none, errors by line."""
    from campaign.intake.adding import import_portraits

    return import_portraits(ws, Path(csv_path), photos_root, uploaded=uploaded)


def approve(ws: Workspace, portrait_ids: list[str] | tuple[str, ...]) -> list[dict]:
    """Approve portraits for publishing; each needs a consent valid today (all or none)."""
    today = ws.now().date()
    with ws.store.transaction() as db:
        return [records.approve_portrait(db, pid, bool(consent.valid_scopes(db, pid, today)), now=ws.now())
                for pid in portrait_ids]


def _approved_posts(ws: Workspace, db, portrait: dict) -> dict[str, list[str]]:
    """Planned posts of the portrait whose current content has approvals: {post id: who approved}."""
    from schedules.content import content_of

    rule = ws.config.posting.approval
    found = {}
    for post in posts.all_posts(db):
        if post["portrait_id"] != portrait["id"] or post["status"] not in posts.FUTURE or not post.get("approvals"):
            continue
        try:
            digest = content_of(publishing_site(ws), post, portrait).digest
        except CampaignError:
            continue
        people = approval.state(post, digest, rule).people
        if people:
            found[post["id"]] = people
    return found


def _check_version(record: dict, version: str | None) -> None:
    if version is not None and record.get("updated_at") != version:
        raise VersionConflict(_m("{id} was changed by someone else after you opened it.", id=record["id"]),
                              _m("Open it again to see their change, then make yours."))


def edit(ws: Workspace, portrait_id: str, changes: dict, focus: str | None = None,
         version: str | None = None, translation: dict | None = None) -> dict:
    """Change a portrait (fields, focal point, a translation). `version` is the `updated_at` the form
    was read at: a later save by someone else makes this one fail rather than overwrite it.

    Returns the record, the posts whose approvals the change removed, and the consent scopes that
    stop counting because the person became a minor."""
    before_db = ws.store.read()
    before = _approved_posts(ws, before_db, records.get(before_db, portrait_id))
    with ws.store.transaction() as db:
        _check_version(records.get(db, portrait_id), version)
        record = None
        if changes or focus is not None:
            record = records.edit_portrait(db, portrait_id, changes, focus=focus, now=ws.now())
        if translation:
            record = records.translate_portrait(db, portrait_id, translation["lang"], translation["quote"],
                                                translation.get("role"), now=ws.now())
        if record is None:
            raise CampaignError(_m("Nothing to change."), _m("Give at least one option, e.g. --quote or --focus."))
        unsigned = consent.summary_from(consent.events(db, portrait_id), ws.now().date(),
                                        minor=consent.is_minor(record))["needs_guardian"]
    after = _approved_posts(ws, ws.store.read(), record) if before else {}
    lost = [{"id": post_id, "approved_by": people} for post_id, people in before.items()
            if set(people) - set(after.get(post_id, []))]
    return {"record": record, "approvals_removed": lost, "needs_guardian": unsigned}


def fit_report(quote: str, lang: str | None) -> list[dict]:
    """How the quote fits each format before it is saved: the type size it gets, whether that is
    smaller than the largest size, and where it does not fit at all (with how many characters do)."""
    from portraits import fonts, render
    from portraits.layouts import LAYOUTS

    lang = lang or "de"
    quote = quote.strip()
    out = []
    if not quote or fonts.undrawable(quote):
        return out
    text = render.typographic(quote, lang)
    for lay in LAYOUTS.values():
        size = render.choose_size(lay, text, lang)
        row = {"format": lay.name, "size": size, "largest": lay.quote_sizes[0], "fits": size is not None,
               "shrinks": size is not None and size < lay.quote_sizes[0], "most": None}
        if size is None:
            limit = render.quote_limit(quote, lang)
            row["most"] = limit[1] if limit else None
        out.append(row)
    return out


def when(ws: Workspace, value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(ws.tz)


def grant_consent(ws: Workspace, portrait_id: str, scopes, signed_on: str, expires: str | None = None,
                  signed_by: str | None = None, guardians=(), evidence: Path | None = None,
                  text_version: str = "1") -> dict:
    """Record a signed consent form; dates typed as ISO or the German way."""
    from portraits.dates import parse_date

    signed = parse_date(signed_on, _m("signing date"))
    until = parse_date(expires, _m("expiry date")) if expires else None
    with ws.store.transaction() as db:
        return consent.grant(db, portrait_id, scopes, signed, expires=until, signed_by=signed_by or None,
                             guardians=guardians, evidence=evidence, evidence_dir=ws.private / "evidence",
                             text_version=text_version or "1", today=ws.now().date(), now=ws.now())
