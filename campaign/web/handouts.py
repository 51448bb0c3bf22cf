"""Presse, WhatsApp, Galerie: one page each to make (or make again) the press kit, the WhatsApp bundle
and the website gallery, with what it holds, who was left out and why, and a zip download. The
WhatsApp page is also the working page of whoever posts by hand: each day's image and message, ready
to copy. The same library functions as `campaign press kit`, `whatsapp bundle` and `gallery`."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from flask import Blueprint, abort, render_template, request, send_file

from campaign.outputs import handout
from campaign.web.common import done, failed, ngettext
from campaign.web.security import needs, workspace
from campaign.workspace import jobs
from portraits.errors import CampaignError

bp = Blueprint("handouts", __name__)
KINDS = {"press": ("press-kit", "press"), "whatsapp": ("whatsapp-bundle", "whatsapp"), "gallery": ("gallery", "website")}


def _kind(area: str) -> tuple[str, str]:
    if area not in KINDS:
        abort(404)
    return KINDS[area]


def _page(area: str, result: dict | None = None, status: int = 200):
    ws = workspace()
    kind, scope = _kind(area)
    made = handout.latest(ws, kind)
    entries = []
    if area == "whatsapp" and made is not None:
        try:
            entries = json.loads((made["folder"] / "bundle.json").read_text())["messages"]
        except (OSError, ValueError, KeyError):
            entries = []
    kept = made["portraits"] if made else []
    job = jobs.read(ws, area) if area in jobs.KINDS else None
    return render_template("handout.html", area=area, made=made, result=result, entries=entries, job=job,
                           left_out=handout.left_out(ws, scope, kept) if made else [], kept=kept), status


@bp.get("/<any(press, whatsapp, gallery):area>")
def page(area: str):
    return _page(area)


@bp.post("/<any(press, whatsapp, gallery):area>/make")
@needs("edit")
def make(area: str):
    ws = workspace()
    form = request.form
    if area in ("press", "gallery"):  # long jobs: in the background, with their progress on the page
        from campaign.web.jobs import begin

        return begin(area)
    try:
        from campaign.outputs.whatsapp_day import make_bundle

        result = make_bundle(ws, None, form.get("from") or None, form.get("to") or None)
    except CampaignError as e:
        failed(e)
        return _page(area, status=400)
    done(ngettext("Made it with {n} portrait.", "Made it with {n} portraits.", len(result.get("portraits", []))))
    return _page(area, result)


@bp.get("/<any(press, whatsapp, gallery):area>/download")
def download(area: str):
    ws = workspace()
    made = handout.latest(ws, _kind(area)[0])
    if made is None or not made["folder"].resolve().is_relative_to(ws.exports.resolve()):
        abort(404)
    folder: Path = made["folder"]
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                z.write(path, f"{folder.name}/{path.relative_to(folder)}")
    packed.seek(0)
    return send_file(packed, mimetype="application/zip", as_attachment=True, download_name=f"{folder.name}.zip")


@bp.get("/whatsapp/image/<day>/<lang>")
def whatsapp_image(day: str, lang: str):
    ws = workspace()
    made = handout.latest(ws, "whatsapp-bundle")
    if made is None:
        abort(404)
    folder = made["folder"].resolve()
    path = (folder / day / lang / "image.jpg").resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/jpeg")
