"""`campaign doctor`: check a workspace and say in plain words what is wrong and what to do.

It works from the footprint list (every place a person can be), so it checks the same places
erasure reaches: store readable and of a known schema, every file the store names present,
files no record points to, temporary files left by a crash, unfinished erasures, the modes of
.private/, and campaign.toml. It runs under the store lock, so a file another command writes
under that lock is never mistaken for a leftover; other temporary files count only once they
are a couple of minutes old. `--fix` repairs what is safe and says what it did.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from campaign.privacy import erasure, places
from campaign.workspace import PRIVATE_NAME, Workspace, footprint
from campaign.workspace.config import CONFIG_NAME, load_config
from campaign.workspace.footprint import Finding
from portraits.errors import CampaignError
from portraits.messages import _m

DIR_MODE, FILE_MODE = 0o700, 0o600


def _config(ws: Workspace) -> list[Finding]:
    try:
        load_config(ws.root / CONFIG_NAME)
    except CampaignError as e:
        return [Finding("config", f"{CONFIG_NAME}: {e.message}", e.hint or f"Correct {CONFIG_NAME} by hand.",
                        CONFIG_NAME)]
    return []


def _chmod(path: Path, mode: int, rel: str) -> Finding:
    def repair() -> str:
        os.chmod(path, mode)
        return f"set {rel} to mode {mode:o}"
    current = stat.S_IMODE(path.lstat().st_mode)
    kind = "folder" if path.is_dir() else "file"
    return Finding("permissions",
                   _m("The private {kind} {rel} has mode {current:o}: other users of this computer may read "
                      "it.", kind=kind, rel=rel, current=current),
                   _m("`campaign doctor --fix` sets it to {mode:o}.", mode=mode), rel, repair)


def _permissions(ws: Workspace) -> list[Finding]:
    """.private/ and everything in it: folders 0700, files 0600, however they got there."""
    root = ws.root / PRIVATE_NAME
    if not root.is_dir():
        return []
    found = [_chmod(root, DIR_MODE, PRIVATE_NAME)] if stat.S_IMODE(root.lstat().st_mode) != DIR_MODE else []
    for folder, dirs, files in os.walk(root):
        for name, want in [(d, DIR_MODE) for d in dirs] + [(f, FILE_MODE) for f in files]:
            path = Path(folder) / name
            if not path.is_symlink() and stat.S_IMODE(path.lstat().st_mode) != want:
                found.append(_chmod(path, want, str(path.relative_to(ws.root))))
    return found


def _erasures(ws: Workspace, db) -> list[Finding]:
    def finisher(record: dict):
        def repair() -> str:
            erasure.finish(ws, record)
            return f"finished the interrupted erasure {record['ref']}"
        return repair
    return [Finding("erasure",
                    _m("The erasure {ref} (started {started_at}) was interrupted: some files of that person "
                       "may remain.", ref=r['ref'], started_at=r['started_at']),
                    _m("`campaign doctor --fix` finishes it (so does `campaign gdpr erase ID` again)."),
                    repair=finisher(r)) for r in erasure.pending(db)]


def _figures(db) -> list[Finding]:
    """Numbers far out of range in the store (typed before they were checked, or edited by hand):
    the ranking leaves such a snapshot out; a person should correct or remove it."""
    from portraits.fields import MAX_AGE
    from schedules import engagement

    found = [Finding("figures",
                     _m("An engagement snapshot of {post_id} ({at}) has {figures} out of range; the ranking and "
                        "the report leave it out.", post_id=s.get("post_id"), at=s.get("at"),
                        figures=", ".join(s["wrong"])),
                     _m("Record the right figures again: campaign engagement record {post_id} ...",
                        post_id=s.get("post_id")), "campaign.json") for s in engagement.skipped(db)]
    for p in db.table("portraits").all():
        age = p.get("age")
        if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= MAX_AGE:
            found.append(Finding("figures", _m("The portrait {portrait_id} has the age {age!r}, outside 0 to "
                                               "{max_age}.", portrait_id=p.get("id"), age=age, max_age=MAX_AGE),
                                 _m("Correct it: campaign portrait edit {portrait_id} --age N.",
                                    portrait_id=p.get("id")), "campaign.json"))
    return found


def check(ws: Workspace, locked: bool = True) -> list[Finding]:
    """Everything wrong with the workspace now, one finding each."""
    found = _config(ws)
    try:
        db = ws.store.read()
    except CampaignError as e:
        # Without a readable store nothing can be called an orphan: those checks wait for it.
        return found + [Finding("store", e.message, e.hint or "Restore campaign.json from a backup.",
                                "campaign.json")] + _permissions(ws)
    scan = footprint.Scan(ws, db, locked=locked, erasing=erasure.still_there(ws, db))
    found += _erasures(ws, db)  # first: --fix finishes them before anything else is repaired
    found += _figures(db)
    for place in places.PLACES:
        if place.check:
            found += footprint.without_erasing(scan, place.check(scan))
    return found + _permissions(ws)


def doctor(ws: Workspace, fix: bool = False) -> dict:
    """Check (and with `fix`, repair what is safe); `ok` is False while something is still wrong."""
    from filelock import Timeout

    fixed, failed = [], []
    try:
        ws.store.lock.acquire()
    except Timeout:
        raise CampaignError(_m("The store is locked by another campaign process."),
                            _m("Run `campaign doctor` again when it has finished.")) from None
    try:
        found = check(ws)
        if fix and any(f.repair for f in found):
            for f in found:
                if f.repair is not None:
                    try:
                        fixed.append(f.repair())
                    except OSError as e:
                        failed.append(f"{f.path or f.problem}: {e.strerror or e}")
            found = check(ws)
    finally:
        ws.store.lock.release()
    return {"ok": not found, "findings": [f.public() for f in found], "fixed": fixed, "failed": failed}
