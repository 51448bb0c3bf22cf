"""The billboard: which portraits go on it (pick), who signed that off (approve), and the print files.

The pick is a varied picture of the city first and a popularity contest second: slots are filled
one at a time, each time taking the eligible portrait that (1) brings a role category not yet on
the poster, then (2) an age band not yet on it (child, youth, adult, senior), then (3) has the
higher engagement score, then (4) the smaller id, so the same data always gives the same poster.
Eligible means approved, billboard consent valid on every day of the run, and a photo that fills
its slot at the print resolution. Every pick is stored with its time; approval adds who and when.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB

from campaign.workspace import Workspace
from campaign.workspace.brand import brand_font, brand_logo
from campaign.workspace.footprint import resolve, stored_path
from portraits import audit, consent, poster, poster_export, records
from portraits import preflight as pdf_preflight
from portraits.dates import days_ahead, parse_date
from portraits.errors import CampaignError
from portraits.messages import _m, _mn, from_stored, join, to_stored
from portraits.render import name_and_age

if TYPE_CHECKING:
    from campaign.workspace.config import Settings
    from campaign.workspace.settings_values import PlainSettings

TABLE = "billboard"
RUN_DAYS = 10  # a billboard is usually booked for a "Dekade" of about ten days
BANDS = (("child", 0, 12), ("youth", 13, 24), ("adult", 25, 64), ("senior", 65, 200))


def age_band(age: int) -> str:
    return next(name for name, lo, hi in BANDS if lo <= int(age) <= hi)


def spec_from(config: Settings | PlainSettings, fmt: str | None = None, scale: str | None = None, dpi: Any = None) -> poster.Spec:
    section = config.billboard
    return poster.make_spec(fmt or section.format, scale or section.scale,
                            dpi if dpi is not None else section.dpi, section.bleed_mm)


def slot_pixels(config: Settings) -> tuple[int, int]:
    """The pixels one photo fills on the default billboard (format, scale, dpi and slots of campaign.toml)."""
    return poster.cell_pixels(spec_from(config), config.billboard.slots)


def _run(ws: Workspace, start: str | date | None, end: str | date | None) -> tuple[date, date]:
    first = parse_date(start, _m("start date")) or ws.now().date()
    last = parse_date(end, _m("end date")) or days_ahead(first, RUN_DAYS - 1)
    if last < first:
        raise CampaignError(_m("The run ends ({last}) before it starts ({first}).", last=last, first=first),
                            _m("Check --from and --to."))
    return first, last


def select(db: TinyDB, scores: dict[str, float], slots: int, start: date, end: date,
           need: tuple[int, int]) -> dict[str, list[dict]]:
    """The pick itself (no writing): {picked: [...], skipped: [...]}, picks in the order taken."""
    eligible, skipped = [], []
    for p in sorted(records.all_portraits(db), key=lambda r: r["id"]):
        pid = p["id"]
        ok, reason = consent.valid_for_period(db, pid, "billboard", start, end)
        kind = "consent"
        if ok and p.get("status") != "approved":
            ok, reason, kind = False, _m("not approved ({status})", status=p.get("status")), "approval"
        if ok:
            short = poster.shortfall(int(p["photo"]["width"]), int(p["photo"]["height"]), *need)
            if short:
                ok, reason, kind = False, _m("photo too small: {value:.1f} MP, needs {value2:.1f} MP",
                                             value=short[0], value2=short[1]), "photo"
        if not ok:
            skipped.append({"portrait_id": pid, "reason": reason, "kind": kind})
            continue
        eligible.append({"portrait_id": pid, "first_name": p["first_name"], "age": p["age"],
                         "role": p["role"], "role_category": p.get("role_category") or "other",
                         "band": age_band(p["age"]), "score": scores.get(pid, 0)})
    by_score = sorted(eligible, key=lambda c: (-c["score"], c["portrait_id"]))
    rank_of = {c["portrait_id"]: i for i, c in enumerate(by_score, 1)}
    categories, bands = set(), set()
    pool = list(by_score)
    picked = []
    while pool and len(picked) < slots:
        best = min(pool, key=lambda c: (c["role_category"] in categories, c["band"] in bands,
                                        -c["score"], c["portrait_id"]))
        pool.remove(best)
        reasons = [_m("score {score} (rank {rank} of {count})", score=best["score"],
                      rank=rank_of[best["portrait_id"]], count=len(by_score))]
        if best["role_category"] not in categories:
            reasons.append(_m("first from role category {role_category}", role_category=best["role_category"]))
        else:
            reasons.append(_m("every role category already on the poster"))
        if best["band"] not in bands:
            reasons.append(_m("brings the age band {band} ({age})", band=best["band"], age=best["age"]))
        categories.add(best["role_category"])
        bands.add(best["band"])
        picked.append({**best, "why": join("; ", reasons)})
    for c in sorted(pool, key=lambda c: (-c["score"], c["portrait_id"])):
        skipped.append({"portrait_id": c["portrait_id"],
                        "reason": _m("no slot left: score {score}, role category {role_category} and age band "
                                     "{band} already on the poster", score=c["score"],
                                     role_category=c["role_category"], band=c["band"])
                        if c["role_category"] in categories and c["band"] in bands
                        else _m("no slot left: score {score}", score=c["score"])})
    return {"picked": picked, "skipped": skipped}


def _hint(kinds: set) -> str:
    """What to do when nobody can go on the billboard, for the reasons that kept them off."""
    hints = []
    if "consent" in kinds or not kinds:
        hints.append(_m("Record billboard consent for the whole run, or choose other dates (--from/--to)."))
    if "approval" in kinds:
        hints.append(_m("Approve the portraits first: campaign portrait approve ID."))
    if "photo" in kinds:
        hints.append(_m("Add a larger photo of them, or a smaller [billboard] format or scale in campaign.toml."))
    return join(" ", hints)


def fit(ws: Workspace, db: TinyDB, picked: list[str], slots: int) -> dict:
    """Whether the picked portraits make the poster the export will print, said at pick time: enough
    eligible portraits for the slots, and their names and roles legible on the format (a long role
    takes room). `offer` is a pick that would fit. The export's own layout is what is asked."""
    spec = spec_from(ws.config)
    people = [records.get(db, pid) for pid in picked]
    names = [name_and_age(p["first_name"], p["age"], p.get("lang") or "de") for p in people]
    roles = [records.text_in(p, p.get("lang"))["role"] for p in people]
    problems, offer = [], None
    if len(picked) < slots:
        problems.append(_mn("only {n} portrait can go on it for {slots} slots (approved, billboard consent for "
                            "the run, photo large enough)",
                            "only {n} portraits can go on it for {slots} slots (approved, billboard consent for "
                            "the run, photo large enough)", len(picked), slots=slots))
        offer = _m("Pick {n}: campaign billboard pick --slots {n}, or add eligible portraits and pick again.",
                   n=len(picked)) if picked else None
    if picked:
        try:
            poster.layout(spec, names, roles, brand_font(ws), ws.config.name, ws.config.hashtag,
                          brand_logo(ws) is not None)
        except CampaignError as e:
            longest = max(range(len(roles)), key=lambda i: len(roles[i]))
            problems.append(_m("{why} The longest role on it: {role!r} ({portrait_id})", why=e.message,
                               role=roles[longest], portrait_id=picked[longest]))
            offer = e.hint
    return {"fits": not problems, "problems": problems, "offer": offer}


