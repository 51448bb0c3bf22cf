"""Long jobs in the browser: render everything, the press kit, the billboard export, the gallery.

A start runs the job in a thread of the server (campaign.web.jobrunner) or joins the one of that
kind already running; the job's panel (`_job.html`) shows its progress bar and polls itself with
HTMX every second until it ends, and a reload finds the same job from its record. Starting needs
the role that may make these files (`edit`); everyone logged in sees the progress."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from campaign.web import jobrunner
from campaign.web.common import _, done
from campaign.web.security import needs, workspace
from campaign.workspace import jobs

bp = Blueprint("jobs", __name__)
# Where each kind's panel sits: the page a start returns to.
PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "render": ("portraits.grid", {}), "press": ("handouts.page", {"area": "press"}),
    "billboard": ("billboard.page", {}), "gallery": ("handouts.page", {"area": "gallery"})}


def _kind(kind: str) -> str:
    if kind not in jobs.KINDS:
        abort(404)
    return kind


def page_of(kind: str) -> str:
    endpoint, args = PAGES[kind]
    return url_for(endpoint, **args)


@bp.get("/jobs/<kind>")
def show(kind: str):
    job = jobs.read(workspace(), _kind(kind))
    if request.headers.get("HX-Request"):
        return render_template("_job.html", job=job, back=page_of(kind))
    return render_template("job.html", job=job, back=page_of(kind))


def begin(kind: str):
    """Start (or join) the job of `kind` with the form's period, and go back to its page."""
    params = {k: request.form.get(k, "").strip()[:20] for k in ("from", "to")}
    job, started = jobrunner.start(workspace(), kind, g.user.name, params)
    done(_("Started: the page shows how far it is.") if started else
         _("This job was already running (started by {who}); the page shows how far it is.", who=job.started_by))
    return redirect(page_of(kind), 303)


@bp.post("/jobs/<kind>/start")
@needs("edit")
def start(kind: str):
    return begin(_kind(kind))
