"""Core functions behind `campaign engagement ...`: figures from the platforms, exports and people."""
from __future__ import annotations

from typing import Any

from campaign.workspace import Workspace
from schedules import engagement


def record_engagement(ws: Workspace, post_id: str, likes: Any, comments: Any, shares: Any = 0,
                      reach: Any = None) -> dict:
    """Store figures typed in by hand as a new snapshot, counted now."""
    with ws.store.transaction() as db:
        return engagement.record(db, post_id, likes=likes, comments=comments, shares=shares, reach=reach,
                                 at=ws.now(), source="manual")