def pick(ws: Workspace, slots: int | None = None, start: str | date | None = None,
         end: str | date | None = None) -> dict:
    """Choose the billboard's portraits for the run and store the pick (not yet approved)."""
    slots = int(slots if slots is not None else ws.config.billboard.slots)
    if not 1 <= slots <= 48:
        raise CampaignError(_m("{slots} slots is not a poster.", slots=slots),
                            _m("Give --slots from 1 to 48 (nine is the classic 3x3)."))
    from campaign.figures import ranking_settings  # the pick's alone: not loaded by an export
    from schedules import ranking

    first, last = _run(ws, start, end)
    spec = spec_from(ws.config)
    need = poster.cell_pixels(spec, slots)
    settings = ranking_settings(ws.config)
    now = ws.now()
    with ws.store.transaction() as db:
        result = select(db, ranking.scores(db, now, **settings), slots, first, last, need)
        if not result["picked"]:
            reasons = [_m("{portrait_id}: {reason}", portrait_id=s["portrait_id"], reason=s["reason"])
                       for s in result["skipped"][:5]]
            raise CampaignError(_m("No portrait can go on the billboard: {reasons}.",
                                   reasons=join("; ", reasons) if reasons else _m("there are no portraits")),
                                _hint({s.get("kind") for s in result["skipped"]}))
        doc = {"picked_at": now.isoformat(timespec="seconds"), "picked_by": audit.actor(),
               "from": first.isoformat(), "to": last.isoformat(), "slots": slots,
               "checked_for": spec.label, "slot_pixels": list(need),
               "picked": [{k: c[k] for k in ("portrait_id", "score", "why", "role_category", "band")}
                          for c in result["picked"]],
               "skipped": result["skipped"], "approved_by": None, "approved_at": None, "exports": [],
               "fit": fit(ws, db, [c["portrait_id"] for c in result["picked"]], slots)}
        doc_id = db.table(TABLE).insert(stored_pick(doc))
        audit.record(db, "billboard.pick", None, now=now, pick=doc_id,
                     portraits=[c["portrait_id"] for c in doc["picked"]])
    return {"pick": doc_id, **doc}


