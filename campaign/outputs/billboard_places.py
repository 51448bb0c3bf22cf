"""The billboard's places on the footprint list: its picks in the store, its exported files, and the
working folder of an export (cut-outs of every face on the poster), with what erasure, withdrawal,
`status` and `doctor` do in each. Registered when imported (campaign/outputs/every_output.py); kept
beside billboard.py rather than in it while that module is being reworked.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from campaign.workspace import Workspace
from campaign.workspace.footprint import (
    ERASED,
    PICKS,
    WITHDRAWN,
    Finding,
    Place,
    Scan,
    entries,
    register,
    removal,
    resolve,
)
from campaign.workspace.i18n import from_english
from portraits.messages import _m


def _holds(doc: dict, pid: str) -> bool:
    return any(c.get("portrait_id") == pid for c in doc.get("picked", []))


def _names(text: str, pid: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(pid)}(?![\w]|-\w)", text) is not None


def picks_erase(db: TinyDB, pid: str, ref: str, ws: Workspace) -> dict[str, Any]:
    """Take the person out of every pick (and its export warnings); a pick that held them needs a new one."""
    table = db.table(PICKS)
    flagged = 0
    for doc in table.all():
        held = _holds(doc, pid)
        named = held or any(s.get("portrait_id") == pid for s in doc.get("skipped", []))
        exports = doc.get("exports", [])
        if not named and not any(_names(w, pid) for e in exports for w in e.get("warnings", [])):
            continue
        change: dict[str, Any] = {"picked": [c for c in doc.get("picked", []) if c.get("portrait_id") != pid],
                  "skipped": [s for s in doc.get("skipped", []) if s.get("portrait_id") != pid],
                  "exports": [dict(e, warnings=[w for w in e.get("warnings", []) if not _names(w, pid)])
                              for e in exports]}
        if held:
            change["repick"] = ERASED
            flagged += 1
        table.update(change, doc_ids=[doc.doc_id])
    return {"billboard_picks_to_redo": flagged}


def picks_withdraw(db: TinyDB, pid: str, scopes: set[str], now: datetime) -> dict[str, Any]:
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


def pick_files(scan: Scan, pid: str) -> list[Path]:
    """Billboard files whose last export was of a pick holding the person (a later pick may reuse the name)."""
    latest: dict[str, tuple[str, dict]] = {}
    for doc in scan.db.table(PICKS).all():
        for e in doc.get("exports", []):
            for key in ("pdf", "png"):
                if e.get(key) and (e[key] not in latest or latest[e[key]][0] <= e.get("at", "")):
                    latest[e[key]] = (e.get("at", ""), doc)
    return [resolve(scan.ws, path) for path, (_at, doc) in latest.items() if _holds(doc, pid)]


def picks_redo(scan: Scan) -> list[str]:
    docs = scan.db.table(PICKS).all()
    if not docs:
        return []
    notes: list[str] = []
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


def export_temp_check(scan: Scan) -> list[Finding]:
    found = []
    for path in export_temp(scan):
        rel = scan.rel(path)
        if not scan.old_enough(path):
            continue  # an export may be running right now
        what = ("was left by a billboard export that was stopped; it holds cut-outs of faces"
                if path.name.startswith(".billboard-") else "is a half-written export left by a stopped command")
        found.append(Finding("export temp", f"{rel} {what}.", _m("`campaign doctor --fix` removes it."), rel,
                             removal(path, rel)))
    return found


register(
    Place("billboard picks", "campaign.json, table billboard (picks, reasons, export warnings)",
          "the person is taken out; a pick that held them must be picked again and approved",
          shows_others=True, erase_rows=picks_erase, withdraw=picks_withdraw, redo=picks_redo),
    Place("billboard files", "exports/billboard-*.pdf and .png (or --out)",
          "deleted inside the workspace (outside it: listed to delete by hand); if printed, recall",
          shows_others=True, person_files=pick_files),
    Place("export temp", "exports/.billboard-*/ (cut-outs of every face on a poster) and half-written "
          "exports (.NAME.*.tmp, *.tmp.png)", "deleted", shows_others=True, person_files=export_temp,
          check=export_temp_check),
)
