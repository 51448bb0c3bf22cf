"""Plakat: the ranking, the pick with its fit said at once (enough portraits, names and roles legible
on the format) and what would fit, approval by `freigabe`, the print export, the preflight result as
a readable list, and downloads of the PDF and the preview. The same library functions as
`campaign billboard pick|approve|export|preflight`."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for

from campaign.outputs import billboard
from campaign.web.common import _, done, failed, ngettext
from campaign.web.security import needs, workspace
from campaign.workspace import jobs
from campaign.workspace.i18n import N_
from portraits.errors import CampaignError

bp = Blueprint("billboard", __name__)
RANKING_SHOWN = 30
# The preflight's checks by name, for a German list (their details stay as the PDF says them).
CHECKS = {"PDF version": N_("PDF version"), "PDF/X version": N_("PDF/X version"), "Trapped key": N_("Trapped key"),
          "Output intent": N_("Output intent"), "TrimBox and BleedBox": N_("Trim box and bleed box"),
          "Crop marks outside the bleed": N_("Crop marks outside the bleed"), "Fonts embedded": N_("Fonts embedded"),
          "Colour": N_("Colour"), "Image resolution": N_("Image resolution")}


def _page(preflight=None, status: int = 200):
    from campaign.figures import top

    ws = workspace()
    doc = billboard.current(ws)
    verdict = None
    if doc is not None and not doc.get("approved_at"):
        verdict = billboard.fit(ws, ws.store.read(), [c["portrait_id"] for c in doc["picked"]], doc["slots"])
    ranking = top(ws)
    return render_template("billboard.html", doc=doc, fit=verdict, ranking=ranking[:RANKING_SHOWN],
                           job=jobs.read(ws, "billboard"),
                           ranked=len(ranking), preflight=preflight, checks=CHECKS,
                           slots=ws.config.billboard.slots), status


@bp.get("/billboard")
def page():
    return _page()


@bp.post("/billboard/pick")
@needs("edit")
def pick():
    form = request.form
    try:
        slots = int(form.get("slots") or 0) or None
    except ValueError:
        slots = 0
    try:
        doc = billboard.pick(workspace(), slots, form.get("from") or None, form.get("to") or None)
        if doc["fit"]["fits"]:
            done(ngettext("Picked {n} portrait. Check it, then approve.", "Picked {n} portraits. Check them, then "
                          "approve.", len(doc["picked"])))
        else:
            failed(CampaignError(doc["fit"]["problems"][0], doc["fit"].get("offer")))
    except CampaignError as e:
        failed(e)
    return redirect(url_for("billboard.page"), 303)


@bp.post("/billboard/approve")
@needs("approve")
def approve():
    try:
        billboard.approve(workspace())
        done(_("The billboard pick is approved."))
    except CampaignError as e:
        failed(e)
    return redirect(url_for("billboard.page"), 303)


@bp.post("/billboard/export")
@needs("edit")
def export():
    """The print export is a long job: in the background, its progress on this page."""
    from campaign.web.jobs import begin

    return begin("billboard")


def _export_file(n: int, kind: str):
    from campaign.workspace.footprint import resolve

    ws = workspace()
    doc = billboard.current(ws)
    exports = (doc or {}).get("exports") or []
    if kind not in ("pdf", "png") or not 0 <= n < len(exports):
        abort(404)
    path = resolve(ws, exports[n][kind]).resolve()
    if not path.is_file() or not path.is_relative_to(ws.exports.resolve()):
        abort(404)  # only what the export wrote inside the workspace
    return path


@bp.get("/billboard/files/<int:n>.<kind>")
def download(n: int, kind: str):
    path = _export_file(n, kind)
    return send_file(path, mimetype="application/pdf" if kind == "pdf" else "image/png",
                     as_attachment=kind == "pdf", download_name=path.name)


@bp.post("/billboard/files/<int:n>/preflight")
@needs("edit")
def preflight(n: int):
    try:
        result = billboard.preflight(_export_file(n, "pdf"))
    except CampaignError as e:
        failed(e)
        return redirect(url_for("billboard.page"), 303)
    return _page(preflight=result)


