"""Making a hand-out (the press kit, the WhatsApp bundles, the website gallery) without ever
leaving half of one, or one erasure cannot find; and their places on the footprint list (what
erasure, a withdrawal of their scope, `status` and `doctor` do there), registered when imported.

Each is made in a folder beside its target (`.NAME.*.tmp`) and swapped into place at the end, so a
stopped command leaves the previous output whole, and a folder of someone else's is never
replaced: only one this tool recorded, or an empty one. Where it is and whom it shows goes into
the store's `outputs` table through `footprint.record_output`: once just before the swap (the
people of the old output and of the new one, since either may be on disk after a kill -9) and
once after (exactly the new one). The footprint list's hand-out places work from that record.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from campaign.workspace import Workspace, footprint
from campaign.workspace.footprint import (
    HANDOUTS,
    OUTPUTS,
    Finding,
    HandOut,
    PersonFiles,
    Place,
    Scan,
    Withdraw,
    recorded,
    register,
    removal,
    resolve,
    temp_copies,
)
from campaign.workspace.i18n import from_english
from campaign.workspace.outpaths import refuse_protected
from portraits import consent
from portraits.errors import CampaignError
from portraits.messages import Message, _m, _mn
from portraits.model import PortraitStatus


def target_for(ws: Workspace, kind: str, out: str | Path | None) -> Path:
    """Where an output goes: `out`, or its folder under exports/. A folder that holds something
    no output of this kind wrote is refused before anything is made."""
    spec = footprint.HANDOUTS[kind]
    target = Path(os.path.abspath(out)) if out else ws.exports / spec.folder
    refuse_protected(ws, target)
    if target.exists() and not target.is_dir():
        raise CampaignError(_m("{target} is a file, not a folder.", target=target),
                            _m("Give --out a folder for the {label}.", label=spec.label))
    ours = any(footprint.resolve(ws, o["path"]) == target and o.get("kind") == kind
               for o in ws.store.read().table(footprint.OUTPUTS).all())
    if not ours and target.exists() and any(target.iterdir()):
        raise CampaignError(_m("{target} already holds files that no {label} wrote; nothing was changed.",
                               target=target, label=spec.label),
                            _m("Give --out an empty or new folder, or move those files away."))
    for extra in spec.parts(target)[1:]:
        if extra.exists() and not ours:
            raise CampaignError(_m("{extra} already exists and no {label} wrote it; nothing was changed.",
                                   extra=extra, label=spec.label),
                                _m("Give --out another folder, or move that file away."))
    return target


@contextlib.contextmanager
def staging(kind: str, target: Path) -> Iterator[Path]:
    """A fresh folder beside `target` to make the output in; removed if the block fails. What an
    earlier, stopped run left there (a folder, a zip) goes first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for part in footprint.HANDOUTS[kind].parts(target):
        for leftover in footprint.temp_copies(part):
            footprint.remove(leftover)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def current_umask() -> int:
    """The process's umask, read without changing it where Linux says it (/proc), else by the
    set-and-restore of os.umask."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def share(folder: Path) -> None:
    """A hand-out is meant for others: its folders and files get the modes the umask gives a new
    file (a staging folder and atomic writes start private, 0700/0600)."""
    mask = current_umask()
    folder.chmod(0o777 & ~mask)
    for path in folder.rglob("*"):
        if not path.is_symlink():
            path.chmod((0o777 if path.is_dir() else 0o666) & ~mask)


def swap_in(stage: Path, target: Path) -> None:
    """Put the finished folder in place of the old one (two renames; the old one is then removed).
    It is readable by others as the umask allows: hand-outs are made to be handed out."""
    share(stage)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old{os.getpid()}.tmp")
        os.replace(target, old)
    os.replace(stage, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def record(ws: Workspace, kind: str, path: Path, portraits: Iterable[str], discard: Iterable[Path] = (),
           before_swap: bool = False) -> None:
    """Record the output at `path` as showing `portraits` (see the module's docstring for when).
    Someone erased, or whose consent for this output ended, while it was being made makes the
    command fail, and `discard` is removed: nothing made before a withdrawal survives it."""
    names = sorted(set(portraits))
    footprint.record_output(ws, kind, path, names, names, discard=lambda: [footprint.remove(p) for p in discard],
                            scope=footprint.HANDOUTS[kind].scope, keep_previous=before_swap)


def left_out(ws: Workspace, scope: str, kept: Iterable[str]) -> list[dict]:
    """The portraits an output for `scope` leaves out, each with why: not approved, or no valid
    consent of that scope today (for the pages that make the press kit, the bundle and the gallery)."""
    from portraits import consent, records

    db = ws.store.read()
    today = ws.now().date()
    inside = set(kept)
    out = []
    for p in records.all_portraits(db):
        if p["id"] in inside:
            continue
        if p.get("status") != PortraitStatus.APPROVED:
            why = _m("not approved ({status})", status=p.get("status"))
        elif not consent.is_valid(db, p["id"], scope, today):
            why = _m("no valid {scope} consent today", scope=scope)
        else:
            why = _m("no post in the chosen period")
        out.append({"portrait_id": p["id"], "first_name": p["first_name"], "reason": why})
    return sorted(out, key=lambda r: r["portrait_id"])


def latest(ws: Workspace, kind: str) -> dict | None:
    """The newest output of `kind` that is still there (not removed by a withdrawal or an erasure)."""
    found = [dict(o) for o in ws.store.read().table(footprint.OUTPUTS).all()
             if o.get("kind") == kind and not o.get("removed")]
    if not found:
        return None
    newest = max(found, key=lambda o: o.get("at", ""))
    path = footprint.resolve(ws, newest["path"])
    return {**newest, "folder": path} if path.exists() else None


# --- the hand-outs' places on the footprint list --------------------------------------------

def handout_leftovers(ws: Workspace, db: TinyDB, kind: str) -> list[Path]:
    """Half-made outputs of this kind, beside its default folder and every recorded one: the folder
    being made, the old folder being swapped out, a half-written zip. They may show anyone."""
    spec = HANDOUTS[kind]
    targets = {ws.exports / spec.folder} | {resolve(ws, o["path"]) for o in db.table(OUTPUTS).all()
                                             if o.get("kind") == kind}
    return sorted({left for target in targets for part in spec.parts(target) for left in temp_copies(part)})


def handout_files(kind: str) -> PersonFiles:
    spec = HANDOUTS[kind]

    def person_files(scan: Scan, pid: str) -> list[Path]:
        return [part for o in recorded(scan, kind) if pid in o.get("portraits", [])
                for part in spec.parts(resolve(scan.ws, o["path"]))] + handout_leftovers(scan.ws, scan.db, kind)
    return person_files


def handout_withdraw(kind: str) -> Withdraw:
    """A withdrawal of the scope marks each output holding the person as removed (inside the
    workspace) and hands its parts to `consent withdraw`, which deletes them once the store is
    written; outside the workspace they are listed to delete by hand."""
    spec = HANDOUTS[kind]

    def withdraw(db: TinyDB, pid: str, scopes: set[str], now: datetime) -> dict[str, Any]:
        if spec.scope not in scopes:
            return {}
        table, out = db.table(OUTPUTS), []
        for o in table.all():
            if o.get("kind") != kind or pid not in o.get("portraits", []) or o.get("stale"):
                continue
            inside = not Path(o["path"]).is_absolute()  # stored relative to the workspace when inside it
            table.update({"stale": _m("showed a person who withdrew {scope} consent", scope=spec.scope),
                          "removed": inside},
                         doc_ids=[o.doc_id])
            out.append({"kind": kind, "label": spec.label, "path": o["path"], "inside": inside,
                        "parts": [str(part) for part in spec.parts(Path(o["path"]))],
                        "note": _after(spec, o), "remake": spec.remake})
        return {"handouts": out}
    return withdraw


def _after(spec: HandOut, output: dict) -> Message:
    """What to tell people once a hand-out is removed, its day said the interface language's way."""
    return _m(spec.after, at=date.fromisoformat(output["at"][:10]))


def handout_redo(kind: str) -> Callable[[Scan], list[str]]:
    spec = HANDOUTS[kind]

    def redo(scan: Scan) -> list[str]:
        notes: list[str] = []
        valid = None
        for o in recorded(scan, kind):
            path = resolve(scan.ws, o["path"])
            if o.get("stale"):
                if o.get("removed"):
                    notes.append(_m("The {words} was removed because it {stale}: make it again (`{remake}`); "
                                    "{after}.", words=spec.label, stale=from_english(o['stale']),
                                    remake=spec.remake, after=_after(spec, o)))
                elif path.exists():
                    notes.append(_m("{path} {stale}: delete it by hand, or make it again there (`{remake} --out "
                                    "{path}`).", path=str(path), stale=from_english(o['stale']), remake=spec.remake))
                continue
            if path.exists():
                if valid is None:  # everyone's consent in one pass, only when there is something to compare
                    valid = {pid: c["scopes"] for pid, c in consent.summaries(scan.db, scan.ws.now().date()).items()}
                lapsed = [pid for pid in o.get("portraits", []) if spec.scope not in valid.get(pid, [])]
                if lapsed:
                    notes.append(_mn("The {words} at {path} shows {n} person whose {scope} consent is no longer "
                                     "valid: make it again (`{remake}`).",
                                     "The {words} at {path} shows {n} people whose {scope} consent is no longer "
                                     "valid: make it again (`{remake}`).", len(lapsed),
                                     words=spec.label, path=o['path'], scope=spec.scope, remake=spec.remake))
        return notes
    return redo


def handout_check(kind: str) -> Callable[[Scan], list[Finding]]:
    spec = HANDOUTS[kind]

    def check(scan: Scan) -> list[Finding]:
        found = []
        for path in handout_leftovers(scan.ws, scan.db, kind):
            if path.parent == scan.ws.exports or not scan.old_enough(path):
                continue  # in exports/ the export temp check finds it; a young one may be in the making
            rel = scan.rel(path)
            found.append(Finding(spec.label,
                                 _m("{rel} is part of a {label} that was being made when it was stopped; it "
                                    "may show anyone.", rel=rel, label=spec.label),
                                 _m("`campaign doctor --fix` removes it."), rel, removal(path, rel)))
        for o in recorded(scan, kind):
            if o.get("stale") and o.get("removed"):
                for part in spec.parts(resolve(scan.ws, o["path"])):
                    if part.exists():
                        rel = scan.rel(part)
                        found.append(Finding(spec.label,
                                             _m("{rel} {stale} and is still there (the command deleting it "
                                                "was stopped).", rel=rel, stale=o['stale']),
                                             _m("`campaign doctor --fix` removes it."), rel,
                                             removal(part, rel)))
        return found
    return check


def handout_place(name: str, kind: str, where: str, on_erase: str) -> Place:
    """A hand-out's place on the footprint list: its folders, what a withdrawal of its scope and
    `status` say, and what `doctor` looks for."""
    return Place(name, where, on_erase, shows_others=True, person_files=handout_files(kind),
                 withdraw=handout_withdraw(kind), redo=handout_redo(kind), check=handout_check(kind))


register(
    handout_place("press kit", "press-kit",
                  "exports/press-kit/ and press-kit.zip (or --out), .press-kit.*.tmp while one is made",
                  "deleted inside the workspace (outside: listed to delete by hand); `campaign status` says to make "
                  "it again and to ask media partners to stop using the images; a withdrawal of press consent "
                  "deletes it too"),
    handout_place("whatsapp bundles", "whatsapp-bundle",
                  "exports/whatsapp/ (or --out): the day's images and messages, and a page listing them",
                  "deleted inside the workspace (outside: listed to delete by hand); `campaign status` says to make "
                  "it again; a withdrawal of whatsapp consent deletes it too"),
    handout_place("website gallery", "gallery",
                  "exports/gallery/ (or --out): index.html, embed.html, gallery.json, img/",
                  "deleted inside the workspace (outside: listed to delete by hand); `campaign status` says to make "
                  "it again; a withdrawal of website consent deletes it too"),
)
