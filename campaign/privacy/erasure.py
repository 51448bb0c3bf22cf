"""Erasure that survives a kill: record the intent, delete, then clear the record.

`gdpr erase` first changes the store in one transaction: the person's rows go, the audit log is
made anonymous, and an "erasure in progress" record is added. That record holds no name and no
id: only the opaque reference of the audit entry, a random salt, and keyed hashes of what is
still to be found (the id, the public labels "Brigitte, 81" / "Brigitte (81)", the names of the
files and folders to delete). Then the files go, the log is rewritten, the kept store versions
that hold the person are deleted, calendars lose the person's events, and the record is cleared.

A kill at any moment therefore leaves either nothing done, or a record that says an erasure is
unfinished. `gdpr erase ID` again (the hash of ID matches it), `campaign doctor --fix` and the
next erase finish it; `campaign status` and `campaign doctor` report it. Finishing needs no
personal data, since every name is recognised by its hash.
"""
from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from collections import defaultdict
from pathlib import Path

from tinydb import TinyDB

from campaign.privacy import places
from campaign.workspace import PRIVATE_NAME, Workspace, footprint
from portraits import audit, records
from portraits.errors import NotFound
from portraits.files import atomic_write_bytes
from portraits.messages import _m
from schedules.model import OUT

TABLE = "erasures"
# Id-like tokens (a-z, 0-9, inner hyphens), taken whole: `anna-30-2` is one token, never `anna-30`.
TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
LABEL_END = re.compile(r"(?:, \d{1,3}(?!\d)| \(\d{1,3}\))")


def labels(portrait: dict) -> list[str]:
    """How public texts name a person: "Brigitte, 81" (captions, renders) and "Brigitte (81)" (billboard)."""
    return [f"{portrait['first_name']}, {portrait['age']}", f"{portrait['first_name']} ({portrait['age']})"]


def _hash(salt: str, text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), key=bytes.fromhex(salt), digest_size=16).hexdigest()


class Names:
    """Recognises one person's id (as a whole token) and public labels in text, from the record's hashes."""

    def __init__(self, record: dict, plain: list[str] | None = None):
        self.salt = record["salt"]
        self.id_len, self.id_hash = record["id"]
        self.labels = {(n, h) for n, h in record["labels"]}
        self.label_lens = {n for n, _h in self.labels}
        self.plain = plain  # when the erasing process still knows them: a fast first look at each line

    def is_id(self, token: str) -> bool:
        return len(token) == self.id_len and _hash(self.salt, token) == self.id_hash

    def in_text(self, text: str) -> bool:
        if self.plain is not None and not any(p in text for p in self.plain):
            return False
        if any(self.is_id(t) for t in TOKEN.findall(text)):
            return True
        for m in LABEL_END.finditer(text):
            for n in self.label_lens:
                start = m.end() - n
                if start >= 0 and (start == 0 or not text[start - 1].isalnum()) and \
                        (n, _hash(self.salt, text[start:m.end()])) in self.labels:
                    return True
        return False


def new_record(ws: Workspace, portrait: dict, files: list[Path], rewrite: list[Path], post_ids: list[str],
               takedown: list[dict], ref: str, now) -> dict:
    salt = secrets.token_hex(16)
    targets = sorted({(footprint.stored_path(ws, f.parent), _hash(salt, f.name)) for f in files})
    return {"ref": ref, "salt": salt, "started_at": now.isoformat(timespec="seconds"),
            "id": [len(portrait["id"]), _hash(salt, portrait["id"])],
            "labels": [[len(t), _hash(salt, t)] for t in labels(portrait)],
            "targets": [list(t) for t in targets],
            "rewrite": [footprint.stored_path(ws, p) for p in rewrite],
            "posts": post_ids,  # p-12 ...: which calendar events were theirs
            "takedown": takedown}


def pending(db: TinyDB) -> list[dict]:
    return [dict(r, doc_id=r.doc_id) for r in db.table(TABLE).all()]


def pending_for(db: TinyDB, portrait_id: str) -> dict | None:
    """The unfinished erasure of this id, if there is one (found by its hash)."""
    return next((r for r in pending(db) if Names(r).is_id(portrait_id)), None)


