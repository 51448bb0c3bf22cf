"""The audit log as the privacy page shows it: filtered by person, user, action and period, a page
at a time, newest first.

Entries are written to name ids, never surnames or secrets (portraits.audit). What a person typed
can still reach one (the name someone gave on a sign-off link, a user name): every surname on file
is blanked out of what is shown here, whatever field it sits in."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from campaign.privacy.audit_words import ACTIONS, DETAILS
from campaign.workspace import Workspace
from portraits import audit
from portraits.dates import parse_date
from portraits.errors import CampaignError
from portraits.messages import _m

PER_PAGE = 50
HIDDEN = "[…]"


@dataclass(frozen=True)
class Filters:
    """What the office typed; each empty field matches every entry."""
    person: str = ""
    user: str = ""
    action: str = ""
    start: str = ""
    end: str = ""


@dataclass(frozen=True)
class Page:
    rows: list[dict]
    total: int
    page: int
    pages: int
    actions: list[tuple[str, str]]  # (id, what the office reads: a Message, or the id it does not know)


def _period(filters: Filters) -> tuple[date | None, date | None]:
    first = parse_date(filters.start or None, "first day")
    last = parse_date(filters.end or None, "last day")
    if first and last and first > last:
        raise CampaignError(_m("The first day {first} is after the last day {last}.", first=filters.start,
                               last=filters.end), _m("Swap the two dates."))
    return first, last


def _names_person(entry: dict, person: str) -> bool:
    """The entry is about `person` (an id): its subject, or an id among its details."""
    if entry.get("subject") == person:
        return True
    details = entry.get("details") or {}
    return any(v == person or (isinstance(v, list) and person in v) for v in details.values())


def _blanker(ws: Workspace, db) -> re.Pattern | None:
    surnames = sorted({p["surname"].strip() for p in db.table("portraits").all()
                       if isinstance(p.get("surname"), str) and p["surname"].strip()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in surnames), re.IGNORECASE) if surnames else None


def _value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _shown(entry: dict, blank: re.Pattern | None, tz) -> dict:
    """One entry as the page shows it: the action and each detail's name in words (the template
    translates them), the values as text, every surname on file blanked."""
    def hide(text: str) -> str:
        return blank.sub(HIDDEN, text) if blank is not None else text

    action = str(entry.get("action") or "")
    details = sorted((entry.get("details") or {}).items())
    return {"at": datetime.fromisoformat(entry["at"]).astimezone(tz), "who": hide(str(entry.get("who") or "")),
            "action": ACTIONS.get(action, action), "subject": hide(str(entry.get("subject") or "")),
            "details": [(DETAILS.get(key, key), hide(_value(value))) for key, value in details]}


def search(ws: Workspace, filters: Filters, page: int = 1) -> Page:
    """One page of the matching entries, newest first; a date the office mistyped is our message."""
    first, last = _period(filters)
    db = ws.store.read()
    entries = audit.entries(db)
    person, user = filters.person.strip(), audit.name_key(filters.user)
    matching = []
    for entry in reversed(entries):
        day = datetime.fromisoformat(entry["at"]).astimezone(ws.tz).date()
        if ((first and day < first) or (last and day > last)
                or (filters.action and entry.get("action") != filters.action)
                or (person and not _names_person(entry, person))
                or (user and user not in audit.name_key(str(entry.get("who") or "")))):
            continue
        matching.append(entry)
    pages = max(1, -(-len(matching) // PER_PAGE))
    page = min(max(1, page), pages)
    blank = _blanker(ws, db)
    rows = [_shown(e, blank, ws.tz) for e in matching[(page - 1) * PER_PAGE:page * PER_PAGE]]
    actions = sorted({str(e.get("action")) for e in entries})
    return Page(rows, len(matching), page, pages, [(a, ACTIONS.get(a, a)) for a in actions])