def stored_pick(doc: dict) -> dict:
    """A pick as the store keeps it: its reasons as message ids and parameters (see shown_pick)."""
    return {**doc, "checked_for": to_stored(doc["checked_for"]),
            "picked": [{**c, "why": to_stored(c["why"])} for c in doc["picked"]],
            "skipped": [{**s, "reason": to_stored(s["reason"])} for s in doc["skipped"]]}


def shown_pick(doc: dict) -> dict:
    """A stored pick with its reasons as messages again: English in --json, any language on screen."""
    return {**doc, "checked_for": from_stored(doc.get("checked_for")),
            "picked": [{**c, "why": from_stored(c.get("why"))} for c in doc.get("picked", [])],
            "skipped": [{**s, "reason": from_stored(s.get("reason"))} for s in doc.get("skipped", [])]}


def _current(db: TinyDB) -> tuple[int, dict]:
    docs = db.table(TABLE).all()
    if not docs:
        raise CampaignError(_m("There is no billboard pick yet."),
                            _m("Make one: campaign billboard pick --from DATE --to DATE."))
    doc = max(docs, key=lambda d: d.doc_id)
    return doc.doc_id, shown_pick(dict(doc))


def latest_pick(db: TinyDB) -> tuple[int, dict]:
    """The latest pick in `db` (a transaction's too): its number and document; our message if none."""
    return _current(db)


def current(ws: Workspace) -> dict | None:
    """The latest pick (with its approval), or None."""
    try:
        doc_id, doc = _current(ws.store.read())
    except CampaignError:
        return None
    return {"pick": doc_id, **doc}


def _still_allowed(db: TinyDB, doc: dict) -> None:
    """A withdrawal or erasure after the pick wins: refuse to approve or print a poster that holds that person."""
    if doc.get("repick"):
        raise CampaignError(_m("This billboard pick {repick}.", repick=doc['repick']),
                            _m("Pick again: campaign billboard pick."))
    start, end = date.fromisoformat(doc["from"]), date.fromisoformat(doc["to"])
    for c in doc["picked"]:
        ok, reason = consent.valid_for_period(db, c["portrait_id"], "billboard", start, end)
        if not ok:
            raise CampaignError(_m("{portrait_id} can no longer be on the billboard ({reason}).",
                                   portrait_id=c['portrait_id'], reason=reason),
                                _m("Pick again: campaign billboard pick."))


