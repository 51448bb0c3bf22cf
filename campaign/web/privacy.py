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


@bp.post("/privacy/subscriber")
@needs("users")
def subscriber():
    """A WhatsApp subscriber by number or id: what erasing them removes, and the confirmation.
    A POST, so the number typed never lands in an address or a log."""
    from campaign.outputs.whatsapp_day import subscriber_erase_preview

    typed = request.form.get("who", "").strip()[:40]
    try:
        preview = subscriber_erase_preview(workspace(), typed)
    except CampaignError as e:
        failed(e)
        return render_template("privacy.html", q="", found=None), 400
    return render_template("privacy_subscriber.html", preview=preview, who=preview["id"] or typed, removed=None)


@bp.post("/privacy/subscriber/erase")
@needs("users")
def subscriber_erase():
    """The same erasure as `campaign gdpr erase --subscriber`."""
    from campaign.outputs.whatsapp_day import erase_subscriber

    try:
        result = erase_subscriber(workspace(), request.form.get("who", "").strip()[:40])
    except CampaignError as e:
        failed(e)
        return render_template("privacy.html", q="", found=None), 400
    return render_template("privacy_subscriber.html", preview=None, who=None, removed=result)


@bp.get("/privacy/audit")
@needs("users")
def audit_log():
    from campaign.privacy import auditlog

    args = {k: request.args.get(k, "").strip()[:60] for k in ("person", "user", "action", "from", "to")}
    filters = auditlog.Filters(args["person"], args["user"], args["action"], args["from"], args["to"])
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    try:
        shown = auditlog.search(workspace(), filters, page)
    except CampaignError as e:
        failed(e)
        return render_template("privacy_audit.html", log=None, args=args), 400
    return render_template("privacy_audit.html", log=shown, args=args)
