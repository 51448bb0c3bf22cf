"""The billboard's sign-off link: what it shows and the version it is bound to.

It shows exactly what will be printed: the preview of the latest print export of the current pick,
and per slot the first name, age, role and quote (never a surname). Its version is a digest of the
pick (its number, run, slots, the people on it with their texts) and of the preview file itself:
a new pick, an edit of someone on it, an erasure, or a new export afterwards voids the link."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tinydb import TinyDB

from campaign.outputs import billboard
from campaign.workspace import Workspace
from campaign.workspace.footprint import resolve
from portraits import fields, records
from portraits.errors import CampaignError
from portraits.messages import _m
from portraits.render import name_and_age


def _latest(ws: Workspace, db: TinyDB) -> tuple[int, dict, int]:
    """The current pick, its document and the index of its latest export; our message when there is none."""
    try:
        doc_id, doc = billboard.latest_pick(db)
    except CampaignError:
        raise CampaignError(_m("There is no billboard pick yet."),
                            _m("Pick the portraits on the billboard page first.")) from None
    if not doc.get("exports"):
        raise CampaignError(_m("The billboard has no print files yet: the link shows the preview of what will "
                               "be printed."), _m("Approve the pick and make the print PDF first, then the link."))
    return doc_id, doc, len(doc["exports"]) - 1


def preview_file(ws: Workspace, doc: dict, n: int) -> Path:
    return resolve(ws, doc["exports"][n]["png"])


def _people(db: TinyDB, doc: dict) -> list[dict]:
    shown = []
    for c in doc["picked"]:
        p = records.get(db, c["portrait_id"])
        text = fields.text_in(p, p.get("lang"))
        shown.append({"name": name_and_age(p["first_name"], p["age"], p.get("lang") or "de"), "role": text["role"],
                      "quote": text["quote"], "lang": p.get("lang") or "de"})
    return shown


def version(ws: Workspace, db: TinyDB) -> tuple[int, int, str]:
    """(pick number, export index, digest) of what a billboard link made now would show."""
    doc_id, doc, n = _latest(ws, db)
    try:
        people = _people(db, doc)
        picture = hashlib.sha256(preview_file(ws, doc, n).read_bytes()).hexdigest()
    except (CampaignError, OSError):  # someone on it erased, the preview gone: nothing to show
        people, picture = [], None
    parts = [doc_id, doc.get("from"), doc.get("to"), doc.get("slots"), doc.get("repick"), people, picture]
    return doc_id, n, hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def current_digest(ws: Workspace, db: TinyDB, link: dict) -> str | None:
    """The digest of the billboard now, if the link's pick and export are still the latest; else None."""
    try:
        doc_id, n, digest = version(ws, db)
    except CampaignError:
        return None
    return digest if (doc_id, n) == (link.get("pick"), link.get("export")) else None


def public_view(ws: Workspace, db: TinyDB, link: dict) -> dict:
    """What the person sees: the run, the format, the people on the poster (first names only)."""
    doc_id, doc, n = _latest(ws, db)
    made = doc["exports"][n]
    return {"from": doc["from"], "to": doc["to"], "format": made.get("format"), "scale": made.get("scale"),
            "people": _people(db, doc)}


def preview_path(ws: Workspace, db: TinyDB) -> Path:
    doc_id, doc, n = _latest(ws, db)
    return preview_file(ws, doc, n)
