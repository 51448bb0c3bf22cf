"""GDPR: give a person everything stored about them, or erase them.

Erasure reaches every place on the footprint list (campaign/footprint.py) and survives a kill
(campaign/erasure.py). An export written inside the workspace is itself on that list.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from tinydb import Query

from campaign.footprint import record_output
from campaign.store import atomic_write_text
from campaign.workspace import Workspace
from portraits import audit, consent, records
from portraits.errors import CampaignError
from portraits.messages import _m


def _person_rows(db, portrait_id: str) -> dict[str, list[dict]]:
    q = Query().portrait_id == portrait_id
    return {name: [dict(r) for r in db.table(name).search(q)]
            for name in ("consents", "posts", "engagement", "renders", "whatsapp_sends")}


def export_person(ws: Workspace, portrait_id: str, out_dir: Path) -> dict:
    """Write <out>/<id>/data.json and copies of the photo, evidence and renders."""
    db = ws.store.read()
    portrait = records.get(db, portrait_id)
    rows = _person_rows(db, portrait_id)
    target = Path(out_dir) / portrait_id
    if target.exists() and any(target.iterdir()):
        raise CampaignError(_m("{target} already exists and is not empty.", target=target),
                            _m("Choose another --out folder."))
    files: list[str] = []
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)  # one person's data, surname and consent forms: for the office only

    def copy(src: Path, name: str) -> None:
        if src.is_file():
            (target / name).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copyfile(src, target / name)
            (target / name).chmod(0o600)
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
        "consent_now": consent.summary_from(consent.events(db, portrait_id), ws.now().date(),
                                             minor=consent.is_minor(portrait)),
        "posts": rows["posts"],
        "engagement": rows["engagement"],
        "whatsapp_messages": rows["whatsapp_sends"],  # to whom by opaque subscriber id, never a number
        "audit": audit.entries(db, portrait_id),
        "files": files,
    }
    atomic_write_text(target / "data.json", json.dumps(data, ensure_ascii=False, indent=2))
    record_output(ws, "gdpr-export", target, [portrait_id], [portrait_id], discard=lambda: shutil.rmtree(target))
    with ws.store.transaction() as wdb:
        audit.record(wdb, "gdpr.export", portrait_id)
    return {"portrait_id": portrait_id, "folder": str(target), "files": ["data.json", *files]}


def erase_person(ws: Workspace, portrait_id: str) -> dict:
    """Remove a person from every place on the footprint list; see campaign/erasure.py."""
    from campaign.erasure import erase

    return erase(ws, portrait_id)
