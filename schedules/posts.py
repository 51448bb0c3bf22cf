"""Post records (minimal: the schedule work replaces this with the full module)."""
from __future__ import annotations

from datetime import datetime

from tinydb import Query, TinyDB

FUTURE = ("planned", "failed")
OUT = ("published", "publishing", "unknown")


def cancel_for_withdrawal(db: TinyDB, portrait_id: str, scopes: set[str], now: datetime) -> dict:
    """Cancel the person's not-yet-published posts on withdrawn channels; list published ones."""
    cancelled, takedown = [], []
    table = db.table("posts")
    for doc in table.search((Query().portrait_id == portrait_id)):
        if doc.get("channel") not in scopes:
            continue
        if doc["status"] in FUTURE:
            table.update({"status": "cancelled", "reason": "consent withdrawn"}, doc_ids=[doc.doc_id])
            cancelled.append(dict(doc, status="cancelled"))
        elif doc["status"] in OUT:
            takedown.append(dict(doc))
    return {"cancelled": cancelled, "takedown": takedown}
