"""The audit log: who changed what, when.

Every change to the store appends one entry in the same transaction as the change, so the
log and the data can never disagree. Entries name ids, never surnames or secrets.
"""
from __future__ import annotations

import contextlib
import getpass
import os
import re
import unicodedata
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from tinydb import TinyDB

from portraits.errors import CampaignError
from portraits.messages import _m

_acting: ContextVar[str | None] = ContextVar("acting", default=None)


@contextlib.contextmanager
def acting_as(name: str | None) -> Iterator[None]:
    """Within the block, `name` is who acts (the CLI's --user); None leaves it to the environment."""
    token = _acting.set(name or None)
    try:
        yield
    finally:
        _acting.reset(token)


def actor() -> str:
    """Who is acting: --user (see `acting_as`), else CAMPAIGN_USER, else the login name (in NFC, and
    never bytes that are not UTF-8)."""
    name = _acting.get() or os.environ.get("CAMPAIGN_USER")
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # noqa: BLE001 (no login name in some containers; getpass raises several kinds)
            return "unknown"
    if any("\udc80" <= ch <= "\udcff" for ch in name):
        raise CampaignError(_m("The user name (CAMPAIGN_USER or the login name) is not UTF-8 text."),
                            _m("Set it again in a UTF-8 terminal, e.g. export CAMPAIGN_USER=anna."))
    return unicodedata.normalize("NFC", name)


_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def name_key(name: str) -> str:
    """A user's name as one person, however it was typed (NFKC, case-folded, no invisible characters):
    accounts and "never approve your own edit" compare these. The one place for it until the
    library's shared name normalisation (issue 21) replaces it."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", name)).strip().casefold()


def record(db: TinyDB, action: str, subject: str | None = None, now: datetime | None = None,
           **details: Any) -> dict[str, Any]:
    """Append one audit entry; `details` must hold no personal data beyond ids."""
    entry = {
        "at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "who": actor(),
        "action": action,
        "subject": subject,
        "details": details,
    }
    db.table("audit").insert(entry)
    return entry


def entries(db: TinyDB, subject: str | None = None) -> list[dict[str, Any]]:
    """The audit log in order, optionally only for one subject."""
    rows = [dict(r) for r in db.table("audit").all()]
    if subject is not None:
        rows = [r for r in rows if r.get("subject") == subject]
    return rows
