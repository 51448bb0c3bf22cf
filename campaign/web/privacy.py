"""Datenschutz (role `admin`): find a person, give them their data as a download, withdraw consent
(the Einwilligung page), and erase them after the first name is typed again. The same library
functions as `gdpr export` and `gdpr erase`: the browser reaches exactly what the command line does."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from flask import Blueprint, redirect, render_template, request, send_file, url_for

from campaign.intake import portrait_actions
from campaign.privacy import gdpr
from campaign.web.common import _, failed
from campaign.web.security import needs, workspace
from portraits.errors import CampaignError

bp = Blueprint("privacy", __name__)


@bp.get("/privacy")
@needs("users")
def search():
    query = request.args.get("q", "").strip()[:100]
    return render_template("privacy.html", q=query, found=gdpr.find_people(workspace(), query) if query else None)


@bp.get("/privacy/<portrait_id>")
@needs("users")
def person(portrait_id: str):
    ws = workspace()
    return render_template("privacy_person.html", p=portrait_actions.detail(ws, portrait_id),
                           preview=gdpr.erase_preview(ws, portrait_id), typed="", error=None)


@bp.post("/privacy/<portrait_id>/export")
@needs("users")
def export(portrait_id: str):
    ws = workspace()
    folder = ws.exports / "gdpr" / ws.now().strftime("%Y%m%d-%H%M%S")
    try:
        result = gdpr.export_person(ws, portrait_id, folder)
    except CampaignError as e:
        failed(e)
        return redirect(url_for("privacy.person", portrait_id=portrait_id), 303)
    root = Path(result["folder"])
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                z.write(path, f"{portrait_id}/{path.relative_to(root)}")
    packed.seek(0)
    return send_file(packed, mimetype="application/zip", as_attachment=True,
                     download_name=f"gdpr-export-{portrait_id}.zip")


@bp.post("/privacy/<portrait_id>/erase")
@needs("users")
def erase(portrait_id: str):
    ws = workspace()
    typed = request.form.get("first_name", "")
    preview = gdpr.erase_preview(ws, portrait_id)
    if not gdpr.same_first_name(typed, preview["first_name"]):
        return render_template("privacy_person.html", p=portrait_actions.detail(ws, portrait_id), preview=preview,
                               typed=typed, error=_("The first name typed does not match. Nothing was erased.")), 400
    try:
        result = gdpr.erase_person(ws, portrait_id)
    except CampaignError as e:
        failed(e)
        return redirect(url_for("privacy.person", portrait_id=portrait_id), 303)
    return render_template("privacy_erased.html", r=result)
