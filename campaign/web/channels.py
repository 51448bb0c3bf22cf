"""Kanäle (role `admin`): each channel's readiness, last publish and last error, the Graph API
version's end; whether the daemon looks for due posts (its heartbeat); a token check on request.
Also the warning every page shows when the daemon has not looked for longer than its interval allows."""
from __future__ import annotations

from flask import Blueprint, g, render_template

from campaign.posting import accounts as channels
from campaign.web.security import needs, workspace

bp = Blueprint("channels", __name__)


@bp.app_context_processor
def _daemon_warning() -> dict:
    """On every page of a logged-in user: is the daemon late? (A small file read: its heartbeat.)"""
    if g.get("user") is None:
        return {"daemon_late": None}
    from schedules.daemon import heartbeat

    beat = heartbeat(workspace())
    return {"daemon_late": beat if beat.late else None}


@bp.get("/channels")
@needs("users")
def page():
    return render_template("channels.html", o=channels.overview(workspace()), checked=None)


@bp.post("/channels/check")
@needs("users")
def check():
    """Ask each platform whether its login works (network calls; no store transaction is open)."""
    ws = workspace()
    return render_template("channels.html", o=channels.overview(ws), checked=channels.check_channels(ws))
