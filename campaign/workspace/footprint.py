"""The footprint list's floor: what every output needs to say where it wrote a person.

An output that writes a file showing or naming people records it with `record_output`, so that
erasure can find it again, and registers its places (a `Place`: where it is, and what erasure,
withdrawal, `status` and `doctor` do there) with `register` when its module is imported, as Flask's
blueprints join an app. campaign/privacy/places.py, above every output, imports them all through
campaign/outputs/footprint.py and reads the list with `registered()`. Nothing here imports an
output: outputs import this.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from tinydb import Query, TinyDB

from campaign.workspace import Workspace
from portraits import consent
from portraits.errors import CampaignError
from portraits.messages import _m

OUTPUTS = "outputs"  # store table: files written to a chosen path that show people
PICKS = "billboard"  # store table of billboard picks (campaign/outputs/billboard.py)
LEFTOVER_AGE = 120  # s: a temporary file younger than this may belong to a command still running
POST_FOLDER = re.compile(r"^\.?\d{4}-\d{2}-\d{2}-(p-\d+)-[^.]+")  # outbox/<date>-<post>-<channel>[.tmp]
ERASED = _m("held an erased person")
WITHDRAWN = _m("holds a person who withdrew billboard consent")
CANCELLED_BY_WITHDRAWAL = "still shows posts that a withdrawal cancelled"


@dataclass
class Finding:
    """One thing `campaign doctor` found wrong, in plain words, and what to do about it."""
    place: str
    problem: str
    todo: str
    path: str | None = None
    repair: Callable[[], str] | None = field(default=None, repr=False, compare=False)

    def public(self) -> dict:
        return {"place": self.place, "problem": self.problem, "todo": self.todo, "path": self.path,
                "fixable": self.repair is not None}


@dataclass
class Scan:
    """One look at a workspace: the store as read, plus what the places ask about it."""
    ws: Workspace
    db: TinyDB
    locked: bool = False  # the store lock is held, so files only written under it are not in flight
    erasing: set[Path] = field(default_factory=set)  # left for an unfinished erasure to delete: not orphans
    started: float = field(default_factory=time.time)

    @cached_property
    def portraits(self) -> dict[str, dict]:
        return {p["id"]: dict(p) for p in self.db.table("portraits").all()}

    @cached_property
    def posts(self) -> dict[str, dict]:
        return {p["id"]: dict(p) for p in self.db.table("posts").all()}

    def rel(self, path: Path) -> str:
        return stored_path(self.ws, path)

    def inside(self, path: Path) -> bool:
        return is_inside(self.ws, path)

    def old_enough(self, path: Path) -> bool:
        """A temporary file untouched for LEFTOVER_AGE seconds is left over, not in use."""
        try:
            return self.started - path.lstat().st_mtime >= LEFTOVER_AGE
        except FileNotFoundError:
            return False


# --- paths -----------------------------------------------------------------------------------

def is_inside(ws: Workspace, path: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(ws.root)


def stored_path(ws: Workspace, path: Path) -> str:
    """Relative to the workspace when inside it (the folder can move), else absolute."""
    path = Path(os.path.abspath(path))
    return str(path.relative_to(ws.root)) if path.is_relative_to(ws.root) else str(path)


def written_here(ws: Workspace, kind: str, path: Path) -> bool:
    """True when the outputs record says the tool wrote an output of `kind` at `path`."""
    where = stored_path(ws, path)
    return any(o.get("kind") == kind and o.get("path") == where for o in ws.store.read().table(OUTPUTS).all())


def resolve(ws: Workspace, stored: str) -> Path:
    path = Path(stored)
    return path if path.is_absolute() else ws.root / path


def remove(path: Path) -> bool:
    """Delete a file or a folder; True when something was there."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return False
    return True


def temp_base(name: str) -> str | None:
    """The file a temporary name was made for: `.NAME.x1y2.tmp` or `.NAME.x1y2` -> NAME."""
    if not name.startswith("."):
        return None
    inner = name[1:].removesuffix(".tmp")
    base, dot, _random = inner.rpartition(".")
    return base if dot else None


def entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except (FileNotFoundError, NotADirectoryError):
        return []


def without_erasing(scan: Scan, found: list[Finding]) -> list[Finding]:
    """Leave out what an unfinished erasure is about to delete: that erasure is the finding."""
    return [f for f in found if f.path is None or scan.ws.root / f.path not in scan.erasing]


def shown(text: str) -> str:
    """A path as a person can read it: bytes that are not UTF-8 (b'\\xff.jpg') spelled out, never a crash."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def tool_temp(name: str) -> bool:
    """A temporary name the tool makes (`.NAME.x1y2.tmp`), not a person's dot file (.DS_Store)."""
    return bool(temp_base(name)) and name.endswith(".tmp")


def not_ours(rel: str) -> Finding:
    """A file a person put where the tool keeps its own: listed, never removed by `doctor --fix`."""
    rel = shown(rel)
    return Finding("not ours", _m("{rel} was not written by this tool, so `campaign doctor --fix` leaves it alone.",
                                  rel=rel),
                   _m("Move it out of the workspace if it is yours, or delete it if nobody needs it."), rel)


def removal(path: Path, what: str) -> Callable[[], str]:
    def repair() -> str:
        remove(path)
        return f"removed {what}"
    return repair


# --- the record of outputs written to a chosen path ------------------------------------------

def record_output(ws: Workspace, kind: str, path: Path, portraits: Iterable[str], faces: Iterable[str] = (),
                  discard: Callable[[], object] | None = None, scope: str | None = None,
                  keep_previous: bool = False) -> None:
    """Remember a file that names (`portraits`) or shows (`faces`) people, so erasure finds it.

    Called after the file is written. Someone erased meanwhile was not known to that erasure (nor,
    with `scope`, someone whose consent for that scope ended: a withdrawal did not see it either):
    then the file is discarded here and the command fails, so nothing survives an erase or a
    withdrawal. `keep_previous` also keeps the people of the output recorded at this path, for
    a maker that records just before it swaps its new output in (until then the old one is there)."""
    names = sorted(set(portraits) | set(faces))
    with ws.store.transaction() as db:
        known = {p["id"] for p in db.table("portraits").all()}
        today = ws.now().date()
        gone = [pid for pid in names if pid not in known or (scope and not consent.is_valid(db, pid, scope, today))]
        if gone:
            (discard or (lambda: remove(Path(path))))()
            why = _m("was erased or withdrew their {scope} consent", scope=scope) if scope else _m("was erased")
            raise CampaignError(_m("Someone in it {why} while it was being made, so it was not kept.", why=why),
                                _m("Make it again (`{remake_hint}`).", remake_hint=REMAKE_HINT[kind])
                                if kind in REMAKE_HINT else _m("Make it again."))
        where = stored_path(ws, path)
        table = db.table(OUTPUTS)
        shown = set(faces)
        if keep_previous:
            for old in table.search(Query().path == where):
                names = sorted(set(names) | set(old.get("portraits", [])))
                shown |= set(old.get("faces", []))
        table.remove(Query().path == where)
        # A note that a removed output of this kind must be made again is answered by this one.
        table.remove((Query().kind == kind) & (Query().stale.exists()) & (Query().removed == True))  # noqa: E712
        table.insert({"kind": kind, "path": where, "portraits": names, "faces": sorted(shown),
                      "at": ws.now().isoformat(timespec="seconds")})




@dataclass(frozen=True)
class HandOut:
    """An output made for people outside the office, for one consent scope: a folder (the press kit
    with a zip beside it). Withdrawing the scope takes the person out: it is deleted."""
    kind: str     # the outputs record's kind
    label: str    # how people call it
    scope: str    # the consent everyone in it needs
    folder: str   # its default place, under exports/
    remake: str   # the command that makes it again
    after: str    # what to tell people once one is removed ({at}: the day it was made)
    zipped: bool = False

    def parts(self, path: Path) -> list[Path]:
        """The folder (and zip) that make up one output at `path`."""
        return [path, path.with_name(path.name + ".zip")] if self.zipped else [path]


