"""GDPR: give a person everything stored about them, or erase them.

Erasure reaches every place on the footprint list (campaign/privacy/places.py) and survives a kill
(campaign/privacy/erasure.py). An export written inside the workspace is itself on that list.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from tinydb import Query

from campaign.privacy.places import PLACES
from campaign.workspace import Workspace
from campaign.workspace.footprint import OUTPUTS, Scan, record_output, stored_path
from campaign.workspace.outpaths import private_folder, refuse_protected
from portraits import audit, consent, records
from portraits.errors import CampaignError
from portraits.files import atomic_write_bytes, require_kept_file
from portraits.messages import _m


def _person_rows(db, portrait_id: str) -> dict[str, list[dict]]:
    q = Query().portrait_id == portrait_id
    return {name: [dict(r) for r in db.table(name).search(q)]
            for name in ("consents", "posts", "engagement", "whatsapp_sends")}


COPIED_FIRST = {"photo", "evidence", "renders"}  # copied after checking them against the store
NOT_THEIRS = {"gdpr export", "export temp"}       # their earlier copies; half-made files of a stopped command


def _files_in(path: Path) -> list[tuple[Path, str]]:
    """A file, or every file in a folder, with the name it gets in the export (never through a link)."""
    if path.is_symlink():
        return []
    if path.is_file():
        return [(path, path.name)]
    return [(f, f"{path.name}/{f.relative_to(path)}") for f in sorted(path.rglob("*"))
            if f.is_file() and not f.is_symlink()]


def elsewhere(ws: Workspace, db, portrait_id: str) -> tuple[list[tuple[Path, str]], list[dict]]:
    """What else erasure would delete that shows or names the person, from the footprint list:
    their own files (outbox folders, post pages, hosted images) to copy, and the files that show
    other people too (billboard, report, press kit...), listed by place and path but not copied,
    since a copy would hand the person everyone else's portrait as well (GDPR Art. 15(4))."""
    scan = Scan(ws, db)
    copies: list[tuple[Path, str]] = []
    listed: list[dict] = []
    for place in PLACES:
        if place.person_files is None or place.name in COPIED_FIRST | NOT_THEIRS:
            continue
        for path in place.person_files(scan, portrait_id):
            if not (path.exists() or path.is_symlink()):
                continue
            if place.shows_others:
                listed.append({"place": place.name, "path": stored_path(ws, path), "copied": False,
                               "why": "it shows other people too"})
                continue
            folder = place.name.replace(" ", "-")
            copies += [(src, f"{folder}/{name}") for src, name in _files_in(path)]
    return copies, listed


def _outputs_naming(db, portrait_id: str) -> list[dict]:
    """The record of each output that shows or names the person (without the other people in it)."""
    return [{"kind": o.get("kind"), "path": o.get("path"), "at": o.get("at")} for o in db.table(OUTPUTS).all()
            if portrait_id in o.get("portraits", []) or portrait_id in o.get("faces", [])]


