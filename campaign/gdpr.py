"""GDPR: give a person everything stored about them, or erase them.

Erasure removes the record, consent events (and their evidence files), photos, renders, posts,
outbox entries and engagement figures, then rewrites the audit log so that it names no one:
the old entries keep their action and time, their subject becomes an opaque token.
"""
from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path

from tinydb import Query

from campaign.store import atomic_write_text
from campaign.workspace import Workspace
from portraits import audit, consent, records
from portraits.errors import CampaignError


def _person_rows(db, portrait_id: str) -> dict[str, list[dict]]:
    q = Query().portrait_id == portrait_id
    return {name: [dict(r) for r in db.table(name).search(q)]
            for name in ("consents", "posts", "engagement", "renders")}


def export_person(ws: Workspace, portrait_id: str, out_dir: Path) -> dict:
    """Write <out>/<id>/data.json and copies of the photo, evidence and renders."""
    db = ws.store.read()
    portrait = records.get(db, portrait_id)
    rows = _person_rows(db, portrait_id)
    target = Path(out_dir) / portrait_id
    if target.exists() and any(target.iterdir()):
        raise CampaignError(f"{target} already exists and is not empty.", "Choose another --out folder.")
    files: list[str] = []
    target.mkdir(parents=True, exist_ok=True)

    def copy(src: Path, name: str) -> None:
        if src.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target / name)
            files.append(name)

    photo = portrait.get("photo", {}).get("file")
    if photo:
        copy(ws.root / photo, "photo" + Path(photo).suffix)
    for e in rows["consents"]:
        ev = e.get("evidence")
        if ev:
            copy(ws.private / "evidence" / ev["name"], f"consent/{ev['name']}")
    render_dir = ws.renders / portrait_id
    if render_dir.is_dir():
        for f in sorted(render_dir.iterdir()):
            copy(f, f"renders/{f.name}")
    data = {
        "portrait": portrait,
        "consent_events": rows["consents"],
        "consent_now": consent.summary_from(consent.events(db, portrait_id), ws.now().date()),
        "posts": rows["posts"],
        "engagement": rows["engagement"],
        "audit": audit.entries(db, portrait_id),
        "files": files,
    }
    atomic_write_text(target / "data.json", json.dumps(data, ensure_ascii=False, indent=2))
    with ws.store.transaction() as wdb:
        audit.record(wdb, "gdpr.export", portrait_id)
    return {"portrait_id": portrait_id, "folder": str(target), "files": ["data.json", *files]}


def _scrub(value, needle: str, token: str):
    if isinstance(value, str):
        return value.replace(needle, token)
    if isinstance(value, list):
        return [_scrub(v, needle, token) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, needle, token) for k, v in value.items()}
    return value


def erase_person(ws: Workspace, portrait_id: str) -> dict:
    """Remove a person and their files; leave one audit entry without personal data."""
    token = "erased-" + secrets.token_hex(4)
    removed_files: list[Path] = []
    with ws.store.transaction() as db:
        portrait = records.get(db, portrait_id)
        rows = _person_rows(db, portrait_id)
        q = Query().portrait_id == portrait_id
        counts = {name: len(found) for name, found in rows.items()}
        for name in rows:
            db.table(name).remove(q)
        db.table("portraits").remove(Query().id == portrait_id)
        photo = portrait.get("photo", {}).get("file")
        if photo:
            removed_files.append(ws.root / photo)
        for e in rows["consents"]:
            if e.get("evidence"):
                removed_files.append(ws.private / "evidence" / e["evidence"]["name"])
        post_ids = {p["id"] for p in rows["posts"]}
        outbox_dirs = [d for d in ws.outbox.glob("*") if d.is_dir() and any(f"-{pid}-" in d.name + "-" for pid in post_ids)]
        audit_table = db.table("audit")
        for entry in audit_table.all():
            if portrait_id in json.dumps(entry, ensure_ascii=False):
                audit_table.update(lambda doc, e=entry: doc.update(_scrub(dict(e), portrait_id, token)),
                                   doc_ids=[entry.doc_id])
        audit.record(db, "gdpr.erase", token, removed={**counts, "photos": 1 if photo else 0})
    # Files go after the store no longer points at them: a crash here leaves orphans, never dangling records.
    for f in removed_files:
        f.unlink(missing_ok=True)
    shutil.rmtree(ws.renders / portrait_id, ignore_errors=True)
    for d in outbox_dirs:
        shutil.rmtree(d, ignore_errors=True)
    # Overviews that may show the face: the contact sheet and the report. Both can be made again.
    (ws.exports / "contact-sheet.jpg").unlink(missing_ok=True)
    shutil.rmtree(ws.exports / "report", ignore_errors=True)
    from campaign.postview import pages_of

    for post in rows["posts"]:  # `schedule show --html` pages hold the post's images
        for page in pages_of(ws, post):
            page.unlink(missing_ok=True)
    published = [p for p in rows["posts"] if p.get("status") in ("published", "unknown", "publishing")]
    return {"erased": token, "removed": counts, "takedown": [
        {"post_id": p["id"], "channel": p.get("channel"), "remote_id": p.get("remote_id"),
         "permalink": p.get("permalink")} for p in published]}
