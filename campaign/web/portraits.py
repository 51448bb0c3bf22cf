"""Porträts: the grid with search and filters, adding by photo, a portrait's page (photo with face box
and focus, every render, quote/role/translations with the fit check), approve."""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for

from campaign.intake import portrait_actions
from campaign.web.common import _, done, failed, ngettext
from campaign.web.security import needs, workspace
from campaign.workspace import jobs
from portraits import consent, records
from portraits.errors import CampaignError
from portraits.messages import from_stored

bp = Blueprint("portraits", __name__)
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"}
THUMB_SIZES = (240, 480, 960)
PAGE = 60  # portraits on one page of the grid


def _matches(row: dict, q: str, status: str, scope: str, category: str, lang: str) -> bool:
    text = " ".join([row["id"], row["first_name"], row["role"], row.get("quote", "")]).casefold()
    return ((not q or q.casefold() in text) and (not status or row["status"] == status)
            and (not scope or scope in row["consent"]["scopes"]) and (not category or row["role_category"] == category)
            and (not lang or row["lang"] == lang or lang in (row.get("translations") or {})))


@bp.get("/portraits")
def grid():
    args = {k: request.args.get(k, "").strip() for k in ("q", "status", "scope", "category", "lang")}
    rows = portrait_actions.rows(workspace())
    matching = [r for r in rows if _matches(r, **args)]
    pages = max(1, -(-len(matching) // PAGE))
    try:
        page = min(max(1, int(request.args.get("page", "1"))), pages)
    except ValueError:
        page = 1
    return render_template("portraits.html", rows=matching[(page - 1) * PAGE:page * PAGE], matching=len(matching),
                           page=page, pages=pages, total=len(rows), args=args, scopes=consent.SCOPES,
                           job=jobs.read(workspace(), "render"),
                           categories=sorted({r["role_category"] for r in rows}),
                           langs=sorted({r["lang"] for r in rows} | {t for r in rows for t in r.get("translations") or {}}))


def _saved_upload(field: str, folder: Path, allowed: set[str]) -> Path | None:
    """The uploaded file under a name we choose (its own name never becomes a path)."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        return None
    suffix = Path(upload.filename.replace("\\", "/")).suffix.lower()
    target = folder / ("upload" + (suffix if suffix in allowed else ".bin"))
    upload.save(target)
    return target


@bp.post("/portraits")
@needs("edit")
def add():
    ws = workspace()
    form = request.form
    with tempfile.TemporaryDirectory(dir=ws.private, prefix="upload-") as tmp:
        photo = _saved_upload("photo", Path(tmp), PHOTO_SUFFIXES)
        if photo is None:
            failed(CampaignError(_("Choose a photo to add.")))
            return redirect(url_for("portraits.grid"), 303)
        try:
            record = portrait_actions.add(ws, photo, first_name=form.get("first_name", ""), age=form.get("age", ""),
                                          role=form.get("role", ""), quote=form.get("quote", ""),
                                          surname=form.get("surname") or None,
                                          role_category=form.get("role_category") or None,
                                          lang=form.get("lang") or None, credit=form.get("credit") or None)
        except CampaignError as e:
            failed(e)
            return render_template("portraits.html", rows=[], matching=0, page=1, pages=1, total=None, args={},
                                   scopes=consent.SCOPES, categories=[], langs=[], form=form), 400
    done(_("Added {id}. Next: record the consent.", id=record["id"]))
    for warning in from_stored(record["photo"].get("warnings", [])):
        failed(CampaignError(warning))
    return redirect(url_for("portraits.show", portrait_id=record["id"]), 303)


@bp.post("/portraits/import")
@needs("edit")
def import_csv():
    """A CSV with its photos, all rows or none; each photo is saved under a name we choose and found
    by the name it was sent with (never a path)."""
    ws = workspace()
    with tempfile.TemporaryDirectory(dir=ws.private, prefix="upload-") as tmp:
        folder = Path(tmp)
        sheet = _saved_upload("csv", folder, {".csv"})
        uploaded: dict[str, Path] = {}
        for n, upload in enumerate(request.files.getlist("photos")):
            if not upload.filename:
                continue
            suffix = Path((upload.filename or "").replace("\\", "/")).suffix.lower()
            target = folder / f"photo-{n}{suffix if suffix in PHOTO_SUFFIXES else '.bin'}"
            upload.save(target)
            uploaded[Path(upload.filename.replace("\\", "/")).name] = target
        if sheet is None:
            failed(CampaignError(_("Choose the CSV file and its photos.")))
            return redirect(url_for("portraits.grid"), 303)
        try:
            result = portrait_actions.import_csv(ws, sheet, uploaded=uploaded)
        except CampaignError as e:
            failed(e)
            return redirect(url_for("portraits.grid"), 303)
    done(ngettext("Imported {n} portrait.", "Imported {n} portraits.", result["count"]))
    return redirect(url_for("portraits.grid"), 303)


MANY_FIELDS = ("first_name", "age", "role", "quote", "surname")  # one set per dropped photo: first_name-0, ...


@bp.post("/portraits/many")
@needs("edit")
def add_many():
    """Many dropped photos, a row of fields beside each (made by app.js): all rows or none, through
    the intake of `portrait import`. The n-th photo belongs to row n; each is saved under a name we
    choose. Asked by app.js: the answer is the message alone (the form with its photos stays)."""
    from campaign.intake.adding import add_many as add_rows

    ws = workspace()
    by_script = bool(request.headers.get("HX-Request"))
    photos = [upload for upload in request.files.getlist("photos") if upload.filename]
    with tempfile.TemporaryDirectory(dir=ws.private, prefix="upload-") as tmp:
        uploaded: dict[str, Path] = {}
        rows: list[dict] = []
        for n, upload in enumerate(photos):
            suffix = Path((upload.filename or "").replace("\\", "/")).suffix.lower()
            name = f"photo-{n + 1}{suffix if suffix in PHOTO_SUFFIXES else '.bin'}"
            upload.save(Path(tmp) / name)
            uploaded[name] = Path(tmp) / name
            rows.append({"photo": name, **{k: request.form.get(f"{k}-{n}", "") for k in MANY_FIELDS}})
        try:
            if not rows:
                raise CampaignError(_("Choose or drop one or more photos."))
            result = add_rows(ws, rows, uploaded, _("the dropped photos"))
        except CampaignError as e:
            failed(e)
            if by_script:
                return render_template("_flash.html"), 400
            return redirect(url_for("portraits.grid"), 303)
    done(ngettext("Added {n} portrait. Next: record the consent.", "Added {n} portraits. Next: record their "
                  "consent.", result["count"]))
    if by_script:
        return "", 200, {"X-Next": url_for("portraits.grid")}
    return redirect(url_for("portraits.grid"), 303)


def _renders(ws, portrait_id: str) -> list[dict]:
    folder = ws.renders / portrait_id
    if not folder.is_dir():
        return []
    from portraits.layouts import FORMATS

    found = []
    for path in sorted(folder.glob("*.jpg")):
        fmt = next((f for f in FORMATS if path.stem == f or path.stem.startswith(f + "-")), None)
        width, height = FORMATS.get(fmt or "", (1080, 1350))
        found.append({"name": path.name, "format": path.stem, "width": width, "height": height})
    return found


def _page(ws, portrait_id: str, form=None, status: int = 200, fit=None):
    row = portrait_actions.detail(ws, portrait_id)
    record = records.get(ws.store.read(), portrait_id)
    quote = (form or {}).get("quote", row["quote"])
    return render_template("portrait.html", p=row, version=record.get("updated_at"), renders=_renders(ws, portrait_id),
                           form=form or {}, fit=fit if fit is not None else portrait_actions.fit_report(quote, row["lang"]),
                           face=records.face_box(record), focus=record["photo"].get("focus")), status


@bp.get("/portraits/<portrait_id>")
def show(portrait_id: str):
    return _page(workspace(), portrait_id)


@bp.post("/portraits/<portrait_id>/fit")
def fit(portrait_id: str):
    """The check as you type: how the quote would fit each format (nothing is saved)."""
    p = records.get(workspace().store.read(), portrait_id)
    lang = request.form.get("lang") or p["lang"]
    return render_template("_fit.html", fit=portrait_actions.fit_report(request.form.get("quote", ""), lang))


@bp.post("/portraits/<portrait_id>")
@needs("edit")
def edit(portrait_id: str):
    ws = workspace()
    form = request.form
    changes = {k: form[k] for k in ("quote", "role", "role_category", "credit") if k in form}
    try:
        result = portrait_actions.edit(ws, portrait_id, changes, version=form.get("version"))
    except CampaignError as e:
        failed(e)
        return _page(ws, portrait_id, form=form, status=_status(e))
    done(_("Saved {id}.", id=portrait_id))
    _say_approvals_removed(result)
    return redirect(url_for("portraits.show", portrait_id=portrait_id), 303)


def _status(error: CampaignError) -> int:
    """409 for a save someone else's save overtook, 400 for any other refusal."""
    return 409 if isinstance(error, portrait_actions.VersionConflict) else 400


def _say_approvals_removed(result: dict) -> None:
    """An edit that took approvals away says so: those posts are on Heute again."""
    if result["approvals_removed"]:
        failed(CampaignError(_("This change takes the approvals of {posts} away: they are on Heute again and need "
                               "new approvals.", posts=", ".join(p["id"] for p in result["approvals_removed"]))))


@bp.post("/portraits/<portrait_id>/translation")
@needs("edit")
def translation(portrait_id: str):
    ws = workspace()
    form = request.form
    try:
        result = portrait_actions.edit(ws, portrait_id, {}, version=form.get("version"), translation={
            "lang": form.get("lang", "").strip(), "quote": form.get("quote", ""), "role": form.get("role") or None})
    except CampaignError as e:
        failed(e)
        return _page(ws, portrait_id, status=_status(e))
    done(_("Saved the {lang} quote.", lang=form.get("lang", "")))
    _say_approvals_removed(result)
    return redirect(url_for("portraits.show", portrait_id=portrait_id), 303)


@bp.post("/portraits/<portrait_id>/focus")
@needs("edit")
def focus(portrait_id: str):
    ws = workspace()
    try:
        x, y = float(request.form.get("x", "")), float(request.form.get("y", ""))
        result = portrait_actions.edit(ws, portrait_id, {}, focus=f"{x:.4f},{y:.4f}", version=request.form.get("version"))
    except ValueError:
        failed(CampaignError(_("The focus needs two numbers between 0 and 1.")))
        return redirect(url_for("portraits.show", portrait_id=portrait_id), 303)
    except CampaignError as e:
        failed(e)
        return redirect(url_for("portraits.show", portrait_id=portrait_id), 303)
    done(_("Moved the focus of {id}.", id=portrait_id))
    _say_approvals_removed(result)
    return redirect(url_for("portraits.show", portrait_id=portrait_id), 303)


@bp.post("/portraits/<portrait_id>/approve")
@needs("approve")
def approve(portrait_id: str):
    try:
        portrait_actions.approve(workspace(), [portrait_id])
        done(_("Approved {id}.", id=portrait_id))
    except CampaignError as e:
        failed(e)
    return redirect(url_for("portraits.show", portrait_id=portrait_id), 303)


@bp.post("/portraits/<portrait_id>/render")
@needs("edit")
def render(portrait_id: str):
    from campaign.outputs.renders import render as render_images

    try:
        result = render_images(workspace(), [portrait_id], jobs=1)
    except CampaignError as e:
        failed(e)
    else:
        for skipped in result.get("skipped", []) + result.get("failed", []):
            failed(CampaignError(skipped.get("reason") or skipped.get("error") or ""))
        done(_("Made the images of {id}.", id=portrait_id))
    return redirect(url_for("portraits.show", portrait_id=portrait_id), 303)


@bp.get("/portraits/<portrait_id>/photo/<int:width>")
def photo(portrait_id: str, width: int):
    """The kept photo scaled down for the page (made in memory: no file that shows a person is added)."""
    from PIL import Image

    if width not in THUMB_SIZES:
        abort(404)
    ws = workspace()
    p = records.get(ws.store.read(), portrait_id)
    path = (ws.root / p["photo"].get("file", "")).resolve()
    if not p["photo"].get("file") or not path.is_relative_to(ws.photos.resolve()) or not path.is_file():
        abort(404)
    with Image.open(path) as opened:
        opened.draft("RGB", (width, width * 2))
        im = opened.convert("RGB")
        im.thumbnail((width, width * 2))
        out = io.BytesIO()
        im.save(out, "JPEG", quality=82)
    out.seek(0)
    response = send_file(out, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/portraits/<portrait_id>/renders/<name>")
def render_file(portrait_id: str, name: str):
    ws = workspace()
    records.get(ws.store.read(), portrait_id)
    known = {r["name"] for r in _renders(ws, portrait_id)}
    if name not in known:  # only a file that is there by that exact name: never a path
        abort(404)
    response = send_file(ws.renders / portrait_id / name, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-cache"
    return response
