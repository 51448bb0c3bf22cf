"""`campaign render` and `campaign preview`: which images to make, the cache, the worker processes.

A render is cached by a hash of everything it is made from (the photo, focal point, texts,
brand, format, language and the renderer's version): re-running skips what did not change, and
a change to the brand changes every hash. Each image has a JSON record next to it with its alt
text. Renders are files, not store rows, so rendering never holds the store lock.

The publisher asks for the renders of a post through `current_renders`: what is current is used as
it is; what is missing or stale is made then, exactly as `campaign render ID --lang L` would make
it, so a post always carries the image of the portrait as it is at that moment.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from campaign.workspace import Workspace, i18n
from campaign.workspace.brand import brand_font, brand_logo
from campaign.workspace.store import atomic_write_bytes
from portraits import consent, records
from portraits.errors import CampaignError
from portraits.files import atomic_write_all
from portraits.imageio import CONTACT_SHEET, save_jpeg
from portraits.layouts import LAYOUTS, parse_formats
from portraits.messages import _m, join
from portraits.render import Brand, Job, Texts, name_line, render_job, typographic
from schedules import captions

RENDER_VERSION = 4  # bump when the look changes: every render is made again


def _file_sha(path: Path | None) -> str | None:
    if path is None:
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def brand_of(ws: Workspace) -> Brand:
    b = ws.plain.brand
    return Brand(primary=b.primary, secondary=b.secondary, text=b.text, logo=brand_logo(ws),
                 font=brand_font(ws, default=False))


def image_name(portrait: dict, fmt: str, lang: str) -> str:
    """renders/<id>/<format>[-<lang>].jpg: the language suffix only for translations."""
    return f"{fmt}.jpg" if lang == portrait.get("lang") else f"{fmt}-{lang}.jpg"


def texts_for(ws: Workspace, portrait: dict, lang: str) -> Texts:
    t = records.text_in(portrait, lang)
    settings = ws.plain  # a render reads plain values only: the settings model is not loaded
    credit = captions.credit_of(portrait, settings)
    prefix = settings.brand.credit_prefix
    return Texts(lang=lang, name_line=name_line(portrait["first_name"], portrait["age"], t["role"], lang),
                 quote=typographic(t["quote"], lang), hashtag=settings.hashtag,
                 credit=f"{prefix}{credit}" if credit else "", campaign=settings.name)


def _choose(ws: Workspace, db, ids: list[str] | None, lang: str | None) -> tuple[list[tuple[dict, list[str]]], list[dict]]:
    """(portrait, languages) to render, and what is skipped with the reason. Explicit ids must be renderable."""
    today = ws.now().date()
    chosen, skipped = [], []
    people = [records.get(db, pid) for pid in dict.fromkeys(ids)] if ids else records.all_portraits(db)
    for p in people:
        reason = None
        if p["status"] != "approved":
            reason = _m("not approved (campaign portrait approve {id})", id=p['id'])
        elif not consent.valid_scopes(db, p["id"], today):
            reason = _m("no valid consent today")
        langs = [p["lang"], *sorted(p.get("translations") or {})]
        if lang:
            if lang not in langs and not reason:
                reason = _m("no {language} translation (campaign portrait translate {id} --lang {lg} ...)",
                            language=lang, lg=lang, id=p['id'])
            langs = [lang]
        if reason:
            if ids:
                raise CampaignError(_m("{id} cannot be rendered: {reason}.", id=p['id'], reason=reason),
                                    _m("Fix that first; nothing was rendered."))
            if p["status"] == "approved":
                skipped.append({"portrait_id": p["id"], "reason": reason})
            continue
        chosen.append((p, langs))
    return chosen, skipped


def _input_hash(photo_sha: str, focus, face, texts: Texts, brand: Brand, logo_sha, fmt: str) -> str:
    data = {"v": RENDER_VERSION, "photo": photo_sha, "focus": list(focus), "face": face, "texts": texts.__dict__,
            "brand": [brand.primary, brand.secondary, brand.text, logo_sha, str(brand.font) if brand.font else None,
                      _file_sha(brand.font) if brand.font else None], "format": fmt}
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _digest(ws: Workspace, portrait: dict, fmt: str, lang: str, brand: Brand, logo_sha: str | None) -> str:
    focus = tuple(portrait["photo"].get("focus") or (0.5, 0.33))
    return _input_hash(portrait["photo"]["sha256"], focus, records.face_box(portrait), texts_for(ws, portrait, lang),
                       brand, logo_sha, fmt)


def input_hashes(ws: Workspace, portrait: dict, fmt: str, langs: list[str]) -> list[str]:
    """The input hash the render of each language would have now (nothing is rendered)."""
    brand = brand_of(ws)
    logo_sha = _file_sha(brand.logo)
    return [_digest(ws, portrait, fmt, lang, brand, logo_sha) for lang in langs]


def recorded_hash(target: Path) -> str | None:
    """The input hash recorded next to a render (None: no render, or no readable record)."""
    try:
        return json.loads(target.with_suffix(".json").read_text())["hash"] if target.is_file() else None
    except (OSError, ValueError, KeyError):
        return None  # a damaged record: the image is made again


def current_renders(ws: Workspace, portrait: dict, fmt: str, langs: list[str]) -> list[dict]:
    """[{"path", "hash", "lang"}] of the `fmt` render in each language, rendering what is missing or
    stale by `campaign render`'s rules (the portrait approved, a valid consent today)."""
    wanted = dict(zip(langs, input_hashes(ws, portrait, fmt, langs)))
    targets = {lang: ws.renders / portrait["id"] / image_name(portrait, fmt, lang) for lang in langs}
    stale = [lang for lang in langs if recorded_hash(targets[lang]) != wanted[lang]]
    if stale:
        # One language: what `campaign render ID --lang L` makes; several: what `campaign render ID` makes.
        result = render(ws, [portrait["id"]], lang=stale[0] if len(stale) == 1 else None, jobs=1)
        if result["failed"]:
            raise CampaignError(_m("{id} could not be rendered: {reason}", id=portrait['id'],
                                   reason=result['failed'][0]['reason']),
                                _m("Fix that, then: campaign schedule retry POST."))
        if any(recorded_hash(targets[lang]) != wanted[lang] for lang in stale):
            raise CampaignError(_m("{id} changed while its image was being made.", id=portrait['id']),
                                _m("Try again in a moment."))
    return [{"path": targets[lang], "hash": wanted[lang], "lang": lang} for lang in langs]