def export_person(ws: Workspace, portrait_id: str, out_dir: Path) -> dict:
    """Write <out>/<id>/data.json and a copy of every file that shows or names the person alone
    (photo, evidence, renders, outbox folders, post pages...); files that show others too are listed."""
    db = ws.store.read()
    portrait = records.get(db, portrait_id)
    rows = _person_rows(db, portrait_id)
    refuse_protected(ws, Path(out_dir))
    target = Path(out_dir) / portrait_id
    if target.exists() and any(target.iterdir()):
        raise CampaignError(_m("{target} already exists and is not empty.", target=target),
                            _m("Choose another --out folder."))
    files: list[str] = []
    photo = portrait.get("photo", {})
    add_again = _m("Add the person's photo or signed form again (campaign portrait add, campaign consent grant "
                   "--evidence), then export again.")
    sources: list[tuple[Path, str]] = []  # checked before anything is written
    photo_path = ws.root / photo["file"] if photo.get("file") else None
    if photo_path is not None and (photo_path.exists() or photo_path.is_symlink()):
        src = require_kept_file(photo_path, ws.photos, photo.get("kept_sha256"), True, add_again)
        sources.append((src, "photo" + photo_path.suffix))
    for e in rows["consents"]:
        ev = e.get("evidence")
        form = ws.private / "evidence" / ev["name"] if ev else None
        if ev and form is not None and (form.exists() or form.is_symlink()):
            sources.append((require_kept_file(form, ws.private / "evidence", ev.get("sha256"), False, add_again),
                            f"consent/{ev['name']}"))
    render_dir = ws.renders / portrait_id
    if render_dir.is_dir():
        sources += [(f, f"renders/{f.name}") for f in sorted(render_dir.iterdir())
                    if f.is_file() and not f.is_symlink()]
    more, listed = elsewhere(ws, db, portrait_id)
    sources += more
    private_folder(target)
    for src, name in sources:
        private_folder(target / name, up_to=target)
        atomic_write_bytes(target / name, src.read_bytes(), mode=0o600)
        files.append(name)
    data = {
        "portrait": portrait,
        "consent_events": rows["consents"],
        "consent_now": consent.summary_from(consent.events(db, portrait_id), ws.now().date(),
                                             minor=consent.is_minor(portrait)),
        "posts": rows["posts"],
        "engagement": rows["engagement"],
        "whatsapp_messages": rows["whatsapp_sends"],  # to whom by opaque subscriber id, never a number
        "audit": audit.entries(db, portrait_id),
        "outputs": _outputs_naming(db, portrait_id),
        "files": files,
        "not_copied": listed,
    }
    atomic_write_bytes(target / "data.json", json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), mode=0o600)
    record_output(ws, "gdpr-export", target, [portrait_id], [portrait_id], discard=lambda: shutil.rmtree(target))
    with ws.store.transaction() as wdb:
        audit.record(wdb, "gdpr.export", portrait_id)
    return {"portrait_id": portrait_id, "folder": str(target), "files": ["data.json", *files]}


def erase_person(ws: Workspace, portrait_id: str) -> dict:
    """Remove a person from every place on the footprint list; see campaign/privacy/erasure.py."""
    from campaign.privacy.erasure import erase

    return erase(ws, portrait_id)


def find_people(ws: Workspace, query: str) -> list[dict]:
    """Portraits a privacy request may be about: by id, first name or role (a part of it), or by the
    whole surname (matched, never shown: the page says only that one is on file)."""
    wanted = " ".join(query.split()).casefold()
    if not wanted:
        return []
    found = []
    for p in records.all_portraits(ws.store.read()):
        texts = (p["id"], p["first_name"], p.get("role") or "")
        if any(wanted in t.casefold() for t in texts) or wanted == (p.get("surname") or "").strip().casefold():
            found.append({"id": p["id"], "first_name": p["first_name"], "age": p.get("age"), "role": p.get("role"),
                          "status": p.get("status"), "surname_on_file": bool(p.get("surname"))})
    return sorted(found, key=lambda r: r["id"])


def erase_preview(ws: Workspace, portrait_id: str) -> dict:
    """What `gdpr erase` would remove, for the one confirmation a person gives: the person's rows in the
    store, the files inside the workspace, files outside it to delete by hand, and published posts to
    take down by hand. Read from the same footprint list the erasure uses."""
    from campaign.workspace import footprint
    from schedules import posts

    db = ws.store.read()
    portrait = records.get(db, portrait_id)
    scan = footprint.Scan(ws, db)
    files: list[str] = []
    by_hand: list[str] = []
    for place in PLACES:
        for path in place.person_files(scan, portrait_id) if place.person_files and not place.rewrite else []:
            if not path.exists():
                continue
            (files if scan.inside(path) or place.anywhere else by_hand).append(footprint.stored_path(ws, path))
    rows = {name: len(db.table(name).search(Query().portrait_id == portrait_id))
            for name in ("consents", "posts", "engagement", "whatsapp_sends")}
    takedown = [{"post_id": p["id"], "channel": p.get("channel"), "permalink": p.get("permalink")}
                for p in posts.all_posts(db) if p["portrait_id"] == portrait_id and p["status"] in posts.OUT]
    return {"portrait_id": portrait_id, "first_name": portrait["first_name"], "rows": rows,
            "files": sorted(set(files)), "by_hand": sorted(set(by_hand)), "takedown": takedown}


def same_first_name(typed: str, first_name: str) -> bool:
    """The confirmation of an erasure: the first name typed again (spaces, case and Unicode form aside)."""
    import unicodedata

    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text or "").split()).casefold()

    return bool(norm(typed)) and norm(typed) == norm(first_name)
