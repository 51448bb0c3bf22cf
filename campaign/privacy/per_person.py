"""What the places the privacy floor keeps itself hold of one person (the store's tables, photos,
consent forms, the outbox, hosted images), and what erasure, a withdrawal and `campaign status` do
there. The places of outputs are with each output (campaign/outputs/); the list: places.py."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tinydb import Query, TinyDB

from campaign.workspace import PRIVATE_NAME, Workspace
from campaign.workspace.footprint import (
    HANDOUTS,
    KIND_WORDS,
    OUTPUTS,
    POST_FOLDER,
    REMAKE_HINT,
    EraseRows,
    Scan,
    entries,
    is_inside,
    resolve,
)
from campaign.workspace.i18n import from_english
from portraits import consent
from portraits.messages import _m
from schedules.channel import PUBLISHERS


def outputs_erase(db: TinyDB, pid: str, ref: str, ws: Workspace) -> dict:
    """Owned outputs (a gdpr export) go; shared ones lose the id and note what to make again."""
    table = db.table(OUTPUTS)
    gone, stale = 0, 0
    for o in table.all():
        if pid not in o.get("portraits", []):
            continue
        if o["kind"] == "gdpr-export":
            table.remove(doc_ids=[o.doc_id])
            gone += 1
            continue
        inside = is_inside(ws, resolve(ws, o["path"]))
        change = {"portraits": [p for p in o["portraits"] if p != pid],
                  "faces": [p for p in o.get("faces", []) if p != pid]}
        if o["kind"] != "calendar":  # a calendar is rewritten on the spot
            change.update(stale=_m("showed an erased person"), removed=inside)
            stale += 1
        table.update(change, doc_ids=[o.doc_id])
    return {"outputs": gone, "outputs_to_remake": stale}


def outputs_redo(scan: Scan) -> list[str]:
    notes = []
    valid: set[str] | None = None
    for o in scan.db.table(OUTPUTS).all():
        kind, path = o["kind"], resolve(scan.ws, o["path"])
        if kind in HANDOUTS:  # their own places say it
            continue
        words = KIND_WORDS.get(kind, kind)
        if o.get("stale"):
            if o.get("removed"):
                notes.append(_m("The {words} was removed because it {stale}: make it again (`{remake}`).",
                                words=words, stale=from_english(o['stale']), remake=REMAKE_HINT.get(kind, kind)))
            elif path.exists():
                notes.append(_m("{path} {stale}: delete it by hand, or make it again at that path (`{remake}`).",
                                path=str(path), stale=from_english(o['stale']), remake=REMAKE_HINT.get(kind, kind)))
            continue
        if kind in ("contact-sheet", "report") and path.exists():
            if valid is None:  # everyone's consent in one pass, only when there is something to compare
                valid = {pid for pid, c in consent.summaries(scan.db, scan.ws.now().date()).items() if c["scopes"]}
            lapsed = [pid for pid in o.get("faces", []) if pid in scan.portraits and pid not in valid]
            if lapsed:
                notes.append(f"The {words} at {o['path']} shows {len(lapsed)} person(s) without a valid consent "
                             f"now: make it again (`{REMAKE_HINT[kind]}`).")
    return notes


def rows_of(table: str, key: str = "portrait_id") -> EraseRows:
    def erase_rows(db: TinyDB, pid: str, ref: str, ws: Workspace) -> dict:
        return {table: len(db.table(table).remove(Query()[key] == pid))}
    return erase_rows


def posts_withdraw(db: TinyDB, pid: str, scopes: set[str], now) -> dict:
    from schedules.posts import cancel_for_withdrawal

    return cancel_for_withdrawal(db, pid, scopes, now)


def anonymise(value, pid: str, ref: str):
    """`value` with every string that IS the id (never one that merely contains it) replaced."""
    if isinstance(value, str):
        return ref if value == pid else value
    if isinstance(value, list):
        return [anonymise(v, pid, ref) for v in value]
    if isinstance(value, dict):
        return {k: anonymise(v, pid, ref) for k, v in value.items()}
    return value


def audit_erase(db: TinyDB, pid: str, ref: str, ws: Workspace) -> dict:
    table = db.table("audit")
    # A substring test only picks the candidates (cheap); what changes is decided by exact match.
    changed = [e.doc_id for e in table.all()
               if e.get("subject") == pid or (pid in repr(e.get("details"))
                                              and anonymise(e.get("details"), pid, ref) != e.get("details"))]

    def transform(doc: dict) -> None:
        doc["subject"] = anonymise(doc.get("subject"), pid, ref)
        doc["details"] = anonymise(doc.get("details"), pid, ref)
    if changed:
        table.update(transform, doc_ids=changed)
    return {"audit_entries_anonymised": len(changed)}


def photo_files(scan: Scan, pid: str) -> list[Path]:
    f = scan.portraits[pid].get("photo", {}).get("file")
    return [scan.ws.root / f] if f else []


def evidence_names(docs: Iterable[dict]) -> set[str]:
    return {e["evidence"]["name"] for e in docs if e.get("evidence")}


def evidence_files(scan: Scan, pid: str) -> list[Path]:
    """Their signed forms, unless another person's consent points to the same file (one form for two)."""
    mine, others = set(), set()
    for e in scan.db.table("consents").all():
        (mine if e["portrait_id"] == pid else others).update(evidence_names([e]))
    return [scan.ws.root / PRIVATE_NAME / "evidence" / name for name in sorted(mine - others)]


def outbox_files(scan: Scan, pid: str) -> list[Path]:
    mine = {post_id for post_id, p in scan.posts.items() if p["portrait_id"] == pid}
    return [Path(e.path) for e in entries(scan.ws.outbox)
            if (m := POST_FOLDER.match(e.name)) and m.group(1) in mine]


def hosted_files(scan: Scan, pid: str) -> list[Path]:
    """Copies of their images in the office's public web folder (Instagram's official API fetches
    them from there; a crash can leave one): named after the post, so found wherever that folder is."""
    mine = [post_id for post_id, p in scan.posts.items() if p["portrait_id"] == pid]
    found = []
    for settings in scan.ws.plain.channels.values():  # plain values: erase does not load the settings model
        hosts = "hosted images" in PUBLISHERS[settings.publisher].keeps  # the publisher's description says so
        folder = Path(settings.public_dir) if hosts and getattr(settings, "public_dir", "") else None
        if folder is None or not mine:
            continue
        for e in entries(folder):
            name = e.name[1:] if e.name.startswith(".") else e.name  # .<post>-1.jpg.tmp while being copied
            if any(name.startswith(f"{post_id}-") for post_id in mine):
                found.append(Path(e.path))
    return found