def _plan_portrait(ws: Workspace, p: dict, langs: list[str], fmts: list[str], brand: Brand, logo_sha,
                   work: list) -> int:
    """Add what of one portrait needs rendering to `work`; return how many of its images are unchanged."""
    unchanged = 0
    job = Job(ws.root / p["photo"]["file"], tuple(p["photo"].get("focus") or (0.5, 0.33)), brand,
              face=records.face_box(p))
    meta = {}
    for lg in langs:
        texts = texts_for(ws, p, lg)
        for fmt in fmts:
            digest = _digest(ws, p, fmt, lg, brand, logo_sha)
            target = ws.renders / p["id"] / image_name(p, fmt, lg)
            if recorded_hash(target) == digest:
                unchanged += 1
                continue
            job.images.append((fmt, texts))
            meta[(fmt, lg)] = {"portrait_id": p["id"], "format": fmt, "lang": lg, "hash": digest,
                               "size": list(LAYOUTS[fmt].size), "file": target.name,
                               "alt_text": captions.alt_text(p, lg, ws.plain)}
    if job.images:
        ws.photo_of(p)  # checked once, where the photo is read: a cached render was made from the right one
        work.append((p, job, meta))
    return unchanged


# long: left whole while another change reworks this module (issue 22); split it there
def render(ws: Workspace, ids: list[str] | None = None, formats: str | None = None, lang: str | None = None,  # noqa: C901
           jobs: int | None = None, progress: Callable[[int, int], None] | None = None) -> dict:
    """Render approved portraits; returns what was made, what was unchanged, what was skipped and why."""
    fmts = parse_formats(formats)
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if jobs < 1:
        raise CampaignError(_m("--jobs {jobs} is not a positive number.", jobs=jobs),
                            _m("Give how many processes to use, e.g. --jobs 2."))
    db = ws.store.read()
    chosen, skipped = _choose(ws, db, ids, lang)
    brand = brand_of(ws)
    logo_sha = _file_sha(brand.logo)
    work: list[tuple[dict, Job, dict]] = []
    unchanged = 0
    failed: list[dict] = []

    def failure(p: dict, error: BaseException) -> None:
        # One portrait that cannot be rendered (a font without its characters, a damaged or missing
        # photo, a worker that died) is reported and the others go on.
        if isinstance(error, CampaignError):
            reason = error.message
        elif isinstance(error, OSError) and error.filename:
            reason = f"{error.strerror or 'cannot read'}: {error.filename}"
        else:
            reason = f"{type(error).__name__}: {error}"
        failed.append({"portrait_id": p["id"], "reason": reason})

    for p, langs in chosen:
        try:
            unchanged += _plan_portrait(ws, p, langs, fmts, brand, logo_sha, work)
        except Exception as e:
            failure(p, e)
    made: list[dict] = []
    warnings: list[dict] = []

    def keep(p: dict, meta: dict, images: dict) -> None:
        folder = ws.renders / p["id"]
        folder.mkdir(parents=True, exist_ok=True)
        files = []  # each image before its record: a record never names an image not yet there
        for key, image in images.items():
            m = dict(meta[key], rendered_at=ws.now().isoformat(timespec="seconds"), boxes=image.boxes,
                     warnings=image.warnings, upscale=image.upscale)
            warnings.extend({"portrait_id": p["id"], "format": m["format"], "lang": m["lang"], "warning": w}
                            for w in image.warnings)
            files += [(folder / m["file"], image.jpeg),
                      ((folder / m["file"]).with_suffix(".json"), json.dumps(m, ensure_ascii=False, indent=2).encode())]
            made.append({"portrait_id": p["id"], "format": m["format"], "lang": m["lang"],
                         "file": str(folder / m["file"])})
        atomic_write_all(files)

    total = len(work)
    if jobs == 1 or total <= 1:
        for i, (p, job, meta) in enumerate(work, 1):
            try:
                images = render_job(job)
            except Exception as e:
                failure(p, e)
            else:
                keep(p, meta, images)
            if progress:
                progress(i, total)
    else:
        from concurrent.futures import as_completed

        from portraits.workers import process_pool

        with process_pool(min(jobs, total)) as pool:
            # Each process renders its portrait in one thread: the processes already use every core.
            futures = {pool.submit(render_job, job, False): (p, meta) for p, job, meta in work}
            for i, future in enumerate(as_completed(futures), 1):
                p, meta = futures[future]
                try:
                    images = future.result()
                except Exception as e:
                    failure(p, e)
                else:
                    keep(p, meta, images)
                if progress:
                    progress(i, total)
    failed.sort(key=lambda f: f["portrait_id"])
    return {"rendered": made, "unchanged": unchanged, "skipped": skipped, "failed": failed, "portraits": total,
            "warnings": warnings}


