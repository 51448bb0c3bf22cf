"""Beitrag: the post exactly as it goes out, its approvals with a comment each, its history; approve,
move (a form, and drag and drop on the calendar), cancel."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for

from campaign.outputs.postview import post_view
from campaign.posting import scheduling
from campaign.web.common import _, done, failed, said
from campaign.web.security import needs, workspace
from portraits.errors import CampaignError
from schedules import posts

bp = Blueprint("posts", __name__)


def _back(post_id: str):
    target = request.form.get("back")
    if target in ("calendar", "today"):
        return redirect(url_for("calendar.month" if target == "calendar" else "today.today"), 303)
    return redirect(url_for("posts.show", post_id=post_id), 303)


@bp.get("/posts/<post_id>")
def show(post_id: str):
    ws = workspace()
    db = ws.store.read()
    post = posts.get(db, post_id)
    view = post_view(ws, db, post, render=True)
    local = scheduling.local_time(ws, post["at"])
    return render_template("post.html", v=view, post=post, local=local)


@bp.get("/posts/<post_id>/image/<int:n>")
def image(post_id: str, n: int):
    ws = workspace()
    db = ws.store.read()
    view = post_view(ws, db, posts.get(db, post_id), render=False)
    if n >= len(view["images"]):
        abort(404)
    path = (ws.root / view["images"][n]["file"]).resolve()
    if not path.is_file() or not any(path.is_relative_to(folder.resolve()) for folder in (ws.renders, ws.outbox)):
        abort(404)
    response = send_file(path, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/posts/<post_id>/approve")
@needs("approve")
def approve(post_id: str):
    try:
        result = scheduling.approve_posts(workspace(), [post_id], comment=request.form.get("comment") or None)
        done(_("Approved {id}: {state}.", id=post_id,
               state=said(result["approved"][0]["approval"]["text"]) if result["approved"] else ""))
    except CampaignError as e:
        failed(e)
    if request.headers.get("HX-Request"):  # the button on Heute: its line says what happened, in place
        return render_template("_approved.html", post_id=post_id)
    return _back(post_id)


@bp.post("/posts/<post_id>/move")
@needs("edit")
def move(post_id: str):
    form = request.form
    try:
        scheduling.move_post(workspace(), post_id, f"{form.get('date', '').strip()} {form.get('time', '').strip()}")
        done(_("Moved {id}.", id=post_id))
    except CampaignError as e:
        failed(e)
        if request.headers.get("HX-Request"):  # dropped on the calendar: the reload shows the message
            return "", 400
    if request.headers.get("HX-Request"):
        return "", 204
    return _back(post_id)


@bp.post("/posts/<post_id>/cancel")
@needs("edit")
def cancel(post_id: str):
    try:
        scheduling.cancel_posts(workspace(), [post_id])
        done(_("Cancelled {id}.", id=post_id))
    except CampaignError as e:
        failed(e)
    return _back(post_id)