def approve(ws: Workspace) -> dict:
    """Sign off the latest pick: who (as in the audit log) and when."""
    now = ws.now()
    with ws.store.transaction() as db:
        doc_id, doc = _current(db)
        if doc.get("approved_at"):
            return {"pick": doc_id, **doc, "already": True}
        _still_allowed(db, doc)
        # Said at pick time; asked again now (in the reader's language): never approve what cannot print.
        verdict = fit(ws, db, [c["portrait_id"] for c in doc["picked"]], doc["slots"])
        if not verdict["fits"]:
            raise CampaignError(_m("This pick does not fit the poster: {problems}.",
                                   problems=join("; ", verdict["problems"])),
                                verdict.get("offer") or _m("Pick again: campaign billboard pick."))
        doc.update(approved_by=audit.actor(), approved_at=now.isoformat(timespec="seconds"))
        db.table(TABLE).update({"approved_by": doc["approved_by"], "approved_at": doc["approved_at"]},
                               doc_ids=[doc_id])
        audit.record(db, "billboard.approve", None, now=now, pick=doc_id)
    return {"pick": doc_id, **doc}


def _not_ours(ws: Workspace, db: TinyDB, files: list[Path]) -> list[Path]:
    """Those of `files` that exist and that no billboard export of this workspace wrote. Only the
    exports of the same file name are looked up on disk: a workspace keeps every export it made,
    and resolving all their paths took 8 ms after 200 exports (2.5 ms now, most of them named alike)."""
    there = [f for f in files if f.exists() or f.is_symlink()]
    names = {f.name for f in there} | {f.resolve().name for f in there}
    ours = {resolve(ws, e[kind]).resolve() for d in db.table(TABLE).all() for e in d.get("exports", [])
            for kind in ("pdf", "png") if e.get(kind) and Path(e[kind]).name in names}
    return [f for f in there if f.resolve() not in ours]