def renders_of(ws: Workspace) -> list[dict]:
    """Every render record on disk, by portrait and format."""
    out = []
    for sidecar in sorted(ws.renders.glob("*/*.json")):
        try:
            rec = json.loads(sidecar.read_text())
        except ValueError:
            continue
        if sidecar.with_suffix(".jpg").is_file():
            out.append({**rec, "path": str(sidecar.with_suffix(".jpg"))})
    return out


SOFT = 1.25        # a crop enlarged more than this looks soft
EXPIRING_DAYS = 30  # consent ending this soon is marked on the contact sheet


def _review_marks(ws: Workspace, renders: list[dict]) -> dict[str, list[str]]:
    """Per portrait, what a reviewer most needs to see: no face found, soft photos, consent ending soon."""
    db = ws.store.read()
    today = ws.now().date()
    expiring = {row["portrait_id"]: row["expires"] for row in consent.status(db, today, expiring_within=EXPIRING_DAYS)}
    marks: dict[str, list[str]] = {}
    for r in renders:
        pid = r["portrait_id"]
        if pid in marks:
            continue
        try:
            p = records.get(db, pid)
        except CampaignError:
            marks[pid] = [_m("not in the store any more")]
            continue
        out = []
        if p["photo"].get("focus_source") != "face":
            out.append(_m("no face found") if p["photo"].get("focus_source") != "manual" else _m("focal point set by hand"))
        soft = sorted({x["format"] for x in renders if x["portrait_id"] == pid and (x.get("upscale") or 0) > SOFT})
        if soft:
            out.append(_m("soft in {formats}", formats=", ".join(soft)))
        if pid in expiring:
            out.append(_m("consent ends {expires:%Y-%m-%d}", expires=records.as_date(str(expiring[pid])[:10])))
        marks[pid] = out
    return marks


