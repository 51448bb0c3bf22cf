"""Every place where the tool keeps or writes something that can show or name a person.

PLACES below is the one list that `gdpr erase`, `consent withdraw`, `campaign status` and
`campaign doctor` work from. Each place says where it is, what erasure does there and, as
functions, how to find one person in it (`person_files`, `erase_rows`), what a withdrawal
changes in it (`withdraw`), what a person must make again after either (`redo`), and what can go
wrong with it on disk (`check`, for doctor).

A new kind of output that can show or name a person is added to PLACES in the same change that
adds the output; a file written to a path the user chooses is also recorded with
`record_output`, so that erasure can find it again.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable

from tinydb import Query, TinyDB

from campaign.i18n import from_english
from campaign.store import BACKUP_DIR, backup_files as kept_versions
from campaign.workspace import PRIVATE_NAME, STORE_NAME, Workspace
from portraits import consent
from portraits.errors import CampaignError
from portraits.layouts import LAYOUTS
from portraits.files import kept_file_problem, temp_prefix
from portraits.messages import Message, _m, _mn
from schedules.channel import PUBLISHERS

OUTPUTS = "outputs"  # store table: files written to a chosen path that show people
PICKS = "billboard"  # store table of billboard picks (campaign/billboard.py)
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


def _removal(path: Path, what: str) -> Callable[[], str]:
    def repair() -> str:
        remove(path)
        return f"removed {what}"
    return repair


# --- the record of outputs written to a chosen path ------------------------------------------

def record_output(ws: Workspace, kind: str, path: Path, portraits: Iterable[str], faces: Iterable[str] = (),
                  discard: Callable[[], None] | None = None, scope: str | None = None,
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


def _outputs(scan: Scan, kind: str) -> list[dict]:
    return [dict(o, doc_id=o.doc_id) for o in scan.db.table(OUTPUTS).all() if o.get("kind") == kind]


def _outputs_of(kind: str, parts: Callable[[Path], list[Path]] = lambda p: [p]):
    def person_files(scan: Scan, pid: str) -> list[Path]:
        return [f for o in _outputs(scan, kind) if pid in o.get("portraits", [])
                for f in parts(resolve(scan.ws, o["path"]))]
    return person_files


def _report_parts(index: Path) -> list[Path]:
    from campaign.report import report_parts

    return report_parts(index)


def _outputs_erase(db: TinyDB, pid: str, ref: str, ws: Workspace) -> dict:
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
               "calendar": "campaign schedule ical FILE", **{h.kind: h.remake for h in HANDOUTS.values()}}
KIND_WORDS = {"contact-sheet": _m("contact sheet"), "report": _m("report"), "report-pdf": _m("report PDF"),
              "calendar": _m("calendar"), "gdpr-export": _m("GDPR export"), **{h.kind: h.label for h in HANDOUTS.values()}}


def _outputs_redo(scan: Scan) -> list[str]:
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


# --- store tables ----------------------------------------------------------------------------

def _rows(table: str, key: str = "portrait_id"):
    def erase_rows(db: TinyDB, pid: str, ref: str, ws: Workspace) -> dict:
        return {table: len(db.table(table).remove(Query()[key] == pid))}
    return erase_rows


def _posts_withdraw(db: TinyDB, pid: str, scopes: set[str], now) -> dict:
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


def _audit_erase(db: TinyDB, pid: str, ref: str, ws: Workspace) -> dict:
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


# --- billboard picks and their files ---------------------------------------------------------

def _holds(doc: dict, pid: str) -> bool:
    return any(c.get("portrait_id") == pid for c in doc.get("picked", []))


def _names(text: str, pid: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(pid)}(?![\w]|-\w)", text) is not None


def _picks_erase(db: TinyDB, pid: str, ref: str, ws: Workspace) -> dict:
    """Take the person out of every pick (and its export warnings); a pick that held them needs a new one."""
    table = db.table(PICKS)
    flagged = 0
    for doc in table.all():
        held = _holds(doc, pid)
        named = held or any(s.get("portrait_id") == pid for s in doc.get("skipped", []))
        exports = doc.get("exports", [])
        if not named and not any(_names(w, pid) for e in exports for w in e.get("warnings", [])):
            continue
        change = {"picked": [c for c in doc.get("picked", []) if c.get("portrait_id") != pid],
                  "skipped": [s for s in doc.get("skipped", []) if s.get("portrait_id") != pid],
                  "exports": [dict(e, warnings=[w for w in e.get("warnings", []) if not _names(w, pid)])
                              for e in exports]}
        if held:
            change["repick"] = ERASED
            flagged += 1
        table.update(change, doc_ids=[doc.doc_id])
    return {"billboard_picks_to_redo": flagged}


def _picks_withdraw(db: TinyDB, pid: str, scopes: set[str], now) -> dict:
    """A pick holding the person whose run has not ended needs a new pick; its exports are printed records."""
    if "billboard" not in scopes:
        return {}
    table = db.table(PICKS)
    recall, repick = [], []
    for doc in table.all():
        if not _holds(doc, pid) or date.fromisoformat(doc["to"]) < now.date():
            continue
        if not doc.get("repick"):
            table.update({"repick": WITHDRAWN}, doc_ids=[doc.doc_id])
        repick.append(doc.doc_id)
        recall += [{"pick": doc.doc_id, "pdf": e.get("pdf"), "png": e.get("png"), "exported_at": e.get("at"),
                    "run": f"{doc['from']} to {doc['to']}"} for e in doc.get("exports", [])]
    return {"recall": recall, "repick": repick}


def _pick_files(scan: Scan, pid: str) -> list[Path]:
    """Billboard files whose last export was of a pick holding the person (a later pick may reuse the name)."""
    latest: dict[str, tuple[str, dict]] = {}
    for doc in scan.db.table(PICKS).all():
        for e in doc.get("exports", []):
            for key in ("pdf", "png"):
                if e.get(key) and (e[key] not in latest or latest[e[key]][0] <= e.get("at", "")):
                    latest[e[key]] = (e.get("at", ""), doc)
    return [resolve(scan.ws, path) for path, (_at, doc) in latest.items() if _holds(doc, pid)]


def _picks_redo(scan: Scan) -> list[str]:
    docs = scan.db.table(PICKS).all()
    if not docs:
        return []
    notes = []
    latest = max(docs, key=lambda d: d.doc_id)
    if latest.get("repick"):
        notes.append(_m("Billboard pick {pick} {repick}: pick again (`campaign billboard pick`) and approve the "
                        "new pick.", pick=latest.doc_id, repick=from_english(latest['repick'])))
    today = scan.ws.now().date()
    for doc in docs:
        if not doc.get("repick") or date.fromisoformat(doc["to"]) < today:
            continue
        for e in doc.get("exports", []):
            still = [p for p in (e.get("pdf"), e.get("png")) if p and resolve(scan.ws, p).exists()]
            if still:
                notes.append(_m("Billboard files of pick {pick} ({files}) show a person who may no longer be on it: "
                                "do not print them; if they went to print, recall them.",
                                pick=doc.doc_id, files=', '.join(still)))
            elif e.get("pdf") and doc["repick"] == ERASED:
                notes.append(_m("The billboard export of pick {pick} ({pdf}) was deleted: if it went to print, "
                                "recall it.", pick=doc.doc_id, pdf=e['pdf']))
    return notes


def _export_temp(scan: Scan, pid: str | None = None) -> list[Path]:
    """Half-made exports: a billboard export's working folder (cut-outs of every face on the poster),
    and a contact sheet, calendar, PNG preview or report being written. Erasure removes them all."""
    return [Path(e.path) for e in entries(scan.ws.exports)
            if e.name.startswith(".") or e.name.endswith((".tmp", ".tmp.png"))]


def _export_temp_check(scan: Scan) -> list[Finding]:
    found = []
    for path in _export_temp(scan):
        rel = scan.rel(path)
        if not scan.old_enough(path):
            continue  # an export may be running right now
        what = ("was left by a billboard export that was stopped; it holds cut-outs of faces"
                if path.name.startswith(".billboard-") else "is a half-written export left by a stopped command")
        found.append(Finding("export temp", f"{rel} {what}.", _m("`campaign doctor --fix` removes it."), rel,
                             _removal(path, rel)))
    return found


# --- hand-outs: press kit, WhatsApp bundles, website gallery (made by campaign/handout.py) -------

def temp_copies(path: Path) -> list[Path]:
    """What a stopped command left beside `path` while making it: `.NAME.*.tmp` files and folders."""
    return [Path(e.path) for e in entries(path.parent) if e.name.endswith(".tmp") and temp_base(e.name) == path.name]


def handout_leftovers(ws: Workspace, db: TinyDB, kind: str) -> list[Path]:
    """Half-made outputs of this kind, beside its default folder and every recorded one: the folder
    being made, the old folder being swapped out, a half-written zip. They may show anyone."""
    spec = HANDOUTS[kind]
    targets = {ws.exports / spec.folder} | {resolve(ws, o["path"]) for o in db.table(OUTPUTS).all()
                                             if o.get("kind") == kind}
    return sorted({left for target in targets for part in spec.parts(target) for left in temp_copies(part)})


def _handout_files(kind: str) -> PersonFiles:
    spec = HANDOUTS[kind]

    def person_files(scan: Scan, pid: str) -> list[Path]:
        return [part for o in _outputs(scan, kind) if pid in o.get("portraits", [])
                for part in spec.parts(resolve(scan.ws, o["path"]))] + handout_leftovers(scan.ws, scan.db, kind)
    return person_files


def _handout_withdraw(kind: str) -> Withdraw:
    """A withdrawal of the scope marks each output holding the person as removed (inside the
    workspace) and hands its parts to `consent withdraw`, which deletes them once the store is
    written; outside the workspace they are listed to delete by hand."""
    spec = HANDOUTS[kind]

    def withdraw(db: TinyDB, pid: str, scopes: set[str], now) -> dict:
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


def _handout_redo(kind: str) -> Callable[[Scan], list[str]]:
    spec = HANDOUTS[kind]

    def redo(scan: Scan) -> list[str]:
        notes, valid = [], None
        for o in _outputs(scan, kind):
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


def _handout_check(kind: str) -> Callable[[Scan], list[Finding]]:
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
                                 _m("`campaign doctor --fix` removes it."), rel, _removal(path, rel)))
        for o in _outputs(scan, kind):
            if o.get("stale") and o.get("removed"):
                for part in spec.parts(resolve(scan.ws, o["path"])):
                    if part.exists():
                        rel = scan.rel(part)
                        found.append(Finding(spec.label,
                                             _m("{rel} {stale} and is still there (the command deleting it "
                                                "was stopped).", rel=rel, stale=o['stale']),
                                             _m("`campaign doctor --fix` removes it."), rel,
                                             _removal(part, rel)))
        return found
    return check


# --- photos, consent forms, renders, outbox ----------------------------------------------------

def _photo_files(scan: Scan, pid: str) -> list[Path]:
    f = scan.portraits[pid].get("photo", {}).get("file")
    return [scan.ws.root / f] if f else []


def _evidence_names(docs: Iterable[dict]) -> set[str]:
    return {e["evidence"]["name"] for e in docs if e.get("evidence")}


def _evidence_files(scan: Scan, pid: str) -> list[Path]:
    """Their signed forms, unless another person's consent points to the same file (one form for two)."""
    mine, others = set(), set()
    for e in scan.db.table("consents").all():
        (mine if e["portrait_id"] == pid else others).update(_evidence_names([e]))
    return [scan.ws.root / PRIVATE_NAME / "evidence" / name for name in sorted(mine - others)]


