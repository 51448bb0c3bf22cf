"""`campaign gallery`: a static page of the portraits for the city's website (`website` consent only).

The page opens from the folder without a server and asks nothing of any other server: no web
fonts, no scripts, no tracking; its images lie next to it in a few widths (`srcset`) cut from the
clean photo around the face, each with alt text. Every quote is set as text with its own `lang`
and `dir`, so screen readers speak it in its language and Arabic runs right to left. `embed.html`
is the same section without the page around it, and `gallery.json` describes it for a CMS.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from campaign.outputs import handout
from campaign.workspace import Workspace, templating
from campaign.workspace.store import atomic_write_text
from portraits import consent, fields, fonts, records
from portraits.errors import CampaignError
from portraits.files import atomic_write_bytes
from portraits.imageio import GALLERY, save_jpeg
from portraits.layouts import crop_box
from portraits.messages import _m
from portraits.model import PortraitStatus, as_portrait
from portraits.render import name_line, typographic
from schedules import captions

KIND = "gallery"
ASPECT = 4 / 5


def eligible(db, today) -> list[dict]:
    """Approved portraits whose website consent is valid today."""
    return sorted((p for p in records.all_portraits(db)
                   if p.get("status") == PortraitStatus.APPROVED and consent.is_valid(db, p["id"], "website", today)),
                  key=lambda p: p["id"])


def _direction(text: str) -> str:
    return "rtl" if fonts.is_rtl(text) else "ltr"


def _images(photo: Path, focus, widths: list[int], folder: Path, stem: str) -> list[dict]:
    """The photo cut to 4:5 around the focal point at each width (never wider than the photo gives)."""
    from PIL import Image

    with Image.open(photo) as opened:
        im: Image.Image = opened
        full_w, full_h = im.size
        box = crop_box(full_w, full_h, ASPECT, tuple(focus))
        crop_w = box[2] - box[0]
        chosen = [w for w in widths if w <= crop_w] or [int(crop_w)]
        # Decoded at the smallest JPEG scale that still gives the widest image (draft), once.
        im.draft("RGB", (math.ceil(full_w * max(chosen) / crop_w), math.ceil(full_h * max(chosen) / crop_w)))
        im = im.convert("RGB")
    factor = im.width / full_w
    box = (box[0] * factor, box[1] * factor, box[2] * factor, box[3] * factor)
    out = []
    for w in chosen:
        h = round(w / ASPECT)
        buf = BytesIO()
        # A fresh image from pixels only: no EXIF, GPS or comment can come along.
        save_jpeg(im.resize((w, h), Image.Resampling.LANCZOS, box=box), buf, GALLERY)
        name = f"{stem}-{w}.jpg"
        atomic_write_bytes(folder / name, buf.getvalue())
        out.append({"src": f"img/{name}", "width": w, "height": h})
    return out


def make_gallery(ws: Workspace, out: str | Path | None = None,
                 progress: Callable[[int, int], None] | None = None) -> dict:
    """Write index.html, embed.html, gallery.json and img/ into `out` (default exports/gallery/)."""
    target = handout.target_for(ws, KIND, out)
    db = ws.store.read()
    today = ws.now().date()
    people = eligible(db, today)
    if not people:
        raise CampaignError(_m("No portrait can go into the gallery: none is approved with a valid website "
                               "consent today."),
                            _m("Record website consent first: campaign consent grant ID --scope website "
                               "--signed-on DATE."))
    config = ws.config
    cards = []
    with handout.staging(KIND, target) as stage:
        (stage / "img").mkdir()
        for i, p in enumerate(people):
            if progress:
                progress(i, len(people))
            images = _images(ws.photo_of(p), p["photo"].get("focus") or (0.5, 0.33),
                             config.gallery.widths, stage / "img", p["id"])
            quotes = [{"lang": lang, "text": typographic(fields.text_in(p, lang)["quote"], lang)}
                      for lang in [p["lang"], *sorted(p.get("translations") or {})]]
            for q in quotes:
                q["dir"] = _direction(q["text"])
            line = name_line(p["first_name"], p["age"], p["role"], p["lang"])
            credit = captions.credit_of(as_portrait(p), config)
            cards.append({"id": p["id"], "first_name": p["first_name"], "age": p["age"], "role": p["role"],
                          "lang": p["lang"], "dir": _direction(line), "name_line": line, "quotes": quotes,
                          "alt": captions.photo_alt(as_portrait(p), p["lang"], config),
                          "credit": f"{config.brand.credit_prefix}{credit}" if credit else "",
                          "src": images[-1]["src"] if len(images) == 1 else images[len(images) // 2]["src"],
                          "width": images[-1]["width"], "height": images[-1]["height"], "images": images})
        context = {"title": config.gallery.title or config.name, "hashtag": config.hashtag, "lang": config.language,
                   "brand": {"primary": config.brand.primary, "secondary": config.brand.secondary},
                   "portraits": cards}
        if progress:
            progress(len(people), len(people))
        atomic_write_text(stage / "index.html", templating.render("gallery.html.j2", {**context, "embed": False}))
        atomic_write_text(stage / "embed.html", templating.render("gallery.html.j2", {**context, "embed": True}))
        data = {"kind": KIND, "campaign": config.name, "hashtag": config.hashtag, "lang": config.language,
                "made_at": ws.now().isoformat(timespec="seconds"),
                "portraits": [{k: c[k] for k in ("id", "first_name", "age", "role", "lang", "dir", "name_line",
                                                 "quotes", "alt", "credit", "images")} for c in cards]}
        atomic_write_text(stage / "gallery.json", json.dumps(data, ensure_ascii=False, indent=2))
        handout.record(ws, KIND, target, [p["id"] for p in people], before_swap=True)
        handout.swap_in(stage, target)
    handout.record(ws, KIND, target, [p["id"] for p in people], discard=[target])
    return {"folder": str(target), "index": str(target / "index.html"), "json": str(target / "gallery.json"),
            "portraits": [p["id"] for p in people],
            "images": sum(len(c["images"]) for c in cards)}