# long: left whole while another change reworks this module (issue 22); split it there
def export(ws: Workspace, fmt: str | None = None, scale: str | None = None, dpi: Any = None,
           out: str | Path | None = None, icc: str | Path | None = None, force: bool = False,
           progress: Callable[[int, int], None] | None = None) -> dict:
    """Write the approved pick as a print PDF (a PDF/X-4 candidate: page = format at scale + bleed +
    crop-mark zone, output intent, boxes) and a PNG preview. With `icc` (the printer's CMYK profile)
    the photos and colours are converted to it and it becomes the output intent. `out` may replace an
    earlier billboard export, never another file, unless `force`."""
    settings = ws.plain  # plain values only: an export does not load the settings model (pydantic)
    spec = spec_from(settings, fmt, scale, dpi)
    db = ws.store.read()
    if out is not None:
        from campaign.workspace.outpaths import refuse_protected

        refuse_protected(ws, out)
        refuse_protected(ws, Path(out).with_suffix(".png"))
    if out is not None and not force:
        target = Path(out)
        if target.is_dir():
            raise CampaignError(_m("{target} is a folder.", target=target),
                                _m("Give --out a file name like billboard.pdf."))
        taken = _not_ours(ws, db, [target, target.with_suffix(".png")])
        if taken:
            raise CampaignError(_m("{value} already exist(s) and no billboard export wrote it; nothing was "
                                   "changed.", value=' and '.join(str(t) for t in taken)),
                                _m("Choose another --out file, or add --force to replace it."))
    doc_id, doc = _current(db)
    if not doc.get("approved_at"):
        raise CampaignError(_m("The billboard pick is not approved yet."),
                            _m("Check it (campaign billboard show shows it), then: campaign billboard "
                               "approve."))
    _still_allowed(db, doc)
    if len(doc["picked"]) < doc["slots"]:
        n, slots = len(doc["picked"]), doc["slots"]
        raise CampaignError(_m("The pick has {portraits} for {slots} slots: {more} (approved, billboard consent "
                               "for the run, photo large enough).", slots=slots,
                               portraits=_mn("{n} portrait", "{n} portraits", n),
                               more=_mn("{n} more eligible portrait is needed", "{n} more eligible portraits are needed",
                                        slots - n)),
                            _m("Add them and pick again, or make a poster designed for {n}: campaign "
                               "billboard pick --slots {n}.", n=n))
    slug = spec.name.replace("/", "-")
    pdf = Path(out) if out else ws.exports / f"billboard-{slug}-1-{spec.scale}.pdf"
    if pdf.suffix.lower() != ".pdf":
        raise CampaignError(_m("{name} does not end in .pdf.", name=pdf.name),
                            _m("Give --out a file name like billboard.pdf."))
    icc_path = Path(icc) if icc else None
    if icc_path is not None and not icc_path.is_file():
        raise CampaignError(_m("No ICC profile at {icc_path}.", icc_path=icc_path),
                            _m("Give --icc the printer's CMYK profile (.icc file)."))
    png = pdf.with_suffix(".png")
    brand = settings.brand
    people = [records.get(db, c["portrait_id"]) for c in doc["picked"]]
    items = []
    for p in people:
        t = records.text_in(p, p.get("lang"))
        items.append(poster.Item(ws.photo_of(p), int(p["photo"]["width"]), int(p["photo"]["height"]),
                                 tuple(p["photo"].get("focus") or (0.5, 0.33)),
                                 name_and_age(p["first_name"], p["age"], p.get("lang") or "de"), t["role"],
                                 records.face_box(p), p["id"]))
    credits = list(dict.fromkeys(p.get("credit") or brand.credit for p in people if p.get("credit") or brand.credit))
    band = poster.Band(settings.name, settings.hashtag,
                       (brand.credit_prefix + ", ".join(credits)) if credits else "",
                       brand_logo(ws), brand.primary, brand.secondary, brand.text, brand_font(ws))
    made = poster_export.export(spec, items, band, pdf, png, title=f"{settings.name}: billboard",
                         condition=settings.billboard.print_condition, icc=icc_path, progress=progress)
    warnings = made["warnings"]
    result = {"pick": doc_id, "pdf": str(pdf), "png": str(png), "format": spec.name, "scale": f"1:{spec.scale}",
              "dpi": spec.dpi, "page_mm": [round(v, 2) for v in spec.page],
              "trim_mm": [round(v, 2) for v in spec.trim], "bleed_mm": round(spec.bleed, 2),
              "grid": made["grid"], "slots": made["slots"], "type_cm": made["type_cm"],
              "colour": (_m("CMYK ({profile})", profile=icc_path.name) if icc_path
                         else _m("sRGB, intended for {condition}", condition=settings.billboard.print_condition)),
              "warnings": warnings}
    now = ws.now()
    with ws.store.transaction() as wdb:
        entry = {k: result[k] for k in ("pdf", "png", "format", "scale", "dpi", "warnings")}
        # Relative inside the workspace, so erasure and the report still find them after the folder moves.
        entry.update(pdf=stored_path(ws, pdf), png=stored_path(ws, png))
        entry["at"] = now.isoformat(timespec="seconds")
        exports = list(wdb.table(TABLE).get(doc_id=doc_id).get("exports", [])) + [entry]
        wdb.table(TABLE).update({"exports": exports}, doc_ids=[doc_id])
        audit.record(wdb, "billboard.export", None, now=now, pick=doc_id, format=spec.name,
                     scale=result["scale"], dpi=spec.dpi, warnings=len(warnings))
    return result


def preflight(path: str | Path) -> dict:
    """Read an exported PDF back and check what a printer's PDF/X-4 preflight checks."""
    path = Path(path)
    if not path.is_file():
        raise CampaignError(_m("No file at {path}.", path=path),
                            _m("Give the PDF that billboard export wrote."))
    checks = pdf_preflight.preflight(path)
    return {"file": str(path), "checks": checks, "ok": all(c["ok"] for c in checks)}