HASH_NAME = re.compile(r"^[0-9a-f]{64}(\.[a-z0-9]{1,5})?$")  # photos/ and .private/evidence/: named by SHA-256
RENDER_NAME = re.compile(rf"^({'|'.join(map(re.escape, LAYOUTS))})(-[a-z]{{2,3}})?\.(jpg|json)$")  # <format>[-<lang>]


def shown(text: str) -> str:
    """A path as a person can read it: bytes that are not UTF-8 (b'\\xff.jpg') spelled out, never a crash."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _odd_names_check(scan: Scan) -> list[Finding]:
    """Names that are not UTF-8 where the tool keeps or writes files: reported, left alone (they
    are nobody's output of ours; erasure and every check go past them)."""
    found = []
    tops = [scan.ws.photos, scan.ws.renders, scan.ws.outbox, scan.ws.root / PRIVATE_NAME / "evidence"]
    paths = [Path(e.path) for top in tops for e in entries(top)]
    paths += [Path(e.path) for e in entries(scan.ws.renders) if e.is_dir(follow_symlinks=False)
              for e in entries(Path(e.path))]
    for folder, dirs, files in os.walk(scan.ws.exports):
        paths += [Path(folder) / name for name in dirs + files]
    for path in paths:
        try:
            path.name.encode("utf-8")
        except UnicodeEncodeError:
            rel = shown(scan.rel(path))
            found.append(Finding("file names", _m("{rel} has a name that is not valid text (not UTF-8).", rel=rel),
                                 _m("Rename it, or move it out of the workspace."), rel))
    return found


def _tool_temp(name: str) -> bool:
    """A temporary name the tool makes (`.NAME.x1y2.tmp`), not a person's dot file (.DS_Store)."""
    return bool(temp_base(name)) and name.endswith(".tmp")


def _not_ours(rel: str) -> Finding:
    """A file a person put where the tool keeps its own: listed, never removed by `--fix`."""
    rel = shown(rel)
    return Finding("not ours", _m("{rel} was not written by this tool, so `campaign doctor --fix` leaves it alone.",
                                  rel=rel),
                   _m("Move it out of the workspace if it is yours, or delete it if nobody needs it."), rel)


def _kept_file_findings(place: str, folder: Path, name: str, owner: str, sha: str | None, what: str,
                        scan: Scan) -> list[Finding]:
    """A kept file that is a link, or whose content is not what the store recorded."""
    rel = f"{scan.rel(folder)}/{name}"
    problem = kept_file_problem(folder / name, folder, sha)
    if problem in ("link", "outside"):
        return [Finding(place, _m("{rel}, the {what} of {owner}, is a link to another file; it is not used, "
                                  "exported or published.", rel=rel, what=what, owner=owner),
                        _m("Remove the link and restore the file from a backup of the workspace, or add it "
                           "again."), rel)]
    if problem == "changed":
        return [Finding(place, _m("{rel}, the {what} of {owner}, is not the file that was recorded: its content was "
                                  "changed or replaced.", rel=rel, what=what, owner=owner),
                        _m("Restore the file from a backup of the workspace, or add it again."), rel)]
    return []


def _kept_files_check(place: str, folder: Path, referenced: dict[str, tuple[str, str | None]], what: str,
                      scan: Scan) -> list[Finding]:
    """Files named in the store (photos, consent forms): missing, staged but not renamed, orphaned,
    temporary, links, or not what was recorded; `referenced` maps a name to (owner, SHA-256 of its content)."""
    found: list[Finding] = []
    listing = entries(folder)
    names = {e.name for e in listing}
    staged: dict[str, list[Path]] = {}
    for e in listing:
        base = temp_base(e.name)
        if base and e.name.endswith(".tmp"):
            staged.setdefault(base, []).append(Path(e.path))
    rel = scan.rel(folder)
    for name, (owner, sha) in sorted(referenced.items()):
        if name in names:
            found += _kept_file_findings(place, folder, name, owner, sha, what, scan)
            continue
        if name in staged:
            newest = max(staged.pop(name), key=lambda p: p.stat().st_mtime)

            def finish(src=newest, dst=folder / name) -> str:
                os.replace(src, dst)
                return f"gave {rel}/{name} its name"
            found.append(Finding(place,
                                 _m("The {what} of {owner} was left under a temporary name when the command "
                                    "saving it was stopped.", what=what, owner=owner),
                                 _m("`campaign doctor --fix` gives it its name."), f"{rel}/{name}", finish))
        else:
            found.append(Finding(place,
                                 _m("The {what} of {owner} ({rel}/{name}) is missing.", what=what, owner=owner,
                                    rel=rel, name=name),
                                 _m("Restore {rel}/ from a backup of the workspace.", rel=rel)))
    for e in listing:
        path = Path(e.path)
        if e.name in referenced:
            continue
        base = temp_base(e.name)
        if not HASH_NAME.match(base if base and e.name.endswith(".tmp") else e.name):
            if not e.name.startswith("."):
                found.append(_not_ours(f"{rel}/{e.name}"))
        elif base and e.name.endswith(".tmp"):
            if scan.locked or scan.old_enough(path):
                found.append(Finding(place,
                                     _m("{rel}/{name} is a half-saved {what} left by a stopped command.",
                                        rel=rel, name=e.name, what=what),
                                     _m("`campaign doctor --fix` removes it."), f"{rel}/{e.name}",
                                     _removal(path, f"{rel}/{e.name}")))
        elif not e.name.startswith("."):
            found.append(Finding(place,
                                 _m("{rel}/{name} belongs to no portrait or consent (a {what} no record "
                                    "points to cannot be used, shown or erased).", rel=rel, name=e.name, what=what),
                                 _m("`campaign doctor --fix` removes it."), f"{rel}/{e.name}",
                                 _removal(path, f"{rel}/{e.name}")))
    return found


def _photo_check(scan: Scan) -> list[Finding]:
    referenced = {Path(p["photo"]["file"]).name: (pid, p["photo"].get("kept_sha256"))
                  for pid, p in scan.portraits.items() if p.get("photo", {}).get("file")}
    return _kept_files_check("photo", scan.ws.photos, referenced, "photo", scan)


def _evidence_check(scan: Scan) -> list[Finding]:
    referenced = {}
    for e in scan.db.table("consents").all():
        if e.get("evidence"):
            referenced.setdefault(e["evidence"]["name"], (e["portrait_id"], e["evidence"].get("sha256")))
    folder = scan.ws.root / PRIVATE_NAME / "evidence"
    return _kept_files_check("evidence", folder, referenced, "consent form", scan) if folder.is_dir() else []


def _render_files(scan: Scan, pid: str) -> list[Path]:
    return [scan.ws.renders / pid]


def _render_check(scan: Scan) -> list[Finding]:
    found = []
    for e in entries(scan.ws.renders):
        path, rel = Path(e.path), f"renders/{e.name}"
        if e.name.startswith(".") or e.name.endswith(".tmp"):
            if _tool_temp(e.name) and scan.old_enough(path):
                found.append(Finding("renders",
                                     _m("{rel} is a temporary file left by a stopped command.", rel=rel),
                                     _m("`campaign doctor --fix` removes it."), rel, _removal(path, rel)))
            continue
        if not e.is_dir(follow_symlinks=False):
            found.append(_not_ours(rel))
            continue
        if e.name not in scan.portraits:
            theirs = [f for f in entries(path) if not f.is_file(follow_symlinks=False)
                      or not (RENDER_NAME.match(f.name) or _tool_temp(f.name))]
            if theirs:  # a folder of the person's own (renders/notes/): listed, not removed
                found += [_not_ours(f"{rel}/{f.name}") for f in theirs]
                continue
            found.append(Finding("renders",
                                 _m("{rel} holds images of a portrait that no longer exists.", rel=rel),
                                 _m("`campaign doctor --fix` removes it."), rel, _removal(path, rel)))
            continue
        listing = entries(path)
        names = {f.name for f in listing}
        for f in listing:
            frel = f"{rel}/{f.name}"
            if f.name.endswith(".tmp") or f.name.startswith("."):
                if _tool_temp(f.name) and scan.old_enough(Path(f.path)):
                    found.append(Finding("renders",
                                         _m("{frel} is a half-written image left by a stopped command.", frel=frel),
                                         _m("`campaign doctor --fix` removes it."), frel,
                                         _removal(Path(f.path), frel)))
            elif (RENDER_NAME.match(f.name) and f.name.endswith(".json")
                  and f.name[:-5] + ".jpg" not in names):  # rendering.py: <format>.jpg + .json
                found.append(Finding("renders", _m("{frel} describes an image that is not there.", frel=frel),
                                     _m("`campaign doctor --fix` removes the record; `campaign render` makes "
                                        "the image again."),
                                     frel, _removal(Path(f.path), frel)))
    return found


def _outbox_files(scan: Scan, pid: str) -> list[Path]:
    mine = {post_id for post_id, p in scan.posts.items() if p["portrait_id"] == pid}
    return [Path(e.path) for e in entries(scan.ws.outbox)
            if (m := POST_FOLDER.match(e.name)) and m.group(1) in mine]


def _post_pages(scan: Scan, pid: str) -> list[Path]:
    from campaign.postview import pages_of

    return [page for p in scan.posts.values() if p["portrait_id"] == pid for page in pages_of(scan.ws, p)]


def _outbox_check(scan: Scan) -> list[Finding]:
    from schedules.runner import in_flight

    found = []
    for e in entries(scan.ws.outbox):
        m = POST_FOLDER.match(e.name)
        if not m:
            continue
        path, rel = Path(e.path), f"outbox/{e.name}"
        if e.name.startswith("."):
            # Written during the platform call, with no store lock held: its call lock says it is on the wire.
            if (scan.locked or scan.old_enough(path)) and not in_flight(scan.ws, m.group(1)):
                found.append(Finding("outbox",
                                     _m("{rel} is a post the outbox was still writing when it was stopped.", rel=rel),
                                     _m("`campaign doctor --fix` removes it (the post itself is settled by "
                                        "`campaign reconcile`)."),
                                     rel, _removal(path, rel)))
        elif m.group(1) not in scan.posts:
            found.append(Finding("outbox", _m("{rel} belongs to a post that no longer exists.", rel=rel),
                                 _m("`campaign doctor --fix` removes it."), rel, _removal(path, rel)))
    return found


def _hosted_files(scan: Scan, pid: str) -> list[Path]:
    """Copies of their images in the office's public web folder (Instagram's official API fetches
    them from there; a crash can leave one): named after the post, so found wherever that folder is."""
    mine = [post_id for post_id, p in scan.posts.items() if p["portrait_id"] == pid]
    found = []
    for settings in scan.ws.config.channels.values():
        hosts = "hosted images" in PUBLISHERS[settings.publisher].keeps  # the publisher's description says so
        folder = Path(settings.public_dir) if hosts and getattr(settings, "public_dir", "") else None
        if folder is None or not mine:
            continue
        for e in entries(folder):
            name = e.name[1:] if e.name.startswith(".") else e.name  # .<post>-1.jpg.tmp while being copied
            if any(name.startswith(f"{post_id}-") for post_id in mine):
                found.append(Path(e.path))
    return found


def _store_temp_check(scan: Scan) -> list[Finding]:
    """Half-written store files left by a crash (the store itself is whole; the next change removes them too)."""
    found = []
    for e in entries(scan.ws.root):
        if e.name.startswith(temp_prefix(STORE_NAME)) and e.name.endswith(".tmp"):
            path = Path(e.path)
            if scan.locked or scan.old_enough(path):
                found.append(Finding("store temp",
                                     _m("{name} is a half-written store file left by a crash (the store "
                                        "itself is whole).", name=e.name),
                                     _m("`campaign doctor --fix` removes it."), e.name, _removal(path, e.name)))
    return found


def _stray_temp_check(scan: Scan) -> list[Finding]:
    """Half-written files (.NAME.*.tmp) in the folders the checks above do not list: inside exports
    (a report's images), .private (a platform session) and the kept store versions."""
    from campaign.report import STAGING_PREFIX as REPORT_STAGING

    found = []
    roots = [Path(e.path) for e in entries(scan.ws.exports) if e.is_dir() and not e.name.startswith(".")]
    roots += [scan.ws.root / PRIVATE_NAME, scan.ws.root / BACKUP_DIR]
    for top in roots:
        for folder, dirs, files in os.walk(top):
            for name in [d for d in dirs if d.startswith(REPORT_STAGING)]:
                dirs.remove(name)
                path = Path(folder) / name
                if scan.old_enough(path):
                    rel = scan.rel(path)
                    found.append(Finding("temporary files",
                                         _m("{rel} is a report that was being made when it was stopped; it "
                                            "holds faces.", rel=rel),
                                         _m("`campaign doctor --fix` removes it."), rel, _removal(path, rel)))
            for name in files:
                path = Path(folder) / name
                if temp_base(name) and name.endswith(".tmp") and scan.old_enough(path):
                    rel = scan.rel(path)
                    found.append(Finding("temporary files",
                                         _m("{rel} is a half-written file left by a stopped command.", rel=rel),
                                         _m("`campaign doctor --fix` removes it."), rel, _removal(path, rel)))
    return found


# --- the log and the kept versions of the store (rewritten by campaign/erasure.py) ------------

def backup_files(ws: Workspace) -> list[Path]:
    return kept_versions(ws.store.path)


# --- the list ----------------------------------------------------------------------------------

PersonFiles = Callable[[Scan, str], list[Path]]
EraseRows = Callable[[TinyDB, str, str, Workspace], dict]
Withdraw = Callable[[TinyDB, str, set, object], dict]


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


PLACES: tuple[Place, ...] = (
    Place("portrait", "campaign.json, table portraits", "removed", erase_rows=_rows("portraits", "id")),
    Place("consents", "campaign.json, table consents", "removed", erase_rows=_rows("consents")),
    Place("posts", "campaign.json, table posts (captions, alt texts)",
          "removed; published posts are listed as takedown tasks", erase_rows=_rows("posts"),
          withdraw=_posts_withdraw),
    Place("engagement", "campaign.json, table engagement", "removed", erase_rows=_rows("engagement")),
    Place("billboard picks", "campaign.json, table billboard (picks, reasons, export warnings)",
          "the person is taken out; a pick that held them must be picked again and approved",
          shows_others=True, erase_rows=_picks_erase, withdraw=_picks_withdraw, redo=_picks_redo),
    Place("outputs", "campaign.json, table outputs (which files show whom)",
          "the id is taken out; what must be made again is noted for `campaign status`",
          erase_rows=_outputs_erase, redo=_outputs_redo),
    Place("audit", "campaign.json, table audit", "kept, with the id replaced by an opaque reference "
          "(exact match on subject and ids, never a substring)", erase_rows=_audit_erase),
    Place("photo", "photos/<sha256>.jpg", "deleted", person_files=_photo_files, check=_photo_check),
    Place("evidence", ".private/evidence/<sha256>.<ext>", "deleted (unless another person's consent uses the "
          "same form)", person_files=_evidence_files, check=_evidence_check),
    Place("renders", "renders/<id>/", "deleted", person_files=_render_files, check=_render_check),
    Place("outbox", "outbox/<date>-<post>-<channel>/", "deleted", person_files=_outbox_files, check=_outbox_check),
    Place("post pages", "exports/posts/<post>.html of `schedule show --html` (or --out)",
          "deleted wherever they were written (the post records each page; the tool wrote them); a withdrawal "
          "deletes the pages of the posts it cancels", person_files=_post_pages, anywhere=True),
    Place("hosted images", "<public_dir>/<post>-N.jpg of a channel whose publisher hosts images (instagram-graph "
          "with image_host \"url\")",
          "deleted, wherever that folder is (the tool names these files itself)", person_files=_hosted_files,
          anywhere=True),
    Place("billboard files", "exports/billboard-*.pdf and .png (or --out)",
          "deleted inside the workspace (outside it: listed to delete by hand); if printed, recall",
          shows_others=True, person_files=_pick_files),
    Place("export temp", "exports/.billboard-*/ (cut-outs of every face on a poster) and half-written "
          "exports (.NAME.*.tmp, *.tmp.png)", "deleted", shows_others=True, person_files=_export_temp,
          check=_export_temp_check),
    Place("calendar", "the .ics files written by `schedule ical`", "rewritten without the person's events",
          shows_others=True, person_files=_outputs_of("calendar"), rewrite=True),
    Place("contact sheet", "exports/contact-sheet.jpg (or --out)", "deleted; `campaign status` says to make it "
          "again", shows_others=True, person_files=_outputs_of("contact-sheet")),
    Place("report", "exports/report/index.html, img/ and report.pdf (or --out)", "deleted; `campaign status` says to make it "
          "again", shows_others=True, person_files=_outputs_of("report", _report_parts)),
    Place("report PDF", "the file of `report --pdf --out FILE.pdf`", "deleted; `campaign status` says to make it again",
          shows_others=True, person_files=_outputs_of("report-pdf")),
    Place("press kit", "exports/press-kit/ and press-kit.zip (or --out), .press-kit.*.tmp while one is made",
          "deleted inside the workspace (outside: listed to delete by hand); `campaign status` says to make it again "
          "and to ask media partners to stop using the images; a withdrawal of press consent deletes it too",
          shows_others=True, person_files=_handout_files("press-kit"), withdraw=_handout_withdraw("press-kit"),
          redo=_handout_redo("press-kit"), check=_handout_check("press-kit")),
    Place("whatsapp bundles", "exports/whatsapp/ (or --out): the day's images and messages, and a page listing them",
          "deleted inside the workspace (outside: listed to delete by hand); `campaign status` says to make it "
          "again; a withdrawal of whatsapp consent deletes it too", shows_others=True,
          person_files=_handout_files("whatsapp-bundle"), withdraw=_handout_withdraw("whatsapp-bundle"),
          redo=_handout_redo("whatsapp-bundle"), check=_handout_check("whatsapp-bundle")),
    Place("website gallery", "exports/gallery/ (or --out): index.html, embed.html, gallery.json, img/",
          "deleted inside the workspace (outside: listed to delete by hand); `campaign status` says to make it "
          "again; a withdrawal of website consent deletes it too", shows_others=True,
          person_files=_handout_files("gallery"), withdraw=_handout_withdraw("gallery"),
          redo=_handout_redo("gallery"), check=_handout_check("gallery")),
    Place("whatsapp sends", "campaign.json, table whatsapp_sends (which day's portrait went to which subscriber id)",
          "removed", erase_rows=_rows("whatsapp_sends")),
    Place("whatsapp subscribers", "campaign.json, tables whatsapp_subscribers and whatsapp_optouts; the key of the "
          "do-not-send codes in .private/whatsapp-optout.key", "untouched: they name subscribers, not portraits "
          "(`gdpr erase --subscriber NUMBER` erases a subscriber, what was sent to them and their do-not-send code)"),
    Place("gdpr export", "<out>/<id>/ of `gdpr export`", "deleted inside the workspace (outside: listed to "
          "delete by hand)", person_files=_outputs_of("gdpr-export")),
    Place("log", "campaign.log", "rewritten without the lines that name the id or the public label"),
    Place("store backups", f"{BACKUP_DIR}/{STORE_NAME}.N", "the versions that hold the person are deleted "
          "(the store itself, without them, is the newest version)"),
    Place("store temp", f".{STORE_NAME}.*.tmp (a half-written store, everyone in it)",
          "deleted by the erasure's own store change", check=_store_temp_check),
    Place("temporary files", ".NAME.*.tmp inside exports/ folders, .private/ and the kept store versions",
          "deleted with the output they belong to", check=_stray_temp_check),
    Place("file names", "a name that is not UTF-8 in photos/, renders/, outbox/, exports/ or .private/evidence/",
          "left alone: no output of the tool has such a name (erasure goes past it)", check=_odd_names_check),
)


def place(name: str) -> Place:
    return next(p for p in PLACES if p.name == name)


def redo(ws: Workspace, db: TinyDB) -> list[str]:
    """What people must make, pick or approve again after erasures and withdrawals (for `status`)."""
    scan = Scan(ws, db)
    return [note for p in PLACES if p.redo for note in p.redo(scan)]
