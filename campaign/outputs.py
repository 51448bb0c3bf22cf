"""What the campaign hands out beyond the feed: the press kit, the WhatsApp bundles and the gallery.

Each of these shows people, so each is on the list that `gdpr erase` and `consent withdraw` work
from: when one is written, the store's `outputs` table records where and whom it shows (the same
record, {kind, path, portraits, faces, at}, that the workspace footprint keeps for reports and
contact sheets). `person_files` finds every such file of one person; `take_out` removes them for
an erasure or a withdrawal of the scope the output needs.

Every output is made in a staging folder beside its target and swapped into place at the end, so
a stopped command leaves the previous output whole, and a folder of someone else's is never
replaced: only one this tool recorded, or an empty one.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from tinydb import Query, TinyDB

from campaign.workspace import Workspace
from portraits import consent
from portraits.errors import CampaignError

TABLE = "outputs"
STAGING = ".staging-"  # prefix of a folder being made; one left by a crash is removed by the next run


@dataclass(frozen=True)
class OutputKind:
    name: str        # the record's `kind`
    label: str       # how people call it
    scope: str       # the consent scope everyone in it needs; withdrawing it takes the person out
    folder: str      # its default place, under exports/
    remake: str      # the command that makes it again
    zipped: bool = False  # a zip of the folder lies beside it (<folder>.zip)

    def default(self, ws: Workspace) -> Path:
        return ws.exports / self.folder

    def parts(self, path: Path) -> list[Path]:
        """The files and folders that make up one output at `path`."""
        return [path, path.with_name(path.name + ".zip")] if self.zipped else [path]


KINDS: dict[str, OutputKind] = {k.name: k for k in (
    OutputKind("press-kit", "press kit", "press", "press-kit", "campaign press kit", zipped=True),
    OutputKind("whatsapp-bundle", "WhatsApp bundle", "whatsapp", "whatsapp", "campaign whatsapp bundle"),
    OutputKind("gallery", "website gallery", "website", "gallery", "campaign gallery"),
)}


def _stored(ws: Workspace, path: Path) -> str:
    """Relative to the workspace when inside it (the folder may move), else absolute."""
    path = Path(os.path.abspath(path))
    return str(path.relative_to(ws.root)) if path.is_relative_to(ws.root) else str(path)


def _resolve(ws: Workspace, stored: str) -> Path:
    path = Path(stored)
    return path if path.is_absolute() else ws.root / path


def _inside(ws: Workspace, path: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(ws.root)


def records(db: TinyDB, kind: str | None = None) -> list[dict]:
    return [dict(r, doc_id=r.doc_id) for r in db.table(TABLE).all() if kind is None or r.get("kind") == kind]


def target_for(ws: Workspace, kind: str, out: str | Path | None) -> Path:
    """Where an output goes: `out`, or its folder under exports/. A folder that holds something
    no output of this kind wrote is refused before anything is made."""
    spec = KINDS[kind]
    target = Path(os.path.abspath(out)) if out else spec.default(ws)
    if target.exists() and not target.is_dir():
        raise CampaignError(f"{target} is a file, not a folder.", f"Give --out a folder for the {spec.label}.")
    ours = any(_resolve(ws, r["path"]) == target for r in records(ws.store.read(), kind))
    if not ours and target.exists() and any(target.iterdir()):
        raise CampaignError(f"{target} already holds files that no {spec.label} wrote; nothing was changed.",
                            "Give --out an empty or new folder, or move those files away.")
    for extra in spec.parts(target)[1:]:
        if extra.exists() and not ours:
            raise CampaignError(f"{extra} already exists and no {spec.label} wrote it; nothing was changed.",
                                "Give --out another folder, or move that file away.")
    return target


@contextlib.contextmanager
def staging(target: Path):
    """A fresh folder beside `target` to make the output in; removed if the block fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in target.parent.glob(f"{STAGING}{target.name}-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    stage = Path(tempfile.mkdtemp(prefix=f"{STAGING}{target.name}-", dir=target.parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def swap_in(stage: Path, target: Path) -> None:
    """Put the finished folder in place of the old one (two renames; the old one is then removed)."""
    old = None
    if target.exists():
        old = target.with_name(f"{STAGING}{target.name}-old-{os.getpid()}")
        os.replace(target, old)
    os.replace(stage, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def record(ws: Workspace, kind: str, path: Path, portraits: Iterable[str], discard: list[Path],
           with_previous: bool = False) -> None:
    """Remember an output that shows `portraits`, so that erasure and withdrawal find it.

    Called twice by each maker: before its new folder is swapped in (`with_previous`: the record then
    names the people of the old output and of the new one, so whichever is on disk after a kill -9
    is covered) and after (exactly the new one). Someone erased, or whose consent for this output
    ended, while it was being made was not known to that erasure or withdrawal: then `discard` is
    removed here and the command fails, so nothing made before a withdrawal survives it."""
    spec = KINDS[kind]
    names = set(portraits)
    with ws.store.transaction() as db:
        today = ws.now().date()
        known = {p["id"] for p in db.table("portraits").all()}
        gone = [pid for pid in sorted(names) if pid not in known or not consent.is_valid(db, pid, spec.scope, today)]
        if gone:
            for part in discard:
                _remove(part)
            raise CampaignError(f"Someone in the {spec.label} was erased or withdrew their {spec.scope} consent while "
                                "it was being made, so it was not kept.", f"Make it again: {spec.remake}.")
        where = _stored(ws, path)
        table = db.table(TABLE)
        if with_previous:
            for old in table.search(Query().path == where):
                names |= set(old.get("portraits", []))
        table.remove(Query().path == where)
        table.insert({"kind": kind, "path": where, "portraits": sorted(names), "faces": sorted(names),
                      "at": ws.now().isoformat(timespec="seconds")})


def leftovers(ws: Workspace, db: TinyDB) -> list[Path]:
    """Folders and zips a stopped maker left half-made beside its target (`.staging-*`, `.*.zip.*.tmp`):
    they may show anyone, so an erasure removes them (the next run of that maker would, too)."""
    folders = {KINDS[k].default(ws).parent for k in KINDS} | {
        _resolve(ws, r["path"]).parent for r in records(db) if r.get("kind") in KINDS}
    found = []
    for folder in sorted(folders):
        for name in [k.folder for k in KINDS.values()] + [_resolve(ws, r["path"]).name for r in records(db)
                                                           if r.get("kind") in KINDS]:
            found += folder.glob(f"{STAGING}{name}-*")
            found += folder.glob(f".{name}.zip.*.tmp")
    return sorted(set(found))


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return False
    return True


def person_files(ws: Workspace, db: TinyDB, portrait_id: str, scopes: Iterable[str] | None = None) -> list[Path]:
    """Every press kit, WhatsApp bundle and gallery (folder, and zip) that shows this person, and any
    half-made one; with `scopes`, only those of the kinds that need one of these consent scopes."""
    wanted = set(scopes) if scopes is not None else None
    return [part for r in records(db) if r.get("kind") in KINDS and portrait_id in r.get("portraits", [])
            and (wanted is None or KINDS[r["kind"]].scope in wanted)
            for part in KINDS[r["kind"]].parts(_resolve(ws, r["path"]))] + leftovers(ws, db)


def take_out(ws: Workspace, db: TinyDB, portrait_id: str, scopes: Iterable[str] | None = None) -> dict:
    """Inside a store transaction: forget the outputs that show the person (of kinds needing one of
    `scopes`, or all) and say what to do. Returns {"delete": paths inside the workspace, to remove once
    the transaction is written; "by_hand": paths outside it; "remake": commands; "tell": sentences}."""
    wanted = set(scopes) if scopes is not None else None
    table = db.table(TABLE)
    delete, by_hand, remake, tell = [], [], [], []
    for r in records(db):
        spec = KINDS.get(r.get("kind"))
        if spec is None or portrait_id not in r.get("portraits", []) or (wanted is not None and spec.scope not in wanted):
            continue
        parts = spec.parts(_resolve(ws, r["path"]))
        for part in parts:
            (delete if _inside(ws, part) else by_hand).append(part)
        table.remove(doc_ids=[r["doc_id"]])
        remake.append(spec.remake)
        if kind_note := {"press-kit": f"the press kit of {r['at'][:10]} may have gone to media partners: ask them "
                                      "to stop using the person's images",
                         "gallery": f"the gallery made {r['at'][:10]} may be on the city's website: put the new "
                                    "gallery there",
                         "whatsapp-bundle": f"the WhatsApp bundle of {r['at'][:10]} may have been forwarded: "
                                            "post no more of it"}.get(spec.name):
            tell.append(kind_note)
    if wanted is None or wanted & {k.scope for k in KINDS.values()}:
        delete += leftovers(ws, db)
    return {"delete": delete, "by_hand": by_hand, "remake": list(dict.fromkeys(remake)),
            "tell": list(dict.fromkeys(tell))}


def delete(paths: Iterable[Path]) -> list[str]:
    """Remove what `take_out` listed (after its transaction is written); return what was there."""
    return [str(p) for p in paths if _remove(p)]
