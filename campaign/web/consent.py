"""Einwilligung: grant (scopes, German dates, guardians, evidence), withdraw after one confirmation
that lists what it cancels, and the history."""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, redirect, render_template, request, url_for

from campaign.intake import portrait_actions
from campaign.privacy import withdrawal
from campaign.web.common import _, done, failed
from campaign.web.portraits import _saved_upload
from campaign.web.security import needs, workspace
from portraits import consent
from portraits.dates import parse_date
from portraits.errors import CampaignError
from portraits.messages import _m

bp = Blueprint("consent", __name__)
EVIDENCE_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png"}


@bp.get("/portraits/<portrait_id>/consent")
def page(portrait_id: str, status: int = 200, form=None, confirm=None):
    ws = workspace()
    return render_template("consent.html", p=portrait_actions.detail(ws, portrait_id), scopes=consent.SCOPES,
                           form=form or {}, confirm=confirm, minor=None), status


@bp.post("/portraits/<portrait_id>/consent")
@needs("edit")
def grant(portrait_id: str):
    ws = workspace()
    form = request.form
    guardians = [g.strip() for g in form.get("guardians", "").splitlines() if g.strip()]
    with tempfile.TemporaryDirectory(dir=ws.private, prefix="upload-") as tmp:
        try:
            evidence = _saved_upload("evidence", Path(tmp), EVIDENCE_SUFFIXES)
            event = portrait_actions.grant_consent(ws, portrait_id, form.getlist("scope"), form.get("signed_on", ""),
                                                   form.get("expires") or None, form.get("signed_by") or None,
                                                   guardians, evidence, form.get("text_version") or "1")
        except CampaignError as e:
            failed(e)
            return page(portrait_id, 400, form)
    done(_("Consent recorded for {id}: {scopes}.", id=portrait_id, scopes=", ".join(event["scopes"])))
    return redirect(url_for("consent.page", portrait_id=portrait_id), 303)


@bp.post("/portraits/<portrait_id>/withdraw")
@needs("edit")
def withdraw(portrait_id: str):
    """First POST shows what the withdrawal cancels; the confirmed POST does it."""
    ws = workspace()
    form = request.form
    scopes = ",".join(form.getlist("scope")) or None
    try:
        received = parse_date(form.get("received"), _m("received date")) if form.get("received") else None
        if form.get("confirmed") != "yes":
            plan = withdrawal.preview(ws, portrait_id, scopes)
            return page(portrait_id, 200, form, confirm=plan)
        result = withdrawal.withdraw(ws, portrait_id, scopes, received, form.get("via") or None)
    except CampaignError as e:
        failed(e)
        return page(portrait_id, 400, form)
    done(_("Consent withdrawn for {id}: {scopes}. Cancelled posts: {count}.", id=portrait_id,
           scopes=", ".join(result["scopes"]), count=len(result["cancelled"])))
    if result["takedown"]:
        failed(CampaignError(_("Take these published posts down by hand: {posts}. They are listed on Heute.",
                               posts=", ".join(p["id"] for p in result["takedown"]))))
    return redirect(url_for("consent.page", portrait_id=portrait_id), 303)
