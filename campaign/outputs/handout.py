"""Making a hand-out (the press kit, the WhatsApp bundles, the website gallery) without ever
leaving half of one, or one erasure cannot find.

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
from collections.abc import Iterable, Iterator
from pathlib import Path

from campaign.workspace import Workspace, footprint
from campaign.workspace.outpaths import refuse_protected
from portraits.errors import CampaignError
from portraits.messages import _m
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