def _targets(ws: Workspace, record: dict) -> list[Path]:
    """What the record names that is still on disk, with temporary copies of it (`.NAME.*.tmp`, `.NAME.*`)."""
    by_folder: dict[str, set[str]] = defaultdict(set)
    for folder, digest in record["targets"]:
        by_folder[folder].add(digest)
    found = []
    for folder, wanted in by_folder.items():
        for entry in footprint.entries(footprint.resolve(ws, folder)):
            base = footprint.temp_base(entry.name)
            if _hash(record["salt"], entry.name) in wanted or (base and _hash(record["salt"], base) in wanted):
                found.append(Path(entry.path))
    return found


def still_there(ws: Workspace, db: TinyDB) -> set[Path]:
    """Files that unfinished erasures have yet to delete."""
    return {path for record in pending(db) for path in _targets(ws, record)}


def rewrite_log(ws: Workspace, names: Names) -> int:
    """campaign.log without the lines that name the person, written atomically; returns lines dropped."""
    path = ws.log_path
    if not path.is_file():
        return 0
    with ws.store.lock:  # the daemon writes most of its lines under this lock
        data = path.read_bytes()
        lines = data.splitlines(keepends=True)
        kept = [ln for ln in lines if not names.in_text(ln.decode("utf-8", "replace"))]
        if len(kept) == len(lines):
            return 0
        with open(path, "rb") as f:  # lines appended while we were reading go along too
            f.seek(len(data))
            tail = [ln for ln in f.read().splitlines(keepends=True) if not names.in_text(ln.decode("utf-8", "replace"))]
        atomic_write_bytes(path, b"".join(kept + tail), mode=path.stat().st_mode & 0o777)
    return len(lines) - len(kept)


def forget_backups(ws: Workspace, names: Names, portrait_id: str | None) -> int:
    """Delete the kept versions of the store that hold the person; returns how many.

    Rewriting them without the person would cost a full store write each (five of them), and the
    newest is what the store itself now is; so they go, and the versions from before the person
    was added stay. `portrait_id`, when this process knows it, makes the test a byte search."""
    import json

    def holds(path: Path) -> bool:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return False
        if portrait_id is not None:
            return json.dumps(portrait_id).encode() in raw
        try:
            people = json.loads(raw).get("portraits", {}).values()
            return any(names.is_id(str(p.get("id"))) for p in people if isinstance(p, dict))
        except (ValueError, AttributeError):
            return True  # unreadable: it may hold them, and it could not be restored anyway

    with ws.store.lock:  # the store rotates its versions under this lock
        held = [b for b in places.backup_files(ws) if holds(b)]
        for backup in held:
            backup.unlink(missing_ok=True)
    return len(held)