# long: left whole while another change reworks this module (issue 22); split it there
def preview(ws: Workspace, out: str | Path | None = None) -> dict:
    """A contact sheet of the renders of everyone with a valid consent today (one row per portrait) for
    a person to look over, each row marked with what needs a look: no face found, a soft photo, a
    consent that ends soon. Renders of a person who withdrew, or whose erasure is not finished yet,
    stay off the sheet."""
    from PIL import Image, ImageDraw

    from portraits.fonts import fallbacks, font_for
    from portraits.textfit import load_font

    db = ws.store.read()
    today = ws.now().date()
    known = {p["id"] for p in records.all_portraits(db)}
    allowed = {pid for pid in known if consent.valid_scopes(db, pid, today)}
    on_disk = renders_of(ws)
    renders = [r for r in on_disk if r.get("portrait_id") in allowed]
    if not renders:
        if any(r.get("portrait_id") in known for r in on_disk):
            raise CampaignError(_m("No render belongs to a portrait with a valid consent today."),
                                _m("Record consent (campaign consent grant), then render again."))
        raise CampaignError(_m("There are no renders yet."), _m("Make them first: campaign render."))
    target = Path(out) if out else ws.exports / "contact-sheet.jpg"
    if target.suffix.lower() not in (".jpg", ".jpeg", ".png"):
        raise CampaignError(_m("{name} is not a .jpg or .png file name.", name=target.name),
                            _m("Give --out a name like sheet.jpg."))
    from campaign.workspace.footprint import record_output  # the sheet's alone: a render does not load it
    from campaign.workspace.outpaths import refuse_foreign_file

    refuse_foreign_file(ws, target, "contact-sheet")
    rows: dict[str, list[dict]] = {}
    for r in renders:
        rows.setdefault(r["portrait_id"], []).append(r)
    marks = _review_marks(ws, renders)
    cell_h, label_h, pad = 300, 28, 12
    thumbs = []
    for pid, items in rows.items():
        row = []
        for r in items:
            with Image.open(r["path"]) as im:
                im.draft("RGB", (im.width * cell_h // im.height, cell_h))
                row.append((im.resize((im.width * cell_h // im.height, cell_h)), f"{r['format']} {r['lang']}",
                            (r.get("upscale") or 0) > SOFT))
        thumbs.append((pid, row))
    width = max(sum(t.width + pad for t, _l, _s in row) for _pid, row in thumbs) + pad
    height = len(thumbs) * (cell_h + 2 * label_h + pad) + pad
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    warn_colour = (200, 30, 30)
    y = pad
    for pid, row in thumbs:
        title = load_font(font_for(pid), 20, True)
        draw.text((pad, y), pid, font=title, fill="black")
        if marks.get(pid):  # the sheet is for the office: in the interface language
            note = "   " + i18n.gettext("check: {marks}", marks=join("; ", marks[pid]))
            draw.text((pad + draw.textlength(pid, font=title), y), note, font=title, fill=warn_colour)
        x = pad
        for thumb, label, soft in row:
            sheet.paste(thumb, (x, y + label_h))
            if soft:  # a red frame round a soft image
                draw.rectangle([x - 3, y + label_h - 3, x + thumb.width + 2, y + label_h + cell_h + 2],
                               outline=warn_colour, width=3)
            draw.text((x, y + label_h + cell_h + 4), label + ("  " + i18n.gettext("soft") if soft else ""),
                      font=load_font(fallbacks()[0], 16), fill=warn_colour if soft else (80, 80, 80))
            x += thumb.width + pad
        y += cell_h + 2 * label_h + pad
    target.parent.mkdir(parents=True, exist_ok=True)
    from io import BytesIO

    buf = BytesIO()
    sheet.save(buf, "PNG") if target.suffix.lower() == ".png" else save_jpeg(sheet, buf, CONTACT_SHEET)
    atomic_write_bytes(target, buf.getvalue())
    record_output(ws, "contact-sheet", target, rows, rows)
    return {"file": str(target), "renders": len(renders), "portraits": len(rows),
            "left_out": len({r.get("portrait_id") for r in on_disk} - set(rows)),
            "marks": {pid: m for pid, m in marks.items() if m}}


class PublishingSite:
    """The workspace as the publisher sees it (schedules.runner.Site): the workspace and its renders.

    The renders are an output, so the workspace itself does not know them (it sits below every
    output); whoever hands a workspace to the publisher hands this instead."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def __getattr__(self, name: str):
        return getattr(self.ws, name)

    def render_hashes(self, portrait: dict, layout: str, langs: list[str]) -> list[str]:
        """For schedules.content.Renders: the input hash of each render, now."""
        return input_hashes(self.ws, portrait, layout, langs)

    def current_renders(self, portrait: dict, layout: str, langs: list[str]) -> list[dict]:
        """For schedules.content.Renders: current renders, made now if stale."""
        return current_renders(self.ws, portrait, layout, langs)


def publishing_site(ws: Workspace) -> PublishingSite:
    """What to hand `schedules.runner` (publish_post, run_once, Runner) and `schedules.content`."""
    return ws if isinstance(ws, PublishingSite) else PublishingSite(ws)