HANDOUTS: dict[str, HandOut] = {h.kind: h for h in (
    HandOut("press-kit", _m("press kit"), "press", "press-kit", "campaign press kit",
            _m("the press kit of {at:%Y-%m-%d} may have gone to media partners: ask them to stop using the "
               "person's images"),
            zipped=True),
    HandOut("whatsapp-bundle", _m("WhatsApp bundle"), "whatsapp", "whatsapp", "campaign whatsapp bundle",
            _m("the WhatsApp bundle of {at:%Y-%m-%d} may have been forwarded: post no more of it")),
    HandOut("gallery", _m("website gallery"), "website", "gallery", "campaign gallery",
            _m("the gallery made {at:%Y-%m-%d} may be on the city's website: put the new gallery there")),
)}
REMAKE_HINT = {"contact-sheet": "campaign preview", "report": "campaign report", "report-pdf": "campaign report --pdf",
               "calendar": "campaign schedule ical FILE", "backup": "campaign backup --out FILE",
               **{h.kind: h.remake for h in HANDOUTS.values()}}
KIND_WORDS = {"contact-sheet": _m("contact sheet"), "report": _m("report"), "report-pdf": _m("report PDF"),
              "calendar": _m("calendar"), "gdpr-export": _m("GDPR export"), "backup": _m("backup"),
              **{h.kind: h.label for h in HANDOUTS.values()}}



def temp_copies(path: Path) -> list[Path]:
    """What a stopped command left beside `path` while making it: `.NAME.*.tmp` files and folders."""
    return [Path(e.path) for e in entries(path.parent) if e.name.endswith(".tmp") and temp_base(e.name) == path.name]


PersonFiles = Callable[[Scan, str], list[Path]]
EraseRows = Callable[[TinyDB, str, str, Workspace], dict]
Withdraw = Callable[[TinyDB, str, set[str], datetime], dict]


@dataclass(frozen=True)
class Place:
    name: str
    where: str
    on_erase: str
    shows_others: bool = False
    person_files: PersonFiles | None = None  # files or folders that show or name this person
    rewrite: bool = False                    # erasure rewrites such a file without the person, in place
    anywhere: bool = False                   # deleted outside the workspace too (files the tool names itself)
    erase_rows: EraseRows | None = None      # for places in the store: take the person out
    withdraw: Withdraw | None = None         # what a withdrawal of some scopes changes here
    redo: Callable[[Scan], list[str]] | None = None   # what a person must make again (campaign status)
    check: Callable[[Scan], list[Finding]] | None = None  # what campaign doctor looks for here


_REGISTERED: dict[str, Place] = {}


def register(*places: Place) -> None:
    """Put an output's places on the footprint list (at import of the module that owns the output).
    A name is one place: registering it again (a module reloaded) replaces it."""
    for place in places:
        _REGISTERED[place.name] = place


def registered() -> tuple[Place, ...]:
    """The places outputs have registered so far, in the order they did."""
    return tuple(_REGISTERED.values())


def recorded(scan: Scan, kind: str) -> list[dict]:
    """The outputs record's entries of one kind, each with its doc_id."""
    return [dict(o, doc_id=o.doc_id) for o in scan.db.table(OUTPUTS).all() if o.get("kind") == kind]


def recorded_files(kind: str, parts: Callable[[Path], list[Path]] = lambda p: [p]) -> PersonFiles:
    """A place's `person_files` for an output recorded with `record_output`: the parts of each one
    that names or shows the person."""
    def person_files(scan: Scan, pid: str) -> list[Path]:
        return [f for o in recorded(scan, kind) if pid in o.get("portraits", [])
                for f in parts(resolve(scan.ws, o["path"]))]
    return person_files
