"""What monitoring asks (`GET /health`, `campaign health`): does the store read, does the daemon look
for due posts as often as it should. Counts and times only: no name, id, caption or path of a person."""
from __future__ import annotations

from campaign.workspace import Workspace
from portraits.errors import CampaignError
from schedules.model import PostStatus


def health(ws: Workspace) -> dict:
    """The workspace's state for a monitoring system; `ok` is False when someone must act."""
    from schedules import posts
    from schedules.daemon import DaemonLock, heartbeat

    try:
        db = ws.store.read()
        store = "ok"
        counts = {"planned": 0, "due_now": 0, "failed": 0, "unknown": 0}
        now = ws.now()
        for post in posts.all_posts(db):
            status = post.get("status")
            if status in counts:
                counts[status] += 1
            if status == PostStatus.PLANNED and posts.due_time(post) <= now:
                counts["due_now"] += 1
    except CampaignError:
        store, counts = "unreadable", None
    beat = heartbeat(ws)
    running = DaemonLock.running(ws)
    return {"ok": store == "ok" and not beat.late, "store": store, "daemon_running": running,
            "daemon": {"running": running, **beat.to_json()}, "posts": counts}
