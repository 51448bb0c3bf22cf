"""What each place on the footprint list holds of one person, and what erasure, a withdrawal and
`campaign status` do there (the list itself: campaign/privacy/places.py)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from tinydb import Query, TinyDB

from campaign.workspace import PRIVATE_NAME, Workspace
from campaign.workspace.footprint import (
    ERASED,
    HANDOUTS,
    KIND_WORDS,
    OUTPUTS,
    PICKS,
    POST_FOLDER,
    REMAKE_HINT,
    WITHDRAWN,
    HandOut,
    PersonFiles,
    Scan,
    Withdraw,
    entries,
    is_inside,
    resolve,
    temp_copies,
)
from campaign.workspace.i18n import from_english
from portraits import consent
from portraits.messages import Message, _m, _mn
from schedules.channel import PUBLISHERS


def _outputs(scan: Scan, kind: str) -> list[dict]:
    return [dict(o, doc_id=o.doc_id) for o in scan.db.table(OUTPUTS).all() if o.get("kind") == kind]


def _outputs_of(kind: str, parts: Callable[[Path], list[Path]] = lambda p: [p]):
    def person_files(scan: Scan, pid: str) -> list[Path]:
        return [f for o in _outputs(scan, kind) if pid in o.get("portraits", [])
                for f in parts(resolve(scan.ws, o["path"]))]
    return person_files


def _report_parts(index: Path) -> list[Path]:
    from campaign.outputs.report import report_parts

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


def export_temp(scan: Scan, pid: str | None = None) -> list[Path]:
    """Half-made exports: a billboard export's working folder (cut-outs of every face on the poster),
    and a contact sheet, calendar, PNG preview or report being written. Erasure removes them all."""
    return [Path(e.path) for e in entries(scan.ws.exports)
            if e.name.startswith(".") or e.name.endswith((".tmp", ".tmp.png"))]


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


def _photo_files(scan: Scan, pid: str) -> list[Path]:
    f = scan.portraits[pid].get("photo", {}).get("file")
    return [scan.ws.root / f] if f else []


def evidence_names(docs: Iterable[dict]) -> set[str]:
    return {e["evidence"]["name"] for e in docs if e.get("evidence")}


def _evidence_files(scan: Scan, pid: str) -> list[Path]:
    """Their signed forms, unless another person's consent points to the same file (one form for two)."""
    mine, others = set(), set()
    for e in scan.db.table("consents").all():
        (mine if e["portrait_id"] == pid else others).update(evidence_names([e]))
    return [scan.ws.root / PRIVATE_NAME / "evidence" / name for name in sorted(mine - others)]


def _render_files(scan: Scan, pid: str) -> list[Path]:
    return [scan.ws.renders / pid]


def _outbox_files(scan: Scan, pid: str) -> list[Path]:
    mine = {post_id for post_id, p in scan.posts.items() if p["portrait_id"] == pid}
    return [Path(e.path) for e in entries(scan.ws.outbox)
            if (m := POST_FOLDER.match(e.name)) and m.group(1) in mine]


def _post_pages(scan: Scan, pid: str) -> list[Path]:
    from campaign.outputs.postview import pages_of

    return [page for p in scan.posts.values() if p["portrait_id"] == pid for page in pages_of(scan.ws, p)]


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