def calendar_without(ws: Workspace, path: Path, names: Names | None, post_ids: set[str]) -> str:
    """The calendar without the person's events: each VEVENT block that is one of their posts (by UID)
    or names them goes; the other events stay exactly as exported. Cheap next to exporting again.
    A withdrawal gives no `names`: only the posts it cancelled go."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "gone"
    if not data.startswith(b"BEGIN:VCALENDAR"):
        return "left"  # not a calendar we wrote any more
    text = data.decode("utf-8", "replace")
    out, block = [], None
    for line in text.splitlines(keepends=True):
        if line.startswith("BEGIN:VEVENT"):
            block = [line]
        elif block is not None:
            block.append(line)
            if line.startswith("END:VEVENT"):
                event = "".join(block)
                unfolded = re.sub(r"\r?\n[ \t]", "", event)  # RFC 5545 folds long lines
                uid = re.search(r"^UID:([^@\r\n]*)", unfolded, re.M)
                if not ((uid and uid.group(1) in post_ids) or (names is not None and names.in_text(unfolded))):
                    out.append(event)
                block = None
        else:
            out.append(line)
    new = "".join(out).encode("utf-8")
    if new != data:
        atomic_write_bytes(path, new, mode=path.stat().st_mode & 0o777)
        return "rewritten"
    return "unchanged"


def finish(ws: Workspace, record: dict, plain: list[str] | None = None) -> dict:
    """Do the file part of an erasure (again: every step may already be done), then clear the record."""
    names = Names(record, plain)
    targets = _targets(ws, record)
    removed = sum(footprint.remove(path) for path in targets)
    keep = {ws.root, ws.photos, ws.renders, ws.outbox, ws.exports, ws.root / PRIVATE_NAME,
            ws.root / PRIVATE_NAME / "evidence"}
    for folder in {path.parent for path in targets} - keep:  # e.g. exports/report/ once its page is gone
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty
    calendars = {stored: calendar_without(ws, footprint.resolve(ws, stored), names, set(record.get("posts", [])))
                 for stored in record["rewrite"]}
    log_lines = rewrite_log(ws, names)
    backups = forget_backups(ws, names, plain[0] if plain else None)
    with ws.store.transaction() as db:
        db.table(TABLE).remove(lambda r: r.get("ref") == record["ref"])
        others = [r for r in pending(db) if r["ref"] != record["ref"]]
        redo = places.redo(ws, db)
    return {"files_removed": removed, "calendars": calendars, "log_lines_removed": log_lines,
            "backups_deleted": backups, "redo": redo, "others_pending": others}


def begin(ws: Workspace, portrait_id: str) -> dict:
    """The store part, in one transaction: the person's rows go and the intent is recorded.

    Returns the erasure record (an unfinished one of this id when there is one) and, for a new
    erasure, what only this process knows: the plain names for a fast first look at the log, and
    files outside the workspace that a person must delete by hand."""
    now = ws.now()
    with ws.store.transaction() as db:
        record = pending_for(db, portrait_id)
        if record is not None:
            return {"record": record, "resumed": True, "plain": None, "by_hand": []}
        try:
            portrait = records.get(db, portrait_id)
        except NotFound:
            raise NotFound(_m("No portrait with id {portrait_id!r}: nothing to erase.", portrait_id=portrait_id),
                           _m("See the ids with `campaign portrait list`.")) from None
        scan = footprint.Scan(ws, db)
        files, rewrite, by_hand = [], [], []
        for place in places.PLACES:
            for path in place.person_files(scan, portrait_id) if place.person_files else []:
                if place.rewrite:
                    rewrite.append(path)
                elif scan.inside(path) or place.anywhere:
                    files.append(path)
                elif path.exists():
                    by_hand.append({"place": place.name, "path": str(path)})
        theirs = [p for p in scan.posts.values() if p["portrait_id"] == portrait_id]
        takedown = [{"post_id": p["id"], "channel": p.get("channel"), "remote_id": p.get("remote_id"),
                     "permalink": p.get("permalink"),
                     # images uploaded unpublished to the Page for Instagram to fetch, if a crash left them
                     "hosted_photo_ids": p.get("hosted_photo_ids") or []}
                    for p in theirs if p.get("status") in OUT
                    or p.get("hosted_photo_ids")]
        ref = "erased-" + secrets.token_hex(4)
        removed: dict = {}
        for place in places.PLACES:
            if place.erase_rows:
                removed.update(place.erase_rows(db, portrait_id, ref, ws))
        removed["files"] = len(files)
        record = new_record(ws, portrait, files, rewrite, sorted(p["id"] for p in theirs), takedown, ref, now)
        db.table(TABLE).insert(record)
        audit.record(db, "gdpr.erase", ref, now=now, removed=removed)
    return {"record": record, "resumed": False, "plain": [portrait_id, portrait["first_name"]], "by_hand": by_hand}


def erase(ws: Workspace, portrait_id: str) -> dict:
    """`gdpr erase`: take the person out of every place on places.PLACES; finish an interrupted one."""
    started = begin(ws, portrait_id)
    if started["resumed"] and any(p["id"] == portrait_id for p in records.all_portraits(ws.store.read())):
        finish(ws, started["record"])  # an interrupted erasure, and since then a new portrait took the id
        started = begin(ws, portrait_id)
    record = started["record"]
    # Everything below only deletes or rewrites files; a kill here leaves the record to finish it.
    done = finish(ws, record, started["plain"])
    earlier = [other["ref"] for other in done.pop("others_pending")]
    for other in pending(ws.store.read()) if earlier else []:  # interrupted erasures of other people
        finish(ws, other)
    return {"erased": record["ref"], "resumed": started["resumed"], "takedown": record.get("takedown", []),
            "by_hand": started["by_hand"], **done, "finished_earlier": earlier}


def summary(db: TinyDB) -> list[dict]:
    """Unfinished erasures as `campaign status` and doctor show them: reference and start, nothing else."""
    return [{"ref": r["ref"], "started_at": r["started_at"]} for r in pending(db)]
