"""`consent withdraw`: one command that takes effect at once.

In one transaction: the withdrawal event, every future post of that person in the withdrawn
scopes cancelled, and the already published ones listed as takedown tasks. The publisher holds
the same store lock from its last consent check to its final write, so a withdrawal either
comes first (the post is cancelled) or after the post went out (it is a takedown task).
"""
from __future__ import annotations

from datetime import date, datetime

from campaign.workspace import Workspace
from portraits import consent
from schedules.posts import cancel_for_withdrawal


def withdraw(ws: Workspace, portrait_id: str, scopes: str | None = None, received: date | None = None,
             via: str | None = None, now: datetime | None = None) -> dict:
    with ws.store.transaction() as db:
        now = now or ws.now()  # taken under the lock: a publish that held it came first
        event = consent.withdraw(db, portrait_id, scopes, received=received, via=via, now=now)
        posts = cancel_for_withdrawal(db, portrait_id, set(event["scopes"]), now)
    from campaign.postview import pages_of

    for post in posts["cancelled"]:  # `schedule show --html` pages of posts that will never go out
        for page in pages_of(ws, post):
            page.unlink(missing_ok=True)
    return {"portrait_id": portrait_id, "scopes": event["scopes"], "received": event["received"],
            "cancelled": posts["cancelled"], "takedown": posts["takedown"]}
