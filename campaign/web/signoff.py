"""Sign-off links in the browser: a `freigabe` user makes one for a post or a week (the link is shown
once), everyone logged in sees the list, `freigabe` revokes; the person with the link, who has no
account, sees exactly what will go out and approves or rejects with their name and a comment.

The token travels in the query string (`?t=`) and in the form, never in the path: the error log
names the path of a failed request, and must never hold a token."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for

from campaign.posting import signoff
from campaign.web.common import _, done, failed
from campaign.web.security import needs, workspace
from portraits.errors import CampaignError

bp = Blueprint("signoff", __name__)


@bp.get("/signoffs")
def links():
    return render_template("signoffs.html", links=signoff.list_links(workspace()), made=None)


@bp.post("/signoffs")
@needs("approve")
def make():
    form = request.form
    kind = form.get("kind", "post")
    subject = {"post": form.get("post_id", ""), "week": form.get("week", "")}.get(kind, "").strip()
    try:
        days = int(form.get("days") or signoff.DEFAULT_DAYS)
    except ValueError:
        days = 0
    try:
        made = signoff.make_link(workspace(), kind, subject, days)
    except CampaignError as e:
        failed(e)
        return redirect(url_for("signoff.links"), 303)
    address = url_for("signoff.view", link_id=made.id, t=made.token, _external=True)
    # Shown on this answer only (never a redirect with the token in a flash cookie).
    return render_template("signoffs.html", links=signoff.list_links(workspace()), made=made, address=address)


@bp.post("/signoffs/<link_id>/revoke")
@needs("approve")
def revoke(link_id: str):
    try:
        signoff.revoke(workspace(), link_id)
        done(_("Withdrew the link {id}.", id=link_id))
    except CampaignError as e:
        failed(e)
    return redirect(url_for("signoff.links"), 303)


def _closed(e: signoff.LinkClosed):
    from campaign.web.common import said

    return render_template("signoff_closed.html", message=said(e.message), hint=said(e.hint) if e.hint else None,
                           state=e.state), 410


@bp.get("/signoff/<link_id>")
def view(link_id: str):
    token = request.args.get("t", "")
    try:
        shown = signoff.public_view(workspace(), link_id, token)
    except signoff.LinkClosed as e:
        return _closed(e)
    return render_template("signoff.html", s=shown, token=token, name="", comment="", error=None)


@bp.post("/signoff/<link_id>")
def decide(link_id: str):
    form = request.form
    token = form.get("t", "")
    decision = {"approve": "approved", "reject": "rejected"}.get(form.get("decision", ""), "")
    try:
        result = signoff.decide(workspace(), link_id, token, decision, form.get("name", ""), form.get("comment", ""))
    except signoff.LinkClosed as e:
        return _closed(e)
    except signoff.LinkInvalid:
        raise
    except CampaignError as e:  # no name given: the form again, with what was typed
        from campaign.web.common import said

        shown = signoff.public_view(workspace(), link_id, token)
        return render_template("signoff.html", s=shown, token=token, name=form.get("name", ""),
                               comment=form.get("comment", ""), error=said(e.message)), 400
    return render_template("signoff_done.html", result=result)


@bp.get("/signoff/<link_id>/image/<post_id>/<int:n>")
def image(link_id: str, post_id: str, n: int):
    try:
        path = signoff.image_path(workspace(), link_id, request.args.get("t", ""), post_id, n)
    except CampaignError:
        abort(404)
    response = send_file(path, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/signoff/<link_id>/preview")
def preview(link_id: str):
    """The billboard's print preview, for an open billboard link only."""
    try:
        path = signoff.billboard_preview(workspace(), link_id, request.args.get("t", ""))
    except CampaignError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response
