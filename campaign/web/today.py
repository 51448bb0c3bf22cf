"""Heute: what needs someone, each with the button that does it; then the next seven days."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for

from campaign.posting import dashboard
from campaign.web.common import _, done, failed
from campaign.web.security import needs, workspace
from portraits.errors import CampaignError

bp = Blueprint("today", __name__)


@bp.get("/")
def today():
    return render_template("today.html", o=dashboard.overview(workspace()))


@bp.post("/posts/<post_id>/taken-down")
@needs("edit")
def taken_down(post_id: str):
    try:
        dashboard.mark_taken_down(workspace(), post_id)
        done(_("Marked {post_id} as taken down.", post_id=post_id))
    except CampaignError as e:
        failed(e)
    return redirect(url_for("today.today"), 303)


@bp.get("/health")
def health():
    """For monitoring: the daemon's heartbeat and whether the store reads; no personal data."""
    from campaign.posting.health import health as state

    found = state(workspace())
    return jsonify(found), (200 if found["ok"] else 503)
